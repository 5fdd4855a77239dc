"""What the AI tools cost and how their seats are used, as a report may show it.

Every figure comes from shown published numbers: a total, a share or a difference is worked out only where
all its parts are shown, and a hidden cell stays empty (NA), never 0.
"""

from __future__ import annotations

import pandas as pd

from adoption_kit.publish import PublishedRun
from adoption_kit.report import month_of, per_tool, place, threshold, visible

ALL_TOOLS = "all tools"
ORGANISATION_ONLY = (
    "Cost is published for the whole organisation only, not per department: see the organisation's report."
)
STATUSES = ("active", "demand")


def cost_per_tool(run: PublishedRun, *, min_group_size: int = 0) -> pd.DataFrame:
    """The organisation's cost per tool in the run's month (US dollars) with its monthly active people.

    Columns ``tool, seat_cost, usage_cost, cost, mau, cost_per_active_user``; a last row ``all tools`` adds
    up the shown tools' costs and divides by the "any tool" MAU only when every tool's cost is shown."""
    monthly = visible(run.table("monthly_active", group="ALL"), threshold(run, min_group_size))
    monthly = per_tool(monthly.loc[monthly["month"] == month_of(run)])
    tools = monthly.loc[monthly["tool"] != "any"]
    costs = pd.DataFrame(
        {
            "tool": tools["tool"],
            "seat_cost": _dollars(tools["seat_cost"]),
            "usage_cost": _dollars(tools["usage_cost"]),
            "cost": _dollars(tools["seat_cost"]) + _dollars(tools["usage_cost"]),
            "mau": tools["mau"].astype("Float64"),
            "cost_per_active_user": _dollars(tools["cost_per_active_user"]),
        }
    )
    any_mau = monthly.loc[monthly["tool"] == "any", "mau"].astype("Float64")
    mau = any_mau.iloc[0] if len(any_mau) else pd.NA
    complete = bool(costs["cost"].notna().all()) and len(costs) > 0 and pd.notna(mau)
    total = costs["cost"].sum(min_count=1)
    overall = {
        "tool": ALL_TOOLS,
        "seat_cost": costs["seat_cost"].sum(min_count=1),
        "usage_cost": costs["usage_cost"].sum(min_count=1),
        "cost": total,
        "mau": mau,
        "cost_per_active_user": total / mau if complete else pd.NA,
    }
    rows = pd.concat([costs, pd.DataFrame([overall])], ignore_index=True)
    return rows.astype({column: "Float64" for column in rows.columns if column != "tool"})


def cost_sentence(run: PublishedRun, *, min_group_size: int = 0) -> str:
    """One sentence on what the AI tools cost per active person in the run's month."""
    costs = cost_per_tool(run, min_group_size=min_group_size)
    month = month_of(run).strftime("%B %Y")
    overall = costs.loc[costs["tool"] == ALL_TOOLS].iloc[0]
    hidden = int(costs.loc[costs["tool"] != ALL_TOOLS, "cost"].isna().sum())
    if pd.notna(overall["cost_per_active_user"]):
        return (
            f"In {month} the AI tools cost ${overall['cost']:,.0f} for {overall['mau']:,.0f} active people: "
            f"${overall['cost_per_active_user']:,.0f} per active person."
        )
    if costs["cost"].notna().any():
        return (
            f"In {month} the AI tools whose cost is shown cost ${overall['cost']:,.0f}; {hidden} tool(s) "
            "have a hidden cost, so no cost per active person is given for all tools together."
        )
    return f"No cost figure is shown for {month}."


def seat_use(run: PublishedRun, group: str, *, min_group_size: int = 0) -> pd.DataFrame:
    """Seats per tool of ``group``: holders, active and idle seats, license efficiency and demand.

    Columns ``group, tool, seat_holders, active_seats, idle_seats, license_efficiency, demand`` (counts,
    the efficiency a share); idle seats and efficiency only where seat holders and active seats are shown."""
    minimum = threshold(run, min_group_size)
    return _seats(
        visible(run.table("activation", group=group), minimum),
        visible(run.table("seat_use", group=group), minimum),
    )


def seat_reallocation(run: PublishedRun, *, min_group_size: int = 0) -> pd.DataFrame:
    """Per tool, where idle seats could go, team to team, as the run published it (moves in whole steps of
    the minimum group size, first within a team, then to other teams' demand).

    Columns ``tool, from_team, to_team, seats_to_move``; empty when the run has no such table."""
    columns = ["tool", "from_team", "to_team", "seats_to_move"]
    if "seat_moves" not in run.tables:
        return pd.DataFrame(columns=columns)
    moves = visible(run.table("seat_moves"), threshold(run, min_group_size)).dropna(subset=["seats_to_move"])
    return moves[columns].reset_index(drop=True)


def seat_sentence(seats: pd.DataFrame, group: str) -> str:
    """One sentence on ``group``'s idle seats, from :func:`seat_use`'s shown rows."""
    shown = seats.dropna(subset=["idle_seats"])
    if shown.empty:
        return f"Too few shown numbers for {place(group)} to say how many seats are idle."
    return (
        f"Of {shown['seat_holders'].sum():,.0f} seats in {place(group)} whose use is shown, "
        f"{shown['idle_seats'].sum():,.0f} were not used in the last 30 days."
    )


def _seats(holders: pd.DataFrame, use: pd.DataFrame) -> pd.DataFrame:
    """Seat holders (from ``activation``) next to active seats and demand (from ``seat_use``), shown rows."""
    keys = ["group", "tool"]
    status = {
        s: use.loc[use["status"] == s, [*keys, "people"]].rename(columns={"people": s}) for s in STATUSES
    }
    seats = (
        holders[[*keys, "seat_holders"]]
        .merge(use[keys].drop_duplicates())  # the tools somebody holds a seat of: not "any"
        .merge(status["active"], how="left")
        .merge(status["demand"], how="left")
    )
    seat_holders, active = seats["seat_holders"].astype("Float64"), seats["active"].astype("Float64")
    return pd.DataFrame(
        {
            "group": seats["group"],
            "tool": seats["tool"],
            "seat_holders": seat_holders,
            "active_seats": active,
            "idle_seats": seat_holders - active,
            "license_efficiency": active / seat_holders,
            "demand": seats["demand"].astype("Float64"),
        }
    )


def _dollars(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("Float64")
