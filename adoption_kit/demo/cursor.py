"""Cursor: a few engineering teams use it instead of Copilot, and a few more move to it from Copilot in the
last month; the Admin API's daily usage and the team's usage-events CSV export.

    cursor/daily-usage-<start>.json        POST /teams/daily-usage-data, one response per 30-day window:
                                           one row per seat holder per day (``isActive`` false when idle)
    cursor/usage-events-team-<YYYY-MM>.csv the dashboard's team usage export, one row per model request

Every request of a day is one usage event; the day's ``subscriptionIncludedReqs`` and ``usageBasedReqs``
count them (a seat includes 500 requests a calendar month, the rest are usage-based).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from adoption_kit.demo.files import json_list, json_records, write_quoted_csv, write_text
from adoption_kit.demo.identifiers import CROCKFORD, random_ids
from adoption_kit.demo.organisation import DEPT_INDEX, STR, Calendar, Org
from adoption_kit.demo.usage import Rollout, Seats, heavy_tail, seats_of, seconds_of_workday, tool_activity

ROLLOUT = Rollout("cursor", 40, {"Engineering": (0, 0.95)})
MOVE = Rollout("cursor", 40, {"Engineering": (5, 0.95)})  # the movers' seats, in the last month
TEAM_SHARE = 0.12  # of Engineering teams (at least two) work in Cursor instead of Copilot
MOVING_SHARE = 0.1  # of the other Engineering teams (at least two) leave Copilot for Cursor in the last month
INCLUDED_REQUESTS = 500  # per seat and calendar month
WINDOW_DAYS = 30  # the API's longest request
EVENTS_HEADER = [
    "Date", "User", "Kind", "Model", "Max Mode", "Input (w/ Cache Write)", "Input (w/o Cache Write)",
    "Cache Read", "Output Tokens", "Total Tokens", "Cost",
]  # fmt: skip
MODELS = np.array(
    ["auto", "claude-4.5-sonnet", "claude-4.5-sonnet-thinking", "gpt-5", "gpt-5-codex", "composer-1"]
)
_MODEL_TASTE = np.array([3.0, 2.0, 0.8, 1.0, 0.6, 1.2])
_CACHE_WRITE = np.array([True, True, True, False, False, False])  # which input column a model's calls fill
_USD_PER_MTOK = np.array([0.9, 3.0, 3.0, 1.25, 1.25, 1.25])  # blended price of a token, by model
_EXTENSIONS = np.array([".ts", ".tsx", ".py", ".go", ".java", ".kt", ".swift", ".rs"])
_EXTENSION_P = [0.25, 0.2, 0.2, 0.12, 0.08, 0.06, 0.05, 0.04]
_KINDS = ("chatRequests", "agentRequests", "composerRequests", "cmdkUsages")


@dataclass(frozen=True)
class CursorUse:
    """Cursor seats, days of use, and what the two exports are made of."""

    seats: Seats
    active: np.ndarray  # person x day
    user_id: np.ndarray  # Cursor's user id of each person
    days: pd.DataFrame  # one row per seat holder and day of the period, in the API's fields
    events: pd.DataFrame  # one row per request: person, day, millis, kind, model, tokens, cost


def teams(rng: np.random.Generator, org: Org) -> np.ndarray:
    """Who is in one of the engineering teams that work in Cursor (a boolean per person)."""
    engineering = np.unique(org.team[org.dept == DEPT_INDEX["Engineering"]])
    count = min(max(2, round(TEAM_SHARE * engineering.size)), engineering.size)
    return np.isin(org.team, rng.choice(engineering, size=count, replace=False))


def moving_teams(rng: np.random.Generator, org: Org, in_team: np.ndarray) -> np.ndarray:
    """Who is in one of the engineering teams that move from Copilot to Cursor (a boolean per person)."""
    others = np.unique(org.team[(org.dept == DEPT_INDEX["Engineering"]) & ~in_team])
    count = min(max(2, round(MOVING_SHARE * others.size)), others.size)
    return np.isin(org.team, rng.choice(others, size=count, replace=False))


def simulate(
    rng: np.random.Generator, org: Org, cal: Calendar, in_team: np.ndarray, movers: Seats
) -> CursorUse:
    """Seats for the Cursor teams (and ``movers``, the seats of those who move to it), their days of use,
    and each day's requests."""
    seats = seats_of(rng, org, cal, ROLLOUT, eligible=in_team).joined(movers)
    active = tool_activity(rng, org, seats, cal, idle_scale=0.5, adopt_days=3)
    user_id = np.strings.add("user_", random_ids(rng, org.dept.size, 26, CROCKFORD))
    person, day = seats.holders(org, cal)
    days = _daily_rows(rng, org, cal, person, day, active[person, day]).assign(
        userId=user_id[person], email=org.email[person]
    )
    events = _events(rng, org, days)
    days["mostUsedModel"] = _most_used_model(days, events)
    return CursorUse(seats, active, user_id, days, events)


