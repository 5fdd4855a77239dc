"""Microsoft 365 Copilot: licences for the business departments and the Graph usage reports (v1.0 CSV).

    m365/copilot-usage-user-detail-<Monday>.csv   getMicrosoft365CopilotUsageUserDetail(period='D7'),
                                                  snapshotted every Monday: one row per licensed user with
                                                  the last day of activity in each app (ever, up to the
                                                  refresh day)
    m365/copilot-user-count-summary-<Monday>.csv  getMicrosoft365CopilotUserCountSummary(period='D30') on
                                                  the last snapshot's day: enabled and active users per app

The tenant shows real user names (concealment turned off), so rows join the roster on the UPN.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from adoption_kit.demo.files import write_csv
from adoption_kit.demo.organisation import DEPT_INDEX, Calendar, Org
from adoption_kit.demo.usage import Rollout, Seats, seats_of, tool_activity

ROLLOUT = Rollout(
    "m365_copilot",
    30,
    {
        "Executive Office": (0, 1.0),
        "Sales": (1, 0.6),
        "Marketing": (2, 0.25),  # mostly on Google Workspace: only those who work with Sales in Office
        "Operations": (2, 0.5),
        "HR": (3, 0.5),
        "Finance": (4, 0.45),
        "Legal": (5, 0.4),
    },
)
DETAIL_PERIOD, SUMMARY_PERIOD = 7, 30
MONDAY = 1  # day indices count from a Sunday
# (summary label, detail column label, chance of use on an active day)
APPS = (
    ("Microsoft Teams", "Microsoft Teams Copilot", 0.55),
    ("Copilot Chat", "Copilot Chat", 0.6),
    ("Outlook", "Outlook Copilot", 0.35),
    ("Word", "Word Copilot", 0.3),
    ("Excel", "Excel Copilot", 0.12),
    ("PowerPoint", "PowerPoint Copilot", 0.1),
    ("OneNote", "OneNote Copilot", 0.04),
    ("Loop", "Loop Copilot", 0.02),
)
_TILT = {
    "Finance": ("Excel", 3.5),
    "Sales": ("PowerPoint", 2.5),
    "Marketing": ("PowerPoint", 2.5),
    "Legal": ("Word", 2.2),
}
DETAIL_HEADER = (  # noqa: SIM905 (the header exactly as the report writes it)
    "Report Refresh Date,User Principal Name,Display Name,Last Activity Date,"
    "Copilot Chat Last Activity Date,Microsoft Teams Copilot Last Activity Date,"
    "Word Copilot Last Activity Date,Excel Copilot Last Activity Date,PowerPoint Copilot Last Activity Date,"
    "Outlook Copilot Last Activity Date,OneNote Copilot Last Activity Date,Loop Copilot Last Activity Date,"
    "Report Period"
).split(",")
SUMMARY_APPS = (
    "Microsoft Teams",
    "Word",
    "PowerPoint",
    "Outlook",
    "Excel",
    "OneNote",
    "Loop",
    "Any App",
    "Copilot Chat",
)


@dataclass(frozen=True)
class M365Use:
    """Licences, days of use, and each person's last day of use of each app at each Monday snapshot."""

    seats: Seats
    active: np.ndarray  # person x day
    refreshes: np.ndarray  # day index of each snapshot (Mondays of the period)
    last_used: dict[str, np.ndarray]  # app (and "Any App") -> person x snapshot last day used, -1 if never


