"""A group's observed figures next to published reference figures, each with its source and date."""

from __future__ import annotations

import pandas as pd

from adoption_kit.metrics import read_benchmarks
from adoption_kit.plots import tool_label
from adoption_kit.publish import PublishedRun
from adoption_kit.report import Section, not_available, place, threshold, visible

FRONTIER = "frontier_to_median_messages_per_worker"
COLUMNS = ["tool", "metric", "observed", "reference", "ratio", "unit", "source", "source_date", "url"]


def benchmarks(
    run: PublishedRun, group: str, *, min_group_size: int = 0, reference: pd.DataFrame | None = None
) -> Section:
    """``group``'s shown observed figures with the reference value of the same metric (``reference``:
    :func:`adoption_kit.metrics.read_benchmarks`' table, by default the bundled one) and ratio = observed /
    reference; metrics without a reference keep an empty one. The note places the frontier spread."""
    if "benchmarks" not in run.tables:
        return not_available("benchmarks")
    reference = read_benchmarks() if reference is None else reference
    observed = visible(run.table("benchmarks", group=group), threshold(run, min_group_size))
    observed = observed.loc[~observed["suppressed"]]
    placed = observed[["tool", "metric", "observed"]].merge(
        reference.rename(columns={"value": "reference"}), on="metric", how="left"
    )
    placed = placed.assign(
        observed=placed["observed"].astype("Float64"), reference=placed["reference"].astype("Float64")
    )
    table = placed.assign(
        ratio=placed["observed"] / placed["reference"],
        source_date=pd.to_datetime(placed["source_date"]).dt.strftime("%Y-%m-%d"),
    )[COLUMNS]
    return Section(table.sort_values(["metric", "tool"], ignore_index=True), _frontier_sentence(table, group))


def _frontier_sentence(table: pd.DataFrame, group: str) -> str:
    """The frontier-to-median spread of the reference's own population (ChatGPT) if shown, else any tool."""
    frontier = table.loc[(table["metric"] == FRONTIER) & table["reference"].notna()]
    frontier = frontier.sort_values("tool", key=lambda tools: tools == "any")
    if frontier.empty:
        return f"No figure of {place(group)} can be placed against a reference in this run."
    row = frontier.iloc[0]
    user = "AI tool" if row["tool"] == "any" else tool_label(str(row["tool"]))
    publisher, _, title = str(row["source"]).partition(", ")
    return (
        f"{_possessive(group)} 95th-percentile {user} user sends {row['observed']:.1f}x the median user's "
        f"messages; {publisher} reports about {row['reference']:g}x "
        f"({title or publisher}, {row['source_date']})."
    )


def _possessive(group: str) -> str:
    if group == "ALL":
        return "The whole organisation's"
    return f"{group}'" if group.endswith("s") else f"{group}'s"
