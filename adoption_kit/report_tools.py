"""How people combine AI tools, who uses them most, and where the tools hold them back, as a report may
show it: every share is worked out only where its part and its whole are both shown (a hidden cell is NA).
"""

from __future__ import annotations

import pandas as pd

from adoption_kit.publish import PublishedRun
from adoption_kit.report import TOOLS_USED, month_of, per_tool, threshold, visible

PAIR = " & "
MOVE = " -> "


def tools_per_person(run: PublishedRun, *, min_group_size: int = 0) -> pd.DataFrame:
    """The organisation's active people of the run's month by how many AI tools they used.

    Columns ``tools`` ("1", "2", "3+"), ``people``, ``share`` (of the month's active people, any tool)."""
    monthly = _month(visible(run.table("monthly_active", group="ALL"), threshold(run, min_group_size)), run)
    counts = monthly.loc[monthly["tool"].str.startswith(TOOLS_USED)].sort_values("tool")
    people = counts["mau"].astype("Float64")
    return pd.DataFrame(
        {
            "tools": counts["tool"].str.removeprefix(TOOLS_USED),
            "people": people,
            "share": people / _mau(monthly).get("any", pd.NA),
        }
    ).reset_index(drop=True)


def tool_pairs(run: PublishedRun, *, min_group_size: int = 0) -> pd.DataFrame:
    """People who used both tools of a pair in the run's month, as a share of each tool's active people.

    Columns ``tool_a, tool_b, people, share_of_a, share_of_b``, most people first."""
    minimum = threshold(run, min_group_size)
    pairs = _month(visible(run.table("tool_overlaps", group="ALL"), minimum), run)
    mau = _mau(_month(visible(run.table("monthly_active", group="ALL"), minimum), run))
    tools = pairs["tool"].str.split(PAIR, n=1, expand=True, regex=False)
    people = pairs["people"].astype("Float64")
    frame = pd.DataFrame(
        {
            "tool_a": tools[0],
            "tool_b": tools[1],
            "people": people,
            "share_of_a": people / tools[0].map(mau).astype("Float64"),
            "share_of_b": people / tools[1].map(mau).astype("Float64"),
        }
    )
    return frame.sort_values("people", ascending=False, na_position="last").reset_index(drop=True)


def tool_moves(run: PublishedRun, *, min_group_size: int = 0) -> pd.DataFrame:
    """People who dropped one tool for another from last month to the run's month, shown moves only.

    Columns ``from_tool, to_tool, people``, most people first."""
    moves = _month(visible(run.table("tool_moves", group="ALL"), threshold(run, min_group_size)), run)
    moves = moves.loc[~moves["suppressed"]]
    tools = moves["tool"].str.split(MOVE, n=1, expand=True, regex=False).reindex(columns=[0, 1])
    frame = pd.DataFrame(
        {"from_tool": tools[0], "to_tool": tools[1], "people": moves["people"].astype("Float64")}
    )
    return frame.sort_values("people", ascending=False).reset_index(drop=True)


def power_user_share(run: PublishedRun, group: str, *, min_group_size: int = 0) -> pd.DataFrame:
    """Power users of ``group`` per tool and month, as a share of the month's active people of that tool.

    Columns ``tool, month, power_users, mau, share``."""
    minimum = threshold(run, min_group_size)
    power = visible(run.table("power_users", group=group), minimum)
    monthly = per_tool(visible(run.table("monthly_active", group=group), minimum))
    both = power[["tool", "month", "power_users"]].merge(
        monthly[["tool", "month", "mau"]], on=["tool", "month"], how="left"
    )
    power_users, mau = both["power_users"].astype("Float64"), both["mau"].astype("Float64")
    return both.assign(power_users=power_users, mau=mau, share=power_users / mau).sort_values(
        ["tool", "month"], ignore_index=True
    )


def throttled_share(run: PublishedRun, *, min_group_size: int = 0) -> pd.DataFrame:
    """The organisation's rate-limited requests per week, as a share of the tool's events, for the tools
    whose source reports them.

    Columns ``tool, week, throttled, events, share``."""
    weekly = visible(run.table("weekly_active", group="ALL"), threshold(run, min_group_size))
    reported = weekly["throttled"].notna().groupby(weekly["tool"]).transform("any")
    rows = weekly.loc[reported]
    throttled, events = _floats(rows["throttled"]), _floats(rows["events"])
    return pd.DataFrame(
        {
            "tool": rows["tool"],
            "week": rows["week"],
            "throttled": throttled,
            "events": events,
            "share": throttled / events,
        }
    ).sort_values(["tool", "week"], ignore_index=True)


def _month(frame: pd.DataFrame, run: PublishedRun) -> pd.DataFrame:
    return frame.loc[frame["month"] == month_of(run)]


def _mau(monthly: pd.DataFrame) -> pd.Series:
    """Each tool's shown monthly active people, by tool."""
    return monthly.set_index("tool")["mau"].astype("Float64")


def _floats(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("Float64")