def _daily_rows(
    rng: np.random.Generator, org: Org, cal: Calendar, person: np.ndarray, day: np.ndarray, active: np.ndarray
) -> pd.DataFrame:
    """The counters of every (seat holder, day): zeros when idle."""
    n, cells = org.dept.size, person.size
    requests = heavy_tail(rng, org, median=9, spread=0.8)[person]
    tab_rate = heavy_tail(rng, org, median=60, spread=0.6)[person]
    tab_accept = rng.beta(5, 4, n)[person]
    mix = rng.dirichlet([2.0, 3.0, 1.0, 1.5], n)[person]
    extension = rng.choice(_EXTENSIONS, size=n, p=_EXTENSION_P)[person]
    version_lag = rng.integers(0, 2, n)[person]

    def on(values: np.ndarray) -> np.ndarray:
        return np.where(active, values, 0).astype(np.int64)

    total = on(1 + rng.poisson(requests * rng.gamma(3, 1 / 3, cells)))
    kinds = rng.multinomial(total, mix)
    shown = on(rng.poisson(tab_rate * rng.gamma(3, 1 / 3, cells)))
    tabs = rng.binomial(shown, tab_accept)
    applies = rng.binomial(kinds[:, 0] + kinds[:, 1] + kinds[:, 2], 0.7)
    accepts = rng.binomial(applies, 0.85)
    rejects = rng.binomial(applies - accepts, 0.8)
    lines = on(rng.poisson(1.5 * tabs + 12 * accepts))
    deleted = rng.poisson(0.35 * lines)
    frame = pd.DataFrame({"person": person, "day_index": day, "month": cal.month_of(day)})
    used_before = frame.assign(total=total).groupby(["person", "month"])["total"].cumsum() - total
    included = np.clip(INCLUDED_REQUESTS - used_before.to_numpy(), 0, total)
    # Cursor 2.0 shipped in October 2025; people update within a month or two
    since = (np.datetime64(cal.first, "M") - np.datetime64("2025-10", "M")).astype(int)
    minor = np.maximum(since + frame["month"].to_numpy() - version_lag, 0).astype(STR)
    version = np.strings.add(np.strings.add(np.strings.add("2.", minor), "."), (person % 7).astype(STR))
    return frame.assign(
        date=cal.epoch_seconds(day) * 1000,
        day=cal.iso(day),
        userId="",
        isActive=active,
        totalLinesAdded=lines + on(rng.poisson(80, cells)),
        totalLinesDeleted=deleted + on(rng.poisson(30, cells)),
        acceptedLinesAdded=lines,
        acceptedLinesDeleted=deleted,
        totalApplies=applies,
        totalAccepts=accepts,
        totalRejects=rejects,
        totalTabsShown=shown,
        totalTabsAccepted=tabs,
        composerRequests=kinds[:, 2],
        chatRequests=kinds[:, 0],
        agentRequests=kinds[:, 1],
        cmdkUsages=kinds[:, 3],
        subscriptionIncludedReqs=included,
        apiKeyReqs=0,
        usageBasedReqs=total - included,
        bugbotUsages=on(rng.poisson(0.15, cells)),
        mostUsedModel=None,
        applyMostUsedExtension=np.where(active, extension, None),
        tabMostUsedExtension=np.where(active, extension, None),
        clientVersion=np.where(active, version.astype(object), None),
        email="",
        requests=total,
    )


