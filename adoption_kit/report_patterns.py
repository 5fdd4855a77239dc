"""When and for what AI is used, as a report may show it: each tool's events by hour of the day, by day of
the week and by use case, as shares of the events shown, and how far each tool's busiest day went beyond
a usual busy day.

Events are counted in each tool's own unit and the gate never adds them up across tools, so a total over
tools is a sum of the shown tools' events, and the note says which tools have hidden cells.
"""

from __future__ import annotations

import pandas as pd

from adoption_kit.plots import tool_label
from adoption_kit.publish import PublishedRun
from adoption_kit.report import Section, month_of, not_available, threshold, visible

ALL_SHOWN_TOOLS = "all shown tools"


def hourly_profile(run: PublishedRun, group: str, *, min_group_size: int = 0) -> Section:
    """Each tool's share of its shown events in each hour of the day (0..23 UTC): columns ``tool, hour,
    events, share``."""
    return _profile(run, group, "hourly_profile", "hour", min_group_size)


def weekday_profile(run: PublishedRun, group: str, *, min_group_size: int = 0) -> Section:
    """Each tool's share of its shown events on each day of the week (1 = Monday): columns ``tool,
    weekday, events, share``."""
    return _profile(run, group, "weekday_profile", "weekday", min_group_size)


def use_case_mix(run: PublishedRun, group: str, *, min_group_size: int = 0) -> Section:
    """Each tool's share of its shown events per use case in the run's month, and the same over the shown
    events of all tools (tool ``all shown tools``): columns ``tool, category, events, share``."""
    if "use_cases" not in run.tables:
        return not_available("use_cases")
    table = visible(run.table("use_cases", group=group), threshold(run, min_group_size))
    table = table.loc[table["month"] == month_of(run)]
    events = table[["tool", "category"]].assign(events=_floats(table["events"]))
    overall = events.groupby("category", as_index=False)["events"].sum(min_count=1)
    both = pd.concat([events, overall.assign(tool=ALL_SHOWN_TOOLS)], ignore_index=True)
    return Section(_shares(both, "category"), _hidden_note(events, "use cases"))


def peak_headroom(run: PublishedRun, group: str, *, min_group_size: int = 0) -> Section:
    """Each tool's busiest day of the run's month against its usual busy day (the reference percentile
    day): columns ``tool, peak_day, peak_events, percentile_events, peak_to_percentile``, biggest ratio
    first; the note names the tool whose peak stands out most."""
    if "peak_headroom" not in run.tables:
        return not_available("peak_headroom")
    table = visible(run.table("peak_headroom", group=group), threshold(run, min_group_size))
    shown = table.dropna(subset=["peak_to_percentile"]).sort_values("peak_to_percentile", ascending=False)
    columns = ["tool", "peak_day", "peak_events", "percentile_events", "peak_to_percentile"]
    if shown.empty:
        return Section(shown[columns], "No tool's busiest day is shown for this group.")
    top = shown.iloc[0]
    percentile = f"{float(top['reference_percentile']):.0%}".removesuffix("%")
    note = (
        f"{tool_label(top['tool'])}'s busiest day, {top['peak_day']:%A %d %B}, had "
        f"{top['peak_to_percentile']:.1f}x the events of a usual busy day (the {percentile}th-percentile "
        "day of the month): capacity and rate limits sized for usual days would be short by that much."
    )
    table = shown[columns].round({"percentile_events": 1, "peak_to_percentile": 2})
    return Section(table.reset_index(drop=True), note)


def _profile(run: PublishedRun, group: str, name: str, slot: str, min_group_size: int) -> Section:
    if name not in run.tables:
        return not_available(name)
    table = visible(run.table(name, group=group), threshold(run, min_group_size))
    events = table[["tool", slot]].assign(events=_floats(table["events"]))
    return Section(_shares(events, slot), _hidden_note(events, f"{slot}s"))


def _shares(events: pd.DataFrame, slot: str) -> pd.DataFrame:
    """``events`` with each row's share of its tool's shown events (NA where the cell is hidden)."""
    total = events.groupby("tool")["events"].transform("sum")
    share = (events["events"] / total.where(total > 0)).astype("Float64")
    return events.assign(share=share).sort_values(["tool", slot], ignore_index=True)


def _hidden_note(events: pd.DataFrame, slots: str) -> str:
    """Which tools have hidden cells, whose shares therefore count their shown cells only."""
    if events.empty:
        return "No figure is shown for this group."
    hidden = sorted(set(events.loc[events["events"].isna(), "tool"]))
    if not hidden:
        return f"Every tool's {slots} are shown."
    names = ", ".join(tool_label(tool) for tool in hidden)
    return f"Some {slots} are hidden for {names}: their shares count the shown ones only."


def _floats(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("Float64")