def simulate(rng: np.random.Generator, org: Org, cal: Calendar) -> M365Use:
    """Licences at staggered rollouts, days of use, and which apps each active day touched."""
    seats = seats_of(rng, org, cal, ROLLOUT, eligible=np.ones(org.dept.size, dtype=bool))
    active = tool_activity(rng, org, seats, cal, idle_scale=1.3, adopt_days=12)
    days = np.arange(cal.first_idx, cal.last_idx + 1)
    refreshes = days[days % 7 == MONDAY]
    person, day = np.nonzero(active)
    taste = _app_taste(rng, org)[person]
    uses = rng.random(taste.shape) < taste
    uses[~uses.any(axis=1), 1] = True  # an active day used something: Copilot Chat by default
    snapshot = np.searchsorted(refreshes, day)  # the first snapshot on or after the day
    kept = snapshot < refreshes.size
    last_used = {}
    for a, (app, *_) in enumerate(APPS):
        last_used[app] = _last_day(person, day, snapshot, kept & uses[:, a], org.dept.size, refreshes.size)
    last_used["Any App"] = _last_day(person, day, snapshot, kept, org.dept.size, refreshes.size)
    return M365Use(seats, active, refreshes, last_used)


def _app_taste(rng: np.random.Generator, org: Org) -> np.ndarray:
    """Person x app chance of using the app on an active day."""
    base = np.array([p for *_, p in APPS])
    tilt = np.ones((org.dept.size, base.size))
    names = [app for app, *_ in APPS]
    for dept, (app, factor) in _TILT.items():
        tilt[org.dept == DEPT_INDEX[dept], names.index(app)] = factor
    return np.clip(base * tilt * rng.lognormal(0, 0.5, tilt.shape), 0, 0.95)


def _last_day(
    person: np.ndarray, day: np.ndarray, snapshot: np.ndarray, used: np.ndarray, people: int, snapshots: int
) -> np.ndarray:
    """Person x snapshot: the last day of use on or before the snapshot's day (-1 if none)."""
    last = np.full((people, snapshots), -1, dtype=np.int64)
    np.maximum.at(last, (person[used], snapshot[used]), day[used])
    return np.maximum.accumulate(last, axis=1)


def write(folder: Path, use: M365Use, org: Org, cal: Calendar) -> None:
    """One user-detail CSV per Monday, and the user-count summary of the last Monday."""
    upn = org.roster["email"].to_numpy()
    by_upn = np.argsort(np.char.lower(upn.astype(str)), kind="stable")
    licensed = use.seats.accepted[by_upn, None] <= use.refreshes[None, :]
    licensed &= use.refreshes[None, :] <= org.leave[by_upn, None]
    for s, refresh in enumerate(use.refreshes.tolist()):
        rows = by_upn[licensed[:, s]]

        def date(app: str, rows: np.ndarray = rows, s: int = s) -> np.ndarray:
            last = use.last_used[app][rows, s]
            return np.where(last >= 0, cal.iso(np.maximum(last, 0)), "")

        frame = {
            "Report Refresh Date": cal.iso(refresh),
            "User Principal Name": upn[rows],
            "Display Name": org.roster["full_name"].to_numpy()[rows],
            "Last Activity Date": date("Any App"),
            **{f"{label} Last Activity Date": date(app) for app, label, _ in APPS},
            "Report Period": DETAIL_PERIOD,
        }
        write_csv(
            folder / f"copilot-usage-user-detail-{cal.iso(refresh)}.csv", pd.DataFrame(frame)[DETAIL_HEADER]
        )
    if use.refreshes.size:
        last = int(use.refreshes[-1])
        write_csv(
            folder / f"copilot-user-count-summary-{cal.iso(last)}.csv",
            _summary(use, by_upn[licensed[:, -1]], last, cal),
        )


def _summary(use: M365Use, rows: np.ndarray, refresh: int, cal: Calendar) -> pd.DataFrame:
    """Enabled (licensed) and active users (used in the last 30 days) per app on the refresh day."""
    summary = {"Report Refresh Date": [cal.iso(refresh)], "Report Period": [SUMMARY_PERIOD]}
    for app in SUMMARY_APPS:
        recent = use.last_used[app][rows, -1] > refresh - SUMMARY_PERIOD
        summary[f"{app} Enabled Users"] = [rows.size]
        summary[f"{app} Active Users"] = [int(recent.sum())]
    return pd.DataFrame(summary)