def _events(rng: np.random.Generator, org: Org, days: pd.DataFrame) -> pd.DataFrame:
    """One row per request of every active day; those past the seat's monthly allowance are usage-based."""
    n = org.dept.size
    taste = rng.dirichlet(_MODEL_TASTE, n)
    row = np.repeat(np.arange(len(days)), days["requests"].to_numpy())
    person, day = days["person"].to_numpy()[row], days["day_index"].to_numpy()[row]
    millis = seconds_of_workday(rng, org, person) * 1000 + rng.integers(0, 1000, row.size)
    order = np.lexsort((millis, row))
    row, person, day, millis = row[order], person[order], day[order], millis[order]
    nth = np.arange(row.size) - np.searchsorted(row, row)  # rank of the request within its day
    model = (rng.random(row.size)[:, None] > np.cumsum(taste, axis=1)[person]).sum(axis=1)
    model = np.minimum(model, MODELS.size - 1)
    max_mode = rng.random(row.size) < 0.04
    scale = np.where(max_mode, 3.0, 1.0)
    fresh = np.rint(rng.lognormal(np.log(20_000), 0.8, row.size) * scale).astype(np.int64)
    cache_read = np.rint(rng.lognormal(np.log(200_000), 1.0, row.size) * scale).astype(np.int64)
    output = np.rint(rng.lognormal(np.log(2_500), 0.9, row.size)).astype(np.int64)
    write = np.where(_CACHE_WRITE[model], fresh, 0)
    total = fresh + cache_read + output
    cost = (fresh + 0.1 * cache_read + 4 * output) * _USD_PER_MTOK[model] / 1e6
    return pd.DataFrame(
        {
            "person": person,
            "day_index": day,
            "millis": millis,
            "included": nth < days["subscriptionIncludedReqs"].to_numpy()[row],
            "model": MODELS[model],
            "max_mode": max_mode,
            "with_cache_write": write,
            "without_cache_write": fresh - write,
            "cache_read": cache_read,
            "output": output,
            "total": total,
            "cost": cost,
        }
    )


def _most_used_model(days: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
    """The model of most of each day's requests (None on idle days)."""
    counts = events.groupby(["person", "day_index", "model"], sort=True).size().rename("n").reset_index()
    top = counts.sort_values("n", ascending=False, kind="stable").drop_duplicates(["person", "day_index"])
    merged = days[["person", "day_index"]].merge(top, on=["person", "day_index"], how="left")
    return merged["model"].astype(object).where(merged["model"].notna(), None).to_numpy()


def write(folder: Path, use: CursorUse, org: Org, cal: Calendar) -> None:
    """The daily-usage responses (30-day windows) and the monthly usage-events CSVs."""
    days = use.days.sort_values(["day_index", "email"], kind="stable")
    fields = ", ".join(
        f'"{c}" := "{c}"' for c in days.columns if c not in ("person", "day_index", "month", "requests")
    )
    records = json_records(days, fields)
    window = (days["day_index"].to_numpy() - cal.first_idx) // WINDOW_DAYS
    for w, start in enumerate(range(cal.first_idx, cal.last_idx + 1, WINDOW_DAYS)):
        end = min(start + WINDOW_DAYS, cal.last_idx + 1)
        period = (
            f'{{"startDate":{cal.epoch_seconds(start) * 1000},"endDate":{cal.epoch_seconds(end) * 1000}}}'
        )
        document = ['{"data":', json_list(records[window == w]), ',"period":', period, "}\n"]
        write_text(folder / f"daily-usage-{cal.iso(start)}.json", document)
    _write_events(folder, use.events, org, cal)


def _write_events(folder: Path, events: pd.DataFrame, org: Org, cal: Calendar) -> None:
    events = events.sort_values(["day_index", "millis"], ascending=False, kind="stable")
    day = events["day_index"].to_numpy()
    frame = pd.DataFrame(
        {
            "Date": cal.timestamps(day, events["millis"].to_numpy()),
            "User": org.email[events["person"].to_numpy()],
            "Kind": np.where(events["included"], "Included", "Usage-based"),
            "Model": events["model"].to_numpy(),
            "Max Mode": np.where(events["max_mode"], "Yes", "No"),
            "Input (w/ Cache Write)": events["with_cache_write"].to_numpy(),
            "Input (w/o Cache Write)": events["without_cache_write"].to_numpy(),
            "Cache Read": events["cache_read"].to_numpy(),
            "Output Tokens": events["output"].to_numpy(),
            "Total Tokens": events["total"].to_numpy(),
            "Cost": np.char.mod("%.2f", events["cost"].to_numpy()),
        }
    )[EVENTS_HEADER]
    month = cal.month_of(day)
    for m in np.unique(month).tolist():
        write_quoted_csv(folder / f"usage-events-team-{cal.month_label(m)}.csv", frame[month == m])
