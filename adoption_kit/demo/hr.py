"""What HR and finance export: the roster, the seats bought per tool and department, and tool user ids."""

from __future__ import annotations

import numpy as np
import pandas as pd

from adoption_kit.demo.organisation import DEPARTMENTS, NEVER, Calendar, Org
from adoption_kit.demo.usage import Plan, Seats

SEAT_POOL_COLUMNS = ["tool", "department", "seats_purchased", "monthly_price_usd", "start_date", "end_date"]


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
