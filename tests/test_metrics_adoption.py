"""The first adoption metrics on a tiny organisation whose every number was worked out on paper.

Alpha: a1..a6 (a6 left on 2026-02-15, a5's seat starts after the period); Beta: b1, b2.
ChatGPT reports are weekly rows dated on their Sunday; Copilot rows are daily. ``as_of`` is 2026-03-31;
a4's only use is in April, so it must not count.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from adoption_kit.metrics import (
    changes_only_by_joiners_and_leavers,
    events_per_active_user,
    headcount,
    monthly_active_users,
    seat_activation,
    top_contributors_share,
    weekly_active_users,
)

AS_OF = date(2026, 3, 31)
W1, W2, W3 = pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-09"), pd.Timestamp("2026-03-16")
MARCH = pd.Timestamp("2026-03-01")


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": ["a1", "a2", "a3", "a4", "a5", "a6", "b1", "b2"],
            "department": ["Alpha"] * 6 + ["Beta"] * 2,
            "employed_from": pd.to_datetime(["2025-01-01"] * 8),
            "employed_to": pd.to_datetime([None] * 5 + ["2026-02-15"] + [None] * 2),
        }
    )


@pytest.fixture
def seats() -> pd.DataFrame:
    rows = [
        ("a1", "chatgpt_enterprise", "2026-01-01", None),
        ("a2", "chatgpt_enterprise", "2026-01-01", None),
        ("a3", "chatgpt_enterprise", "2026-01-01", None),
        ("a4", "chatgpt_enterprise", "2026-01-01", None),
        ("a5", "chatgpt_enterprise", "2026-04-10", None),  # not yet held on as_of
        ("a6", "chatgpt_enterprise", "2026-01-01", "2026-02-01"),  # removed before as_of
        ("b1", "chatgpt_enterprise", "2026-01-01", None),
        ("a1", "github_copilot", "2026-01-01", None),
        ("a2", "github_copilot", "2026-01-01", None),
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "assigned_on", "removed_on"])
    return frame.assign(
        assigned_on=pd.to_datetime(frame["assigned_on"]), removed_on=pd.to_datetime(frame["removed_on"])
    )


@pytest.fixture
def activity() -> pd.DataFrame:
    rows = [
        ("a1", "chatgpt_enterprise", "2026-03-01", "week", 10),  # Sunday: ISO week of Monday 03-02
        ("a1", "chatgpt_enterprise", "2026-03-08", "week", 20),
        ("a2", "chatgpt_enterprise", "2026-03-01", "week", 4),
        ("b1", "chatgpt_enterprise", "2026-03-15", "week", 7),
        ("a1", "github_copilot", "2026-03-03", "day", 5),
        ("a1", "github_copilot", "2026-03-04", "day", 3),
        ("a2", "github_copilot", "2026-03-10", "day", 2),
        ("a4", "chatgpt_enterprise", "2026-04-05", "week", 9),  # after as_of
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "day", "grain", "events"])
    return frame.assign(day=pd.to_datetime(frame["day"]))


def test_when_counting_heads_then_leavers_are_excluded(people):
    assert_frame_equal(
        headcount(people, by="department", as_of=AS_OF),
        pd.DataFrame({"department": ["Alpha", "Beta"], "people": [5, 2]}),
        check_dtype=False,
    )
    assert headcount(people, by=None, as_of=AS_OF)["people"].tolist() == [7]


def test_when_seats_are_held_then_activation_counts_use_up_to_as_of(people, seats, activity):
    expected = pd.DataFrame(
        {
            "department": ["Alpha", "Alpha", "Alpha", "Beta", "Beta"],
            "tool": ["any", "chatgpt_enterprise", "github_copilot", "any", "chatgpt_enterprise"],
            "seat_holders": [4, 4, 2, 1, 1],
            "activated": [2, 2, 2, 1, 1],
            "activation_rate": [0.5, 0.5, 1.0, 1.0, 1.0],
        }
    )
    result = seat_activation(seats, activity, people, by="department", as_of=AS_OF)
    assert_frame_equal(result, expected, check_dtype=False)


def test_when_grouping_by_nothing_then_activation_is_for_the_organisation(people, seats, activity):
    result = seat_activation(seats, activity, people, by=None, as_of=AS_OF)
    assert result.columns.tolist() == ["tool", "seat_holders", "activated", "activation_rate"]
    assert result.set_index("tool")["activation_rate"].to_dict() == {
        "any": 0.6,
        "chatgpt_enterprise": 0.6,
        "github_copilot": 1.0,
    }


def test_when_weekly_rows_start_on_sunday_then_they_count_for_the_following_iso_week(people, activity):
    result = weekly_active_users(activity, people, by="department", until=AS_OF)
    wau = result.set_index(["department", "tool", "week"])["wau"]
    assert wau[("Alpha", "chatgpt_enterprise", W1)] == 2
    assert wau[("Alpha", "chatgpt_enterprise", W2)] == 1
    assert wau[("Alpha", "chatgpt_enterprise", W3)] == 0  # zero-filled, not missing
    assert wau[("Alpha", "github_copilot", W1)] == 1
    assert wau[("Alpha", "github_copilot", W2)] == 1
    assert wau[("Alpha", "any", W2)] == 2
    assert wau[("Beta", "chatgpt_enterprise", W3)] == 1
    assert wau[("Beta", "github_copilot", W1)] == 0  # nobody in Beta used Copilot: a row, not a gap
    assert len(result) == 2 * 3 * 3  # 2 groups x (2 tools + any) x 3 weeks; nothing after as_of


def test_when_a_month_has_three_weeks_then_stickiness_is_mean_wau_over_mau(people, activity):
    result = monthly_active_users(activity, people, by="department", until=AS_OF)
    expected = pd.DataFrame(
        {
            "department": ["Alpha", "Alpha", "Alpha", "Beta", "Beta", "Beta"],
            "tool": ["any", "chatgpt_enterprise", "github_copilot"] * 2,
            "month": [MARCH] * 6,
            "mau": [2, 2, 2, 1, 1, 0],
            "mean_wau": [4 / 3, 1.0, 2 / 3, 1 / 3, 1 / 3, 0.0],
            "stickiness": [2 / 3, 0.5, 1 / 3, 1 / 3, 1 / 3, None],
        }
    )
    assert_frame_equal(result, expected, check_dtype=False)


def test_when_people_are_active_then_volume_has_mean_median_and_p90(people, activity):
    result = events_per_active_user(activity, people, by="department", until=AS_OF)
    row = result.set_index(["department", "tool", "week"]).loc[("Alpha", "any", W1)]
    # a1: 10 ChatGPT + 8 Copilot = 18, a2: 4 -> p90 by linear interpolation = 4 + 0.9 * 14
    assert (row["active_users"], row["events"]) == (2, 22)
    assert row["events_per_user_mean"] == pytest.approx(11.0)
    assert row["events_per_user_median"] == pytest.approx(11.0)
    assert row["events_per_user_p90"] == pytest.approx(16.6)
    chatgpt = result.set_index(["department", "tool", "week"]).loc[("Alpha", "chatgpt_enterprise", W1)]
    assert chatgpt["events_per_user_p90"] == pytest.approx(9.4)
    nobody = result.set_index(["department", "tool", "week"]).loc[("Beta", "github_copilot", W1)]
    assert (nobody["active_users"], nobody["events"]) == (0, 0)
    assert pd.isna(nobody["events_per_user_mean"])
    assert len(result) == 18


def test_when_grouping_by_two_attributes_then_each_is_a_column(people, activity):
    crossed = people.assign(location=["Oslo", "Oslo", "Rome", "Rome", "Rome", "Oslo", "Rome", "Rome"])
    result = weekly_active_users(activity, crossed, by=("department", "location"), until=AS_OF)
    assert result.columns.tolist() == ["department", "location", "tool", "week", "wau"]
    wau = result.set_index(["department", "location", "tool", "week"])["wau"]
    assert wau[("Alpha", "Oslo", "any", W1)] == 2  # a1, a2
    assert wau[("Beta", "Rome", "any", W3)] == 1
    assert len(result) == 3 * 3 * 3  # Alpha/Oslo, Alpha/Rome, Beta/Rome


def test_when_two_people_make_the_events_then_the_top_share_says_how_much(people, activity):
    result = top_contributors_share(activity, people, by="department", until=AS_OF, contributors=1)
    share = result.set_index(["department", "tool", "week"])["top_share"]
    assert share[("Alpha", "any", W1)] == pytest.approx(18 / 22)  # a1's 18 of 22 events
    assert share[("Beta", "chatgpt_enterprise", W3)] == pytest.approx(1.0)
    assert share[("Beta", "github_copilot", W3)] == 0.0


def test_when_a_week_changes_only_by_a_joiner_then_it_isolates_turnover(people, activity):
    joined = people.assign(
        employed_from=pd.to_datetime(["2025-01-01"] * 6 + ["2026-03-12", "2025-01-01"])  # b1 joins in W2
    )
    extra = pd.DataFrame(  # b2 active in W2 and W3; b1 (the joiner) only in W3
        {
            "person_id": ["b2", "b2"],
            "tool": ["chatgpt_enterprise"] * 2,
            "day": pd.to_datetime(["2026-03-08", "2026-03-15"]),
            "grain": ["week"] * 2,
            "events": [3, 3],
        }
    )
    frame = pd.concat([activity, extra], ignore_index=True)
    result = changes_only_by_joiners_and_leavers(
        frame, joined, by="department", until=AS_OF, period="week", fewer_than=5
    )
    flag = result.set_index(["department", "tool", "week"])["isolates_turnover"]
    assert flag[("Beta", "chatgpt_enterprise", W3)]  # {b2} -> {b1, b2}: the change is the joiner alone
    assert not flag[("Beta", "chatgpt_enterprise", W2)]  # {} -> {b2}: b2 is no joiner
    assert not flag[("Alpha", "chatgpt_enterprise", W2)]  # a2 stopped, but a2 is no leaver
    assert not flag[("Beta", "chatgpt_enterprise", W1)]  # the first week has nothing to compare with


def test_when_grouping_by_an_unknown_attribute_then_a_kit_error_names_it(people, activity):
    from adoption_kit.errors import KitError

    with pytest.raises(KitError, match="salary"):
        weekly_active_users(activity, people, by="salary")
