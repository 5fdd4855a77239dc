"""The monthly review, as a report may tell it: what moved since last month, what the month taught, and
what to do next month, each worked out from the numbers the gate shows (a hidden cell is never a zero).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from adoption_kit import metrics, report, report_costs
from adoption_kit.plots import tool_label
from adoption_kit.publish import GROUP_SEPARATOR, ORGANISATION, PublishedRun
from adoption_kit.report import TREND_CONFIDENCE, month_of, place, threshold, visible

MOVED_COLUMNS = ["what", "previous", "current", "change", "change_low", "change_high", "news"]
IDLE_SHARE_TO_ACT = 0.2  # idle seats above this share of a tool's seats call for a reclaim
ADVICE = {  # the bottleneck stage -> what helps people take that step
    "first_use": "run a first-week onboarding (a live session and three starter tasks) for people with "
    "access who have not tried it",
    "repeat_use": "share the use cases that stuck elsewhere (the use-case mix shows them) and give people a "
    "reason to come back weekly",
    "deeper_adoption": "pair power users with regular users and teach the surfaces people have not found yet",
}


def what_moved(run: PublishedRun, group: str, *, min_group_size: int = 0) -> pd.DataFrame:
    """``group``'s people counts of the run's month against the month before, largest change first: the
    monthly active people and power users of each tool, and the monthly active people of any AI tool of
    each part of the group (for the organisation, the groups of the run's grouping; for a department, its
    teams). ``news`` is True where the band (``TREND_CONFIDENCE``, Poisson) leaves out zero; counts hidden
    in either month are left out. Columns ``what, previous, current, change, change_low, change_high,
    news``."""
    minimum = threshold(run, min_group_size)
    counts = pd.concat(
        [
            _counts(_shown(run.table("monthly_active", group=group), minimum), "mau", "Monthly active"),
            _counts(_shown(run.table("power_users", group=group), minimum), "power_users", "Power users"),
            _part_counts(run, group, minimum),
        ],
        ignore_index=True,
    )
    if counts.empty:
        return pd.DataFrame(columns=MOVED_COLUMNS)
    moved = metrics.month_over_month(
        counts, by=None, month=month_of(run).date(), confidence=TREND_CONFIDENCE
    ).rename(columns={"metric": "what"})
    news = (moved["change_low"] > 0) | (moved["change_high"] < 0)
    moved = moved.assign(news=news, size=moved["change"].abs())
    moved = moved.sort_values(["size", "what"], ascending=[False, True], kind="stable")
    return moved[MOVED_COLUMNS].reset_index(drop=True)


def lessons(run: PublishedRun, group: str, *, min_group_size: int = 0) -> list[str]:
    """What the month says about ``group``, one sentence each: where it stands, its weekly trend, where
    adoption stalls, and the changes too large to be chance."""
    sentences = [
        report.headline(run, group, min_group_size=min_group_size),
        report.weekly_trend(run, group, min_group_size=min_group_size),
        report.bottleneck(run, group, min_group_size=min_group_size),
    ]
    news = what_moved(run, group, min_group_size=min_group_size)
    news = news.loc[news["news"]]
    if news.empty:
        sentences.append("No monthly change was larger than chance alone would make.")
    for row in news.head(3).itertuples():
        direction = "rose" if row.change > 0 else "fell"
        sentences.append(
            f"{row.what} {direction} from {row.previous:,.0f} to {row.current:,.0f} "
            f"({row.change:+,.0f}; {TREND_CONFIDENCE:.0%} band {row.change_low:+,.0f} to "
            f"{row.change_high:+,.0f})."
        )
    return sentences


def next_steps(run: PublishedRun, group: str, *, min_group_size: int = 0) -> list[str]:
    """What to do next month in ``group``, from the shown numbers: help at the stage where adoption stalls,
    reclaim idle seats where many sit unused, move seats to the teams waiting for them."""
    minimum = threshold(run, min_group_size)
    steps = []
    stall = report.worst_step(run, group, min_group_size=minimum)
    if stall is not None:
        steps.append(f"Where adoption stalls in {place(group)}, {ADVICE[str(stall['stage'])]}.")
    seats = report_costs.seat_use(run, group, min_group_size=minimum).dropna(subset=["idle_seats"])
    idle_share = seats["idle_seats"] / seats["seat_holders"]
    for row in seats.loc[idle_share > IDLE_SHARE_TO_ACT].itertuples():
        steps.append(
            f"Ask the holders of the {row.idle_seats:,.0f} idle {tool_label(row.tool)} seats (of "
            f"{row.seat_holders:,.0f}) whether they need them, and reclaim those that are not wanted."
        )
    if group == ORGANISATION:
        moves = report_costs.seat_reallocation(run, min_group_size=minimum)
        for row in moves.itertuples():
            steps.append(
                f"Move {row.seats_to_move:,.0f} {tool_label(row.tool)} seats from {row.from_team} to "
                f"{row.to_team}, where people wait for one."
            )
    if not steps:
        steps.append(f"Nothing in {place(group)}'s shown numbers calls for a change: keep the course.")
    return steps


def _shown(frame: pd.DataFrame, minimum: int) -> pd.DataFrame:
    rows = visible(frame, minimum)
    return report.per_tool(rows.loc[~rows["suppressed"]])


def _counts(rows: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    """Tidy counts for :func:`adoption_kit.metrics.month_over_month`, one metric per tool."""
    names = rows["tool"].map(lambda tool: f"{label}: {tool_label(tool)}")
    return _tidy(rows, column, names)


def _part_counts(run: PublishedRun, group: str, minimum: int) -> pd.DataFrame:
    """Monthly active people of any AI tool of each group of the run's grouping (for the organisation) or
    each team of a department."""
    monthly = visible(run.table("monthly_active"), minimum)
    level = run.by if group == ORGANISATION else "team" if run.by == "department" else None
    parts = monthly.loc[(monthly["group_by"] == level) & (monthly["tool"] == "any") & ~monthly["suppressed"]]
    if group != ORGANISATION:
        parts = parts.loc[parts["group"].str.startswith(group + GROUP_SEPARATOR)]
    return _tidy(parts, "mau", "Monthly active: " + parts["group"])


def _tidy(rows: pd.DataFrame, column: str, names: pd.Series) -> pd.DataFrame:
    values = rows[column].astype("float64")
    return pd.DataFrame(
        {
            "month": pd.to_datetime(rows["month"]),
            "metric": names,
            "count": values,
            "base": np.nan,
            "people": values,
        }
    )
