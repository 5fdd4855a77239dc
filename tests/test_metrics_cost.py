"""Cost per active user, license efficiency, idle seats and reallocation on a tiny organisation.

Alpha: a1, a2, a3; Beta: b1, b2. The month is March 2026 (31 days), ``as_of`` 2026-03-31, so with the
default 30 idle days a seat is active when its holder used the tool on 2026-03-02..2026-03-31.

ChatGPT seats cost 31 a month each, so a day held costs 1: a1 and b1 hold all month (31 + 31), a2 from
03-16 (16 days: 16), b2 until 03-11 (10 days: 10): 88. Alpha's ChatGPT pool is ignored (the seats are
priced). Copilot seats carry no price, so its pools are costed: Alpha 5 x 31 all month (155), Beta 2 x 31
from 03-17 (15 days: 30) and 1 x 31 through 03-16 (16 days: 16): 201. The OpenAI API has no seats, only
usage cost: 12.5 + 7.5 in March (April's 100 is out).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from adoption_kit.errors import ConfigError
from adoption_kit.metrics.cost import (
    SeatRule,
    allocate_idle_seats,
    cost_per_active_user,
    seat_reallocation,
    seat_use,
)

MARCH = date(2026, 3, 1)
AS_OF = date(2026, 3, 31)


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    return frame.assign(**{c: pd.to_datetime(frame[c]).astype("datetime64[s]") for c in columns})


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {"person_id": ["a1", "a2", "a3", "b1", "b2"], "department": ["Alpha"] * 3 + ["Beta"] * 2}
    )


@pytest.fixture
def seats() -> pd.DataFrame:
    rows = [
        ("a1", "chatgpt_enterprise", "2026-01-01", None, 31.0),
        ("a2", "chatgpt_enterprise", "2026-03-16", None, 31.0),
        ("b1", "chatgpt_enterprise", "2026-01-01", None, 31.0),
        ("b2", "chatgpt_enterprise", "2026-01-01", "2026-03-11", 31.0),  # removed before as_of
        ("a1", "github_copilot", "2026-01-01", None, None),
        ("b1", "github_copilot", "2026-01-01", None, None),
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "assigned_on", "removed_on", "monthly_cost"])
    return _dates(frame, "assigned_on", "removed_on")


@pytest.fixture
def seat_pools() -> pd.DataFrame:
    rows = [
        ("chatgpt_enterprise", "Alpha", 10, 31.0, "2026-01-01", None),  # ignored: the seats carry prices
        ("github_copilot", "Alpha", 5, 31.0, "2026-01-01", None),
        ("github_copilot", "Beta", 2, 31.0, "2026-03-17", None),
        ("github_copilot", "Beta", 1, 31.0, "2026-01-01", "2026-03-16"),
        ("github_copilot", "Beta", 9, 31.0, "2026-04-01", None),  # starts after March
    ]
    columns = ["tool", "department", "purchased", "unit_cost", "valid_from", "valid_to"]
    return _dates(pd.DataFrame(rows, columns=columns), "valid_from", "valid_to")


@pytest.fixture
def activity() -> pd.DataFrame:
    rows = [
        ("a1", "chatgpt_enterprise", "2026-03-01", "week", 10, None),  # March, but 30 days before as_of
        ("a2", "chatgpt_enterprise", "2026-03-20", "day", 3, None),
        ("b2", "chatgpt_enterprise", "2026-03-29", "week", 4, None),  # no seat on as_of: demand
        ("b2", "chatgpt_enterprise", "2026-02-28", "day", 4, None),  # February
        ("a1", "github_copilot", "2026-03-03", "day", 5, None),
        ("a2", "github_copilot", "2026-03-12", "day", 1, None),  # no seat: demand
        ("a3", "github_copilot", "2026-03-10", "day", 2, None),  # no seat: demand
        ("a3", "openai_api", "2026-03-05", "day", 8, 12.5),
        ("b2", "openai_api", "2026-03-20", "day", 6, 7.5),
        ("a3", "openai_api", "2026-04-02", "day", 50, 100.0),  # April
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "day", "grain", "events", "cost_usd"])
    return _dates(frame, "day")


def test_when_costing_a_month_then_seats_are_prorated_and_divided_by_its_active_people(
    seats, seat_pools, activity, people
):
    # MAU: ChatGPT a1, a2 (b2's March row is dated 03-29: also March) -> a1, a2, b2 = 3;
    # Copilot a1, a2, a3 = 3; API a3, b2 = 2; any a1, a2, a3, b2 = 4.
    expected = pd.DataFrame(
        {
            "tool": ["any", "chatgpt_enterprise", "github_copilot", "openai_api"],
            "month": pd.to_datetime(["2026-03-01"] * 4),
            "seat_cost": [289.0, 88.0, 201.0, 0.0],
            "usage_cost": [20.0, 0.0, 0.0, 20.0],
            "cost": [309.0, 88.0, 201.0, 20.0],
            "people": [4, 3, 3, 2],
            "cost_per_active_user": [77.25, 88 / 3, 67.0, 10.0],
        }
    )
    result = cost_per_active_user(seats, seat_pools, activity, people, first_month=MARCH)
    assert_frame_equal(result.drop(columns="top_usage_share"), expected, check_dtype=False)


def test_when_a_month_has_no_activity_then_cost_per_active_user_is_empty(seats, seat_pools, activity, people):
    # May: ChatGPT seats a1, a2, b1 held all month (3 x 31); Copilot pools 5 + 2 + 9 seats x 31.
    result = cost_per_active_user(seats, seat_pools, activity, people, first_month=date(2026, 5, 1))
    result = result.set_index("tool")
    assert result.loc["chatgpt_enterprise", "seat_cost"] == pytest.approx(93.0)
    assert result.loc["github_copilot", "seat_cost"] == pytest.approx(496.0)
    assert result["people"].eq(0).all()
    assert result["cost_per_active_user"].isna().all()


def test_when_seats_go_unused_for_30_days_then_they_are_idle_and_lower_license_efficiency(
    seats, activity, people
):
    # ChatGPT: Alpha holds a1 (last use 03-01: idle) and a2 (active); Beta holds b1 (idle), b2 uses it
    # without a seat. Copilot: Alpha's a1 active, a2 and a3 use it without a seat; Beta's b1 idle.
    # The API has no seats and is left out.
    expected = pd.DataFrame(
        {
            "department": ["Alpha", "Alpha", "Beta", "Beta"],
            "tool": ["chatgpt_enterprise", "github_copilot"] * 2,
            "seats": [2, 1, 1, 1],
            "active_seats": [1, 1, 0, 0],
            "idle_seats": [1, 0, 1, 1],
            "license_efficiency": [0.5, 1.0, 0.0, 0.0],
            "demand": [0, 2, 1, 0],
            "waitlisted": [0, 0, 0, 0],
            "people": [2, 3, 2, 1],
        }
    )
    result = seat_use(seats, activity, people, by="department", as_of=AS_OF)
    assert_frame_equal(result, expected, check_dtype=False)


def test_when_people_wait_on_seat_requests_then_open_ones_without_a_seat_are_demand(seats, activity, people):
    # Copilot on 03-31: a3 waits (open) and also uses it without a seat: one demand, not two; b2 waits
    # (open); a2's request closed on 03-20; a1 holds a seat, so its open request is no demand; b1's request
    # is made after as_of. Alpha: demand a2 (use) + a3 = 2, waitlisted a3 = 1; Beta: demand b2 = 1.
    rows = [
        ("a3", "github_copilot", "2026-03-02", None),
        ("b2", "github_copilot", "2026-02-10", None),
        ("a2", "github_copilot", "2026-03-01", "2026-03-20"),
        ("a1", "github_copilot", "2026-03-05", None),
        ("b1", "github_copilot", "2026-04-02", None),
    ]
    requests = _dates(
        pd.DataFrame(rows, columns=["person_id", "tool", "requested_on", "closed_on"]),
        "requested_on",
        "closed_on",
    )
    result = seat_use(seats, activity, people, requests=requests, by="department", as_of=AS_OF)
    copilot = result.loc[result["tool"] == "github_copilot"].set_index("department")
    assert copilot["demand"].to_dict() == {"Alpha": 2, "Beta": 1}
    assert copilot["waitlisted"].to_dict() == {"Alpha": 1, "Beta": 1}
    assert copilot["people"].to_dict() == {"Alpha": 3, "Beta": 2}  # b1's seat and b2's wait


def test_when_the_idle_window_is_longer_then_an_older_use_keeps_the_seat_active(seats, activity, people):
    result = seat_use(seats, activity, people, by=None, as_of=AS_OF, rule=SeatRule(idle_days=31))
    chatgpt = result.set_index("tool").loc["chatgpt_enterprise"]
    assert (chatgpt["seats"], chatgpt["active_seats"], chatgpt["idle_seats"]) == (
        3,
        2,
        1,
    )  # a1's 03-01 counts


def test_when_groups_have_idle_seats_and_demand_then_seats_move_first_within_then_across(
    seats, activity, people
):
    # ChatGPT: Beta's idle seat (b1) goes to Beta's own demand (b2); Alpha's idle seat has no taker.
    # Copilot: Beta's idle seat goes to Alpha, which has demand 2.
    expected = pd.DataFrame(
        {
            "tool": ["chatgpt_enterprise", "github_copilot"],
            "from_department": ["Beta", "Beta"],
            "to_department": ["Beta", "Alpha"],
            "seats_to_move": [1, 1],
            "idle_seats": [1, 1],
            "demand": [1, 2],
            "people": [1, 1],
        }
    )
    result = seat_reallocation(seats, activity, people, by="department", as_of=AS_OF)
    assert_frame_equal(result, expected, check_dtype=False)


def test_when_several_groups_give_and_take_then_moves_fill_in_group_order():
    # Copilot in teams: T1 has 2 idle seats, T2 1; T3 wants 2, T4 wants 2. T1 fills T3 (2), T2 gives T4 1.
    holders = [f"s{i}" for i in range(3)]
    users = [f"u{i}" for i in range(4)]
    people = pd.DataFrame(
        {"person_id": holders + users, "department": "D", "team": ["T1", "T1", "T2", "T3", "T3", "T4", "T4"]}
    )
    seats = _dates(
        pd.DataFrame(
            {"person_id": holders, "tool": "github_copilot", "assigned_on": "2026-01-01", "removed_on": None}
        ),
        "assigned_on",
        "removed_on",
    )
    activity = _dates(
        pd.DataFrame({"person_id": users, "tool": "github_copilot", "day": "2026-03-20"}), "day"
    )
    result = seat_reallocation(seats, activity, people, by="team", as_of=AS_OF)
    assert result[["from_team", "to_team", "seats_to_move"]].values.tolist() == [
        ["T1", "T3", 2],
        ["T2", "T4", 1],
    ]


_person = st.integers(min_value=0, max_value=7).map(lambda i: f"p{i}")
_tool = st.sampled_from(["chatgpt_enterprise", "github_copilot"])
_day = st.integers(min_value=0, max_value=60).map(lambda d: pd.Timestamp("2026-02-01") + pd.Timedelta(days=d))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    held=st.lists(st.tuples(_person, _tool), max_size=10, unique=True),
    used=st.lists(st.tuples(_person, _tool, _day), max_size=15),
)
def test_when_seats_and_use_are_random_then_efficiency_idle_and_moves_stay_within_bounds(held, used):
    people = pd.DataFrame({"person_id": [f"p{i}" for i in range(8)], "department": list("AABBCCDD")})
    seats = pd.DataFrame(held, columns=["person_id", "tool"]).assign(
        assigned_on=pd.Timestamp("2026-01-01"), removed_on=pd.NaT
    )
    activity = pd.DataFrame(used, columns=["person_id", "tool", "day"]).astype({"day": "datetime64[s]"})
    use = seat_use(seats, activity, people, by="department", as_of=AS_OF)
    assert use["license_efficiency"].dropna().between(0, 1).all()
    assert (use["idle_seats"] <= use["seats"]).all()
    moves = seat_reallocation(seats, activity, people, by="department", as_of=AS_OF)
    assert (moves["seats_to_move"] <= moves["idle_seats"]).all()
    assert (moves["seats_to_move"] <= moves["demand"]).all()
    given_away = moves.groupby(["tool", "from_department"])["seats_to_move"].sum()
    taken = moves.groupby(["tool", "to_department"])["seats_to_move"].sum()
    idle = use.set_index(["tool", "department"])["idle_seats"]
    demand = use.set_index(["tool", "department"])["demand"]
    assert (given_away <= idle.reindex(given_away.index)).all()
    assert (taken <= demand.reindex(taken.index)).all()
    total = moves.groupby("tool")["seats_to_move"].sum()
    best = use.groupby("tool")[["idle_seats", "demand"]].sum().min(axis=1)
    assert (total.reindex(best.index, fill_value=0) == best).all()


def test_when_costing_by_department_then_seats_pools_and_spend_count_where_they_belong(
    seats, seat_pools, activity, people
):
    # ChatGPT seats: Alpha a1 31 + a2 16 = 47, Beta b1 31 + b2 10 = 41. Copilot pools: Alpha 155, Beta
    # 30 + 16 = 46. API spend: Alpha a3 12.5, Beta b2 7.5, one spender each (top share 1). MAU: ChatGPT
    # Alpha a1, a2 / Beta b2; Copilot Alpha a1, a2, a3 / Beta none; API a3 / b2; any 3 / 1.
    result = cost_per_active_user(seats, seat_pools, activity, people, by="department", first_month=MARCH)
    result = result.set_index(["department", "tool"])
    assert result["seat_cost"].to_dict() == pytest.approx(
        {
            ("Alpha", "any"): 202.0,
            ("Alpha", "chatgpt_enterprise"): 47.0,
            ("Alpha", "github_copilot"): 155.0,
            ("Alpha", "openai_api"): 0.0,
            ("Beta", "any"): 87.0,
            ("Beta", "chatgpt_enterprise"): 41.0,
            ("Beta", "github_copilot"): 46.0,
            ("Beta", "openai_api"): 0.0,
        }
    )
    assert result["people"].to_dict() == {
        ("Alpha", "any"): 3,
        ("Alpha", "chatgpt_enterprise"): 2,
        ("Alpha", "github_copilot"): 3,
        ("Alpha", "openai_api"): 1,
        ("Beta", "any"): 1,
        ("Beta", "chatgpt_enterprise"): 1,
        ("Beta", "github_copilot"): 0,
        ("Beta", "openai_api"): 1,
    }
    assert result.loc[("Alpha", "any"), "cost_per_active_user"] == pytest.approx(214.5 / 3)
    assert result.loc[("Beta", "any"), "cost_per_active_user"] == pytest.approx(94.5)
    assert pd.isna(result.loc[("Beta", "github_copilot"), "cost_per_active_user"])
    assert result.loc[("Beta", "openai_api"), "top_usage_share"] == 1.0
    assert result.loc[("Alpha", "chatgpt_enterprise"), "top_usage_share"] == 0.0


def test_when_costing_several_months_then_each_month_is_prorated_on_its_own_days(
    seats, seat_pools, activity, people
):
    # February (28 days): ChatGPT a1, b1, b2 all month (3 x 31); Copilot pools Alpha 5 x 31 and Beta's
    # first pool 1 x 31. Only b2 was active (ChatGPT, 02-28).
    result = cost_per_active_user(
        seats, seat_pools, activity, people, first_month=date(2026, 2, 1), last_month=MARCH
    )
    february = result.loc[result["month"] == "2026-02-01"].set_index("tool")
    assert february["seat_cost"].to_dict() == pytest.approx(
        {"any": 279.0, "chatgpt_enterprise": 93.0, "github_copilot": 186.0}
    )
    assert february["people"].to_dict() == {"any": 1, "chatgpt_enterprise": 1, "github_copilot": 0}
    assert len(result.loc[result["month"] == "2026-03-01"]) == 4


def test_when_costing_by_team_then_the_kit_says_pools_only_know_departments(
    seats, seat_pools, activity, people
):
    with pytest.raises(ConfigError, match="cannot cost by 'team'"):
        cost_per_active_user(seats, seat_pools, activity, people, by="team", first_month=MARCH)


def test_when_groups_are_given_directly_then_idle_seats_go_first_to_own_demand_then_in_group_order():
    use = pd.DataFrame(
        {
            "team": ["Platform", "Payments", "Data"],
            "tool": "cursor",
            "idle_seats": [4, 1, 0],
            "demand": [1, 0, 5],
        }
    )
    moves = allocate_idle_seats(use, keys=["team"])
    expected = pd.DataFrame(
        {
            "tool": "cursor",
            "from_team": ["Payments", "Platform", "Platform"],
            "to_team": ["Data", "Data", "Platform"],
            "seats_to_move": [1, 3, 1],  # Platform keeps 1 for its own demand, Data gets the other 4
            "idle_seats": [1, 4, 4],
            "demand": [5, 5, 1],
            "people": [1, 4, 1],
        }
    )
    assert_frame_equal(moves, expected, check_dtype=False)
