"""Event-level rows to the canonical ``activity_hours`` table: events per person, tool, UTC day and hour.

Readers that see each event's time emit these rows next to ``activity`` from the same events, so a
person's hours on a tool and day sum to that day's events.
"""

from __future__ import annotations

import pandas as pd

HOUR_KEYS = ["identity", "tool", "day", "hour"]


def clock(moments: pd.Series) -> dict[str, pd.Series]:
    """The UTC day (midnight, datetime64[s]) and hour (0..23) of times in UTC without a time zone."""
    return {"day": moments.dt.normalize().astype("datetime64[s]"), "hour": moments.dt.hour.astype("int8")}


def per_hour(events: pd.DataFrame) -> pd.DataFrame:
    """One row per identity, tool, day and hour from one row per event (with ``HOUR_KEYS`` columns).

    ``events`` counts the rows; when the events carry a ``throttled`` flag (0 or 1), ``throttled`` sums it.
    """
    groups = events.groupby(HOUR_KEYS)
    hours = groups.size().rename("events").to_frame()
    if "throttled" in events:
        hours = hours.assign(throttled=groups["throttled"].sum(min_count=1).astype("Int64"))
    return hours.reset_index().astype({"events": "int64"})
