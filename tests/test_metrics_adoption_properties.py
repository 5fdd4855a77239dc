"""Invariants of the adoption counts on random organisations (hypothesis): WAU <= MAU <= seat holders,
stickiness in [0, 1], activation a share."""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from adoption_kit.metrics import monthly_active_users, seat_activation, weekly_active_users

AS_OF = date(2026, 4, 30)
PEOPLE = pd.DataFrame(
    {
        "person_id": [f"p{i}" for i in range(8)],
        "department": ["A", "A", "A", "B", "B", "B", "C", "C"],
        "employed_from": pd.NaT,
        "employed_to": pd.NaT,
    }
)
TOOLS = ("chatgpt_enterprise", "github_copilot", "m365_copilot")
_seats = st.lists(
    st.tuples(st.sampled_from(PEOPLE["person_id"].tolist()), st.sampled_from(TOOLS)), max_size=20
)
_use = st.lists(
    st.tuples(st.integers(0, 19), st.dates(date(2026, 1, 1), AS_OF), st.sampled_from(["day", "day", "week"])),
    max_size=40,
)


def _frames(
    held: list[tuple[str, str]], use: list[tuple[int, date, str]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seats held from before the period on, and use by seat holders only (each use picks a seat)."""
    seats = pd.DataFrame(sorted(set(held)), columns=["person_id", "tool"]).assign(
        assigned_on=pd.Timestamp("2025-12-01"), removed_on=pd.NaT
    )
    picks = [(pick % len(seats), day, grain) for pick, day, grain in use] if len(seats) else []
    rows = [(*seats.iloc[pick][["person_id", "tool"]], day, grain) for pick, day, grain in picks]
    activity = pd.DataFrame(rows, columns=["person_id", "tool", "day", "grain"])
    return seats, activity.assign(day=pd.to_datetime(activity["day"]), events=1)


@settings(max_examples=40, deadline=None)
@given(held=_seats, use=_use)
def test_when_use_is_random_then_wau_never_exceeds_mau_and_mau_never_exceeds_seat_holders(held, use):
    seats, activity = _frames(held, use)
    weekly = weekly_active_users(activity, PEOPLE, by="department", until=AS_OF)
    monthly = monthly_active_users(activity, PEOPLE, by="department", until=AS_OF)
    if monthly.empty:
        return
    inside = weekly.loc[
        weekly["week"].dt.to_period("M") == (weekly["week"] + pd.Timedelta(days=6)).dt.to_period("M")
    ]
    inside = inside.assign(month=inside["week"].dt.to_period("M").dt.start_time)
    paired = inside.merge(monthly, on=["department", "tool", "month"])
    assert (paired["wau"] <= paired["mau"]).all()  # a week inside a month: its people are the month's
    holders = seat_activation(seats, activity, PEOPLE, by="department", as_of=AS_OF)
    last = monthly.loc[monthly["month"] == monthly["month"].max()].merge(holders, on=["department", "tool"])
    assert (last["mau"] <= last["seat_holders"]).all()
    assert monthly["stickiness"].dropna().between(0, 1).all()
    assert holders["activation_rate"].between(0, 1).all()
