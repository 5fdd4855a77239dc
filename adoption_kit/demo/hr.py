"""What HR, finance and IT export: the roster, the seats bought per tool and department, tool user ids,
and the service desk's open seat requests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from adoption_kit.demo.organisation import DEPARTMENTS, DEPT_INDEX, NEVER, Calendar, Org
from adoption_kit.demo.usage import Plan, Seats

SEAT_POOL_COLUMNS = ["tool", "department", "seats_purchased", "monthly_price_usd", "start_date", "end_date"]
WAITLIST_DEPARTMENTS = ("Sales", "Marketing")
WAITLIST_TEAMS = 3  # teams where most people without a seat ask for one
WAITLIST_MIN_UNSEATED = 8  # people without a seat a waiting team has at least
WAITLIST_SHARE = 0.75  # of them ask
WAITLIST_DAYS = 60  # the requests are made in the period's last days


def seat_pools(org: Org, cal: Calendar, bought: list[tuple[Plan, Seats]]) -> pd.DataFrame:
    """Seats bought per tool and department: what was assigned plus some slack, rounded up to fives."""
    rows = []
    for plan, seats in bought:
        assigned = np.bincount(org.dept[seats.invited < NEVER], minlength=len(DEPARTMENTS))
        for i, (d, month) in enumerate(zip(DEPARTMENTS, plan.months, strict=True)):
            if month is None:
                continue
            slack = 0.3 if d.name in ("Finance", "Legal") else 0.04 + 0.02 * (i % 5)
            count = max(int(np.ceil(assigned[i] * (1 + slack) / 5) * 5), 5)
            start = cal.iso(int(cal.month_starts[month * cal.schedule_months // 6]))
            rows.append((plan.tool, d.name, count, plan.price_usd, str(start), ""))
    return pd.DataFrame(rows, columns=SEAT_POOL_COLUMNS)


def identity_map(org: Org, cursor_user_id: np.ndarray, cursor_seats: Seats) -> pd.DataFrame:
    """Tool user ids that are not emails, linked to the roster email: each Cursor seat holder's user id."""
    holders = np.flatnonzero(cursor_seats.accepted < NEVER)
    holders = holders[np.argsort(org.email[holders], kind="stable")]
    return pd.DataFrame(
        {"kind": "cursor_user_id", "identifier": cursor_user_id[holders], "email": org.email[holders]}
    )


def seat_requests(rng: np.random.Generator, org: Org, cal: Calendar, seats: Seats, tool: str) -> pd.DataFrame:
    """Open requests for seats of ``tool``: in a few Sales and Marketing teams, most of the people still
    employed without a seat ask for one in the period's last two months (the waitlist that idle seats
    elsewhere could serve). Columns ``email, tool, requested_on, closed_on`` (empty: still open)."""
    departments = [DEPT_INDEX[name] for name in WAITLIST_DEPARTMENTS]
    unseated = (seats.invited == NEVER) & (org.leave == NEVER) & np.isin(org.dept, departments)
    per_team = np.bincount(org.team[unseated], minlength=org.team_names.size)
    teams = np.flatnonzero(per_team >= WAITLIST_MIN_UNSEATED)
    waiting = rng.choice(teams, size=min(WAITLIST_TEAMS, teams.size), replace=False)
    asking = np.flatnonzero(
        unseated & np.isin(org.team, waiting) & (rng.random(org.dept.size) < WAITLIST_SHARE)
    )
    day = rng.integers(cal.last_idx - WAITLIST_DAYS + 1, cal.last_idx + 1, size=asking.size)
    day = np.maximum(day, org.hire[asking])
    return pd.DataFrame(
        {"email": org.email[asking], "tool": tool, "requested_on": cal.iso(day), "closed_on": ""}
    )
