"""A small, realistic published run, for fast tests of plots, reports, the batch and the dashboard.

It has the tables of the published (viewer) tier for the organisation ("ALL") and four departments over the
six months up to ``period``: "Engineering", "Sales" (too few GitHub Copilot seats: those rows are
suppressed), "Finance & Legal" (a name that needs a slug) and "Executive Office" (too small: every row is
suppressed, numbers NA). It does not model complementary suppression; the real release gate does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

MIN_GROUP_SIZE = 5
SMALL_DEPARTMENT = "Executive Office"
# department: (headcount, ChatGPT Enterprise seats, GitHub Copilot seats, seats of any tool)
DEPARTMENTS = {
    "Engineering": (240, 200, 180, 230),
    "Sales": (120, 100, 3, 101),
    "Finance & Legal": (60, 50, 8, 52),
    SMALL_DEPARTMENT: (4, 4, 0, 4),
}
TOOLS = ("chatgpt_enterprise", "github_copilot", "any")
TABLES = (
    "headcount",
    "activation",
    "weekly_active",
    "monthly_active",
    "stages",
    "seat_use",
    "power_users",
    "tool_overlaps",
    "tool_moves",
    "benchmarks",
    "hourly_profile",
    "weekday_profile",
    "peak_headroom",
    "use_cases",
    "suppressions",
)
# team: (department, seat holders, active seats, people using the tool without a seat), ChatGPT Enterprise
TEAMS = {
    "Engineering / Platform": ("Engineering", 40, 28, 6),
    "Engineering / Data": ("Engineering", 30, 29, 9),
    "Sales / Field": ("Sales", 60, 45, 2),
}
MONTHLY_PRICE = {"chatgpt_enterprise": 60.0, "github_copilot": 19.0}  # US dollars per seat
USE_CASE_WEIGHTS = {"chatgpt_enterprise": (5, 1, 3, 2, 1), "github_copilot": (1, 8, 1, 1, 1)}
USE_CASES = ("writing", "coding", "research", "summarization", "data_analysis")
KEYS = {
    "group_by",
    "group",
    "tool",
    "week",
    "month",
    "stage",
    "status",
    "metric",
    "hour",
    "weekday",
    "category",
}


def write_published_fixture(root: Path, period: str = "2026-10", *, left_out: Sequence[str] = ()) -> Path:
    """Write a published run for ``period`` under ``root`` and return its folder (``root/period``);
    the tables named in ``left_out`` are not published (as in a run that does not compute them)."""
    rng = np.random.default_rng(20261001)
    weeks = pd.date_range(end=pd.Period(period, "M").end_time.normalize(), periods=26, freq="W-MON")
    seats = _seats()
    weekly = _weekly_active(seats, weeks, rng)
    activation = _activation(seats, weekly)
    tables = {
        "headcount": _headcount(),
        "activation": activation,
        "weekly_active": _with_volume(weekly, rng),
        "monthly_active": _monthly_active(weekly, seats),
        "stages": _stages(activation),
        "seat_use": _seat_use(activation),
        "power_users": _power_users(weekly, seats),
        "hourly_profile": _profile(seats, "hour", range(24)),
        "weekday_profile": _profile(seats, "weekday", range(1, 8)),
        "use_cases": _use_cases(seats, period),
    }
    tables = {name: _with_organisation(frame) for name, frame in tables.items()}
    tables |= {
        "headcount": _with_teams(tables["headcount"], _team_headcount()),
        "activation": _with_teams(_with_first_use(tables["activation"]), _team_activation()),
        "seat_use": _with_teams(tables["seat_use"], _team_seat_use()),
        "monthly_active": _with_cost_and_tools_used(tables["monthly_active"]),
        "weekly_active": _with_throttled(tables["weekly_active"]),
        "tool_overlaps": _overlaps(tables["monthly_active"]),
        "tool_moves": _moves(tables["monthly_active"]),
        "benchmarks": _benchmarks(tables["activation"]),
        "peak_headroom": _peak_headroom(tables["activation"], period),
    }
    tables = {name: _suppress(frame) for name, frame in tables.items() if name not in left_out}
    tables["suppressions"] = _suppressions(tables, period)
    return write_tables(root / period, tables, period)


def write_tables(folder: Path, tables: dict[str, pd.DataFrame], period: str = "2026-10") -> Path:
    """Write ``tables`` as the published run of ``period`` in ``folder`` and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    manifest = {
        "period": period,
        "min_group_size": MIN_GROUP_SIZE,
        "tables": list(tables),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def _seats() -> pd.DataFrame:
    frame = pd.DataFrame(DEPARTMENTS, index=["headcount", *TOOLS]).T.rename_axis("group").reset_index()
    return frame.melt(id_vars=["group", "headcount"], var_name="tool", value_name="seat_holders")


def _headcount() -> pd.DataFrame:
    return pd.DataFrame({"group": list(DEPARTMENTS), "people": [v[0] for v in DEPARTMENTS.values()]})


def _weekly_active(seats: pd.DataFrame, weeks: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    grid = seats.merge(pd.DataFrame({"week": weeks, "ramp": np.linspace(0.55, 1.0, len(weeks))}), how="cross")
    level = grid["tool"].map({"chatgpt_enterprise": 0.62, "github_copilot": 0.7, "any": 0.72})
    share = (level * grid["ramp"] + rng.normal(0, 0.03, len(grid))).clip(0, 1)
    grid["wau"] = np.round(grid["seat_holders"] * share).astype("int64")
    return grid[["group", "tool", "week", "wau"]].assign(people=grid["wau"])


def _activation(seats: pd.DataFrame, weekly: pd.DataFrame) -> pd.DataFrame:
    peak = weekly.groupby(["group", "tool"], as_index=False)["wau"].max()
    frame = seats.merge(peak, on=["group", "tool"])
    activated = np.minimum(frame["seat_holders"], np.round(frame["wau"] * 1.2)).astype("int64")
    return frame.assign(activated=activated, people=frame["seat_holders"])[
        ["group", "tool", "seat_holders", "activated", "people"]
    ]


def _with_first_use(activation: pd.DataFrame) -> pd.DataFrame:
    """Days from seat to first use: a median of 2 and a 75th percentile of 8 for the organisation, 3 and 10
    for each department."""
    organisation = activation["group"] == "ALL"
    return activation.assign(
        median_days_to_first_use=np.where(organisation, 2.0, 3.0),
        p75_days_to_first_use=np.where(organisation, 8.0, 10.0),
    )


def _peak_headroom(activation: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each tool's busiest day of the month in every group: the 13th for ChatGPT Enterprise (1.5x its
    95th-percentile day), the 20th for GitHub Copilot (2.5x)."""
    tools = activation.loc[(activation["tool"] != "any") & (activation["group_by"] != "team")]
    tools = tools.reset_index(drop=True)
    copilot = (tools["tool"] == "github_copilot").to_numpy()
    start = pd.Period(period, "M").start_time
    percentile = (tools["seat_holders"] * 20.0).to_numpy()
    ratio = np.where(copilot, 2.5, 1.5)
    return tools[["group_by", "group", "tool"]].assign(
        days=pd.Period(period, "M").days_in_month,
        peak_day=np.where(copilot, start + pd.Timedelta(days=19), start + pd.Timedelta(days=12)),
        peak_events=(percentile * ratio).round().astype("int64"),
        percentile_events=percentile,
        peak_to_percentile=ratio,
        reference_percentile=0.95,
        people=tools["seat_holders"].astype("int64"),
    )


def _monthly_active(weekly: pd.DataFrame, seats: pd.DataFrame) -> pd.DataFrame:
    monthly = (
        weekly.assign(month=weekly["week"].dt.to_period("M").dt.to_timestamp())
        .groupby(["group", "tool", "month"], as_index=False)
        .agg(mean_wau=("wau", "mean"), peak=("wau", "max"))
        .merge(seats[["group", "tool", "seat_holders"]], on=["group", "tool"])
    )
    mau = np.minimum(monthly["seat_holders"], np.round(monthly["peak"] * 1.3)).astype("int64")
    return monthly.assign(mau=mau, people=mau)[["group", "tool", "month", "mau", "mean_wau", "people"]]


def _with_volume(weekly: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    median = rng.lognormal(np.log(22), 0.15, len(weekly)).round(1)
    mean = (median * rng.uniform(1.3, 1.6, len(weekly))).round(1)
    return weekly.assign(
        events=np.round(weekly["wau"] * mean).astype("int64"),
        events_per_user_mean=mean,
        events_per_user_median=median,
        events_per_user_p90=(median * rng.uniform(2.6, 3.4, len(weekly))).round(1),
    )


def _stages(activation: pd.DataFrame) -> pd.DataFrame:
    """Access (seat holders), first use (activated), then 80% and 60% of the stage before."""
    repeat = np.round(activation["activated"] * 0.8).astype("int64")
    counts = {
        "access": activation["seat_holders"],
        "first_use": activation["activated"],
        "repeat_use": repeat,
        "deeper_adoption": np.round(repeat * 0.6).astype("int64"),
    }
    frames = [activation[["group", "tool"]].assign(stage=stage, people=n) for stage, n in counts.items()]
    return pd.concat(frames, ignore_index=True)


def _seat_use(activation: pd.DataFrame) -> pd.DataFrame:
    """Active seats (85% of the activated) and people using a tool without a seat (a tenth of the seats)."""
    active = activation[["group", "tool"]].assign(
        status="active", people=np.round(activation["activated"] * 0.85).astype("int64")
    )
    demand = active.assign(status="demand", people=(activation["seat_holders"] // 10).astype("int64"))
    both = pd.concat([active, demand], ignore_index=True)
    return both.loc[both["tool"] != "any"].reset_index(drop=True)


def _team_activation() -> pd.DataFrame:
    holders = [seats for _, seats, _, _ in TEAMS.values()]
    return pd.DataFrame(
        {"group": list(TEAMS), "tool": "chatgpt_enterprise", "seat_holders": holders, "people": holders}
    ).assign(activated=lambda frame: frame["seat_holders"])


def _team_headcount() -> pd.DataFrame:
    """Each team's seat holders and a few people more."""
    return pd.DataFrame({"group": list(TEAMS), "people": [seats + 4 for _, seats, _, _ in TEAMS.values()]})


def _team_seat_use() -> pd.DataFrame:
    teams = pd.DataFrame(TEAMS, index=["department", "seats", "active", "demand"]).T.rename_axis("group")
    rows = (
        teams[["active", "demand"]]
        .reset_index()
        .melt(id_vars="group", var_name="status", value_name="people")
    )
    return rows.assign(tool="chatgpt_enterprise", people=rows["people"].astype("int64"))


def _with_teams(frame: pd.DataFrame, teams: pd.DataFrame) -> pd.DataFrame:
    both = pd.concat([frame, teams.assign(group_by="team").reindex(columns=frame.columns)], ignore_index=True)
    return both.astype({column: frame[column].dtype for column in frame.columns})


def _power_users(weekly: pd.DataFrame, seats: pd.DataFrame) -> pd.DataFrame:
    """A sixth of each month's peak weekly active people are power users."""
    monthly = _monthly_active(weekly, seats)
    power_users = (monthly["mau"] // 6).astype("int64")
    return monthly[["group", "tool", "month"]].assign(power_users=power_users, people=power_users)


def _profile(seats: pd.DataFrame, slot: str, values: range) -> pd.DataFrame:
    """Events per slot: a working-hours (or working-days) bump over a low base, per tool and group."""
    grid = seats.loc[seats["tool"] != "any"].merge(pd.DataFrame({slot: list(values)}), how="cross")
    busy = grid[slot].between(9, 17) if slot == "hour" else grid[slot] <= 5
    events = (grid["seat_holders"] * np.where(busy, 4, 0.1)).round().astype("int64")
    people = (grid["seat_holders"] * np.where(busy, 0.5, 0.02)).round().astype("int64")
    return grid[["group", "tool", slot]].assign(events=events, people=people)


def _use_cases(seats: pd.DataFrame, period: str) -> pd.DataFrame:
    grid = seats.loc[seats["tool"] != "any"].merge(pd.DataFrame({"category": USE_CASES}), how="cross")
    weights = pd.DataFrame(USE_CASE_WEIGHTS, index=list(USE_CASES)).rename_axis("category").reset_index()
    grid = grid.merge(weights.melt(id_vars="category", var_name="tool", value_name="weight"))
    events = (grid["seat_holders"] * grid["weight"]).astype("int64")
    people = (grid["seat_holders"] * grid["weight"] / 10).round().astype("int64")
    month = pd.Period(period, "M").start_time
    return grid[["group", "tool", "category"]].assign(month=month, events=events, people=people)


def _benchmarks(activation: pd.DataFrame) -> pd.DataFrame:
    """The spread from the median to the 95th-percentile user, and messages per seat per week."""
    tools = activation.loc[activation["tool"].isin(["any", "chatgpt_enterprise"])]
    tools = tools[["group_by", "group", "tool", "seat_holders"]]
    frontier = tools.assign(metric="frontier_to_median_messages_per_worker", observed=4.1)
    per_seat = tools.assign(metric="messages_per_seat_per_week", observed=21.5)
    both = pd.concat([frontier, per_seat], ignore_index=True)
    return both.assign(people=both["seat_holders"]).drop(columns="seat_holders")


def _with_cost_and_tools_used(monthly: pd.DataFrame) -> pd.DataFrame:
    """The organisation's monthly rows with each tool's cost (seats at list price, $250.50 of Copilot usage)
    and mean daily active people, then its active people by number of tools used; the first month's
    GitHub Copilot usage cost is blanked by the gate (a cell, not the row)."""
    organisation = monthly["group"] == "ALL"
    seats = monthly["tool"].map(_seats().groupby("tool")["seat_holders"].sum())
    seat_cost = (seats * monthly["tool"].map(MONTHLY_PRICE)).where(organisation)
    usage_cost = pd.Series(np.where(monthly["tool"] == "github_copilot", 250.5, 0.0), index=monthly.index)
    usage_cost = usage_cost.where(seat_cost.notna())
    first = monthly["month"] == monthly["month"].min()
    usage_cost = usage_cost.mask(first & (monthly["tool"] == "github_copilot"))
    costs = monthly.assign(
        dau=(monthly["mean_wau"] * 0.45).round(1).where(organisation),
        seat_cost=seat_cost,
        usage_cost=usage_cost,
        cost_per_active_user=(seat_cost + usage_cost) / monthly["mau"],
    )
    anyone = costs.loc[organisation & (costs["tool"] == "any")]
    splits = {"tools_used:1": 0.5, "tools_used:2": 0.35}
    parts = [
        anyone.assign(tool=tool, mau=(anyone["mau"] * share).round().astype("int64"))
        for tool, share in splits.items()
    ]
    rest = anyone["mau"] - sum(part["mau"].to_numpy() for part in parts)
    parts.append(anyone.assign(tool="tools_used:3+", mau=rest))
    tools_used = pd.concat(parts, ignore_index=True)
    tools_used = tools_used.assign(people=tools_used["mau"], mean_wau=np.nan, dau=np.nan)
    return pd.concat([costs, tools_used], ignore_index=True).astype({"mau": "int64", "people": "int64"})


def _with_throttled(weekly: pd.DataFrame) -> pd.DataFrame:
    """GitHub Copilot reports its rate-limited requests: one in a hundred events."""
    copilot = weekly["tool"] == "github_copilot"
    return weekly.assign(throttled=(weekly["events"] // 100).where(copilot).astype("float64"))


def _overlaps(monthly: pd.DataFrame) -> pd.DataFrame:
    """People who used both tools: 60% of the smaller tool's monthly active people."""
    organisation = monthly.loc[monthly["group"] == "ALL"]
    mau = organisation.pivot(index="month", columns="tool", values="mau")
    both = np.round(mau[["chatgpt_enterprise", "github_copilot"]].min(axis=1) * 0.6).astype("int64")
    return pd.DataFrame(
        {"group_by": "organisation", "group": "ALL", "tool": "chatgpt_enterprise & github_copilot"}
        | {"month": mau.index, "people": both.to_numpy()}
    )


def _moves(monthly: pd.DataFrame) -> pd.DataFrame:
    """Six people a month move from ChatGPT Enterprise to GitHub Copilot, three the other way (hidden)."""
    months = np.sort(monthly["month"].unique())[1:]
    moves = [("chatgpt_enterprise -> github_copilot", 6), ("github_copilot -> chatgpt_enterprise", 3)]
    frames = [
        pd.DataFrame({"group_by": "organisation", "group": "ALL", "tool": tool, "month": months, "people": n})
        for tool, n in moves
    ]
    return pd.concat(frames, ignore_index=True)


def _with_organisation(frame: pd.DataFrame) -> pd.DataFrame:
    """Department rows plus the organisation's ("ALL"): counts add up, rates are recomputed."""
    keys = [c for c in frame.columns if c in KEYS - {"group_by", "group"}]
    counts = [c for c in frame.columns if c not in keys and pd.api.types.is_integer_dtype(frame[c])]
    if keys:
        organisation = frame.groupby(keys, as_index=False)[counts].sum()
    else:
        organisation = frame[counts].sum().to_frame().T
    if "mean_wau" in frame.columns:
        organisation = organisation.merge(frame.groupby(keys, as_index=False)["mean_wau"].sum(), on=keys)
    if "events_per_user_median" in frame.columns:
        share = frame.groupby(keys)["events_per_user_median"].median().to_numpy()
        organisation = organisation.assign(
            events_per_user_mean=organisation["events"] / organisation["wau"],
            events_per_user_median=share,
            events_per_user_p90=share * 3,
        )
    both = pd.concat([organisation.assign(group="ALL"), frame], ignore_index=True)[list(frame.columns)]
    both.insert(0, "group_by", np.where(both["group"] == "ALL", "organisation", "department"))
    return both.astype({"group_by": "str", "group": "str"})


def _suppress(frame: pd.DataFrame) -> pd.DataFrame:
    """Derived rates, then the gate: rows resting on fewer than MIN_GROUP_SIZE people lose their numbers."""
    if "activated" in frame.columns:
        frame = frame.assign(activation_rate=frame["activated"] / frame["seat_holders"])
    if "mau" in frame.columns:
        frame = frame.assign(stickiness=frame["mean_wau"] / frame["mau"])
    suppressed = (frame["people"] < MIN_GROUP_SIZE) | (frame["group"] == SMALL_DEPARTMENT)
    keys = KEYS
    numbers = {c: _number(frame[c]).mask(suppressed) for c in frame.columns if c not in keys}
    ordered = [c for c in frame.columns if c != "people"] + ["people"]
    return frame.assign(**numbers, suppressed=suppressed.to_numpy())[[*ordered, "suppressed"]]


def _number(values: pd.Series) -> pd.Series:
    """A published number column: nullable integers, floats, or dates as they are."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    return values.astype("Int64" if pd.api.types.is_integer_dtype(values) else "float64")


def _suppressions(tables: dict[str, pd.DataFrame], period: str) -> pd.DataFrame:
    rows = []
    for name, frame in tables.items():
        hidden = frame.loc[frame["suppressed"]]
        when = hidden.get("week", hidden.get("month"))
        rows.append(
            pd.DataFrame(
                {
                    "table": name,
                    "group_by": hidden["group_by"],
                    "group": hidden["group"],
                    "tool": hidden["tool"] if "tool" in hidden.columns else "",
                    "period": when.dt.strftime("%Y-%m-%d") if when is not None else period,
                    "reason": "primary",  # as the gate records a group under the minimum
                }
            )
        )
    return pd.concat(rows, ignore_index=True).astype("str")
