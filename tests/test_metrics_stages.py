"""Adoption stages, the bottleneck and time to first use on a tiny organisation worked out on paper.

Alpha: a1..a6 (a6 left on 2026-02-15); Beta: b1, b2. ``as_of`` is Tuesday 2026-03-31, so the last four full
ISO weeks are those of Mondays 03-02, 03-09, 03-16 and 03-23 (the week of 03-30 is not over).
Tools, one per way of having access:
- chatgpt_enterprise and github_copilot have seats (weekly ChatGPT rows dated on their Sunday; daily Copilot);
- m365_copilot has only seat pools: Alpha's is valid, Beta's ended on 03-01 (monthly rows);
- openai_api has neither, so everyone employed has access (daily rows).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from adoption_kit.metrics.stages import (
    STAGES,
    StageRule,
    adoption_stages,
    bottleneck_stages,
    time_to_first_use,
)

AS_OF = date(2026, 3, 31)
NAN = float("nan")


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
        ("a1", "chatgpt_enterprise", "2026-02-20"),
        ("a2", "chatgpt_enterprise", "2026-02-20"),
        ("a3", "chatgpt_enterprise", "2026-03-01"),
        ("a4", "chatgpt_enterprise", "2026-01-01"),
        ("a5", "chatgpt_enterprise", "2026-04-10"),  # not yet held on as_of
        ("a6", "chatgpt_enterprise", "2026-01-01"),  # still held, but a6 has left
        ("b1", "chatgpt_enterprise", "2026-03-20"),  # b1 used ChatGPT before the seat came
        ("a1", "github_copilot", "2026-03-01"),
        ("a2", "github_copilot", "2026-03-01"),
        ("a4", "github_copilot", "2026-03-20"),  # never used
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "assigned_on"])
    return frame.assign(assigned_on=pd.to_datetime(frame["assigned_on"]), removed_on=pd.NaT)


@pytest.fixture
def seat_pools() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "tool": ["m365_copilot", "m365_copilot"],
            "department": ["Alpha", "Beta"],
            "purchased": [10, 10],
            "valid_from": pd.to_datetime(["2026-01-01", "2026-01-01"]),
            "valid_to": pd.to_datetime([None, "2026-03-01"]),  # Beta's pool ended before as_of
        }
    )


@pytest.fixture
def activity() -> pd.DataFrame:
    rows = [
        # a1 ChatGPT: weeks 1-3, 90 events: 3 of 4 weeks and 22.5 a week -> steady -> deeper
        ("a1", "chatgpt_enterprise", "2026-03-01", "week", "chat", 30),
        ("a1", "chatgpt_enterprise", "2026-03-08", "week", "chat", 30),
        ("a1", "chatgpt_enterprise", "2026-03-15", "week", "chat", 30),
        # a2 ChatGPT: weeks 1 and 4, 2 a week, but two surfaces -> broad -> deeper
        ("a2", "chatgpt_enterprise", "2026-03-01", "week", "chat", 4),
        ("a2", "chatgpt_enterprise", "2026-03-22", "week", "gpts", 4),
        ("a3", "chatgpt_enterprise", "2026-03-08", "week", "chat", 50),  # one week: first use only
        ("a4", "chatgpt_enterprise", "2026-01-11", "week", "chat", 5),  # before the window: first use only
        # b1 ChatGPT: weeks 3 and 4, 3.5 a week, one surface -> repeat, not deeper
        ("b1", "chatgpt_enterprise", "2026-03-15", "week", "chat", 7),
        ("b1", "chatgpt_enterprise", "2026-03-22", "week", "chat", 7),
        # a1 Copilot: weeks 1 and 2 on two surfaces -> deeper; a2 only on as_of, in an unfinished week
        ("a1", "github_copilot", "2026-03-03", "day", "code_completion", 5),
        ("a1", "github_copilot", "2026-03-04", "day", "code_completion", 3),
        ("a1", "github_copilot", "2026-03-10", "day", "ide_chat", 2),
        ("a2", "github_copilot", "2026-03-31", "day", "code_completion", 5),
        # monthly rows: first use, never a week
        ("a3", "m365_copilot", "2026-03-01", "month", "chat", 20),
        ("a5", "m365_copilot", "2026-03-01", "month", "chat", 3),
        ("b2", "m365_copilot", "2026-03-01", "month", "chat", 3),  # Beta has no M365 access any more
        ("b2", "openai_api", "2026-03-03", "day", "api", 1),
        ("a6", "openai_api", "2026-02-01", "day", "api", 1),  # a6 has left
        ("a4", "chatgpt_enterprise", "2026-04-05", "week", "chat", 9),  # after as_of
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "day", "grain", "surface", "events"])
    return frame.assign(day=pd.to_datetime(frame["day"]))


@pytest.fixture
def funnel(people, seats, seat_pools, activity) -> pd.DataFrame:
    return adoption_stages(people, seats, seat_pools, activity, by="department", as_of=AS_OF)


# (department, tool): people at access, first use, repeat use, deeper adoption
EXPECTED_STAGES = {
    # access a1..a5 (pool and open tool); all five used something; repeat a1 (3 weeks), a2 (2 weeks);
    # both deeper: a1 100 events / 4 weeks = 25 a week over 3 weeks, a2 two ChatGPT surfaces
    ("Alpha", "any"): [5, 5, 2, 2],
    ("Alpha", "chatgpt_enterprise"): [4, 4, 2, 2],  # a1-a4 (a5 not yet, a6 left); repeat a1, a2
    ("Alpha", "github_copilot"): [3, 2, 1, 1],  # a1, a2, a4; a4 never used; a2's one week is unfinished
    ("Alpha", "m365_copilot"): [5, 2, 0, 0],  # the pool gives a1..a5 access; a3 and a5 used (monthly)
    ("Alpha", "openai_api"): [5, 0, 0, 0],  # open to all; only a6 (gone) used it
    ("Beta", "any"): [2, 2, 1, 0],  # b1 (seat, open API), b2 (open API); b1 repeats, not deeper
    ("Beta", "chatgpt_enterprise"): [1, 1, 1, 0],
    ("Beta", "github_copilot"): [0, 0, 0, 0],  # zero-filled
    ("Beta", "m365_copilot"): [0, 0, 0, 0],  # the pool ended: b2's use does not count without access
    ("Beta", "openai_api"): [2, 1, 0, 0],  # b2 used it in one week only
}


def test_when_people_reach_stages_then_each_group_and_tool_has_four_counts(funnel):
    counts = funnel.groupby(["department", "tool"])["people"].apply(list).to_dict()
    assert counts == EXPECTED_STAGES
    assert funnel["stage"].tolist()[:4] == list(STAGES)
    assert len(funnel) == 2 * 5 * 4


def test_when_a_stage_follows_another_then_conversion_is_the_share_that_went_on(funnel):
    conversion = funnel.set_index(["department", "tool", "stage"])["conversion"]
    assert pd.isna(conversion[("Alpha", "any", "access")])  # nothing before access
    assert conversion[("Alpha", "github_copilot", "first_use")] == pytest.approx(2 / 3)
    assert conversion[("Alpha", "m365_copilot", "first_use")] == pytest.approx(0.4)  # 2 of 5
    assert conversion[("Alpha", "m365_copilot", "repeat_use")] == 0.0
    assert pd.isna(conversion[("Alpha", "m365_copilot", "deeper_adoption")])  # 0 of 0 is no rate
    assert conversion[("Beta", "any", "repeat_use")] == pytest.approx(0.5)


def test_when_the_rule_asks_for_three_weeks_then_two_week_people_do_not_repeat(
    people, seats, seat_pools, activity
):
    strict = StageRule(repeat_weeks=3)
    result = adoption_stages(people, seats, seat_pools, activity, by=None, as_of=AS_OF, rule=strict)
    counts = result.groupby("tool")["people"].apply(list).to_dict()
    assert counts["chatgpt_enterprise"] == [5, 5, 1, 1]  # only a1 has 3 weeks; b1 and a2 drop out
    assert result.columns.tolist() == ["tool", "stage", "people", "conversion"]


def test_when_steps_start_from_enough_people_then_the_lowest_conversion_is_the_bottleneck(funnel):
    expected = pd.DataFrame(
        {
            "department": ["Alpha"] * 5 + ["Beta"] * 2,
            "tool": ["any", "chatgpt_enterprise", "github_copilot", "m365_copilot", "openai_api"]
            + ["any", "openai_api"],
            # Alpha any 1.0, 0.4, 1.0; chatgpt 1.0, 0.5, 1.0; copilot 2/3, 0.5 (deeper starts from 1:
            # skipped); m365 0.4, 0.0; openai 0.0; Beta any 1.0, 0.5; Beta openai 0.5;
            # Beta chatgpt's steps all start from 1 person: no row
            "bottleneck": ["repeat_use", "repeat_use", "repeat_use", "repeat_use", "first_use"]
            + ["repeat_use", "first_use"],
            "conversion": [0.4, 0.5, 0.5, 0.0, 0.0, 0.5, 0.5],
            "people": [5, 4, 3, 5, 5, 2, 2],
        }
    )
    result = bottleneck_stages(funnel, by="department", min_group_size=2)
    assert_frame_equal(result, expected, check_dtype=False)


def test_when_groups_are_small_then_no_bottleneck_is_named_from_a_handful(funnel):
    result = bottleneck_stages(funnel, by="department")  # default: steps from at least 5 people
    named = result.set_index(["department", "tool"])["bottleneck"].to_dict()
    # Alpha any: repeat (0.4 from 5); m365: first use (0.4 from 5; its repeat step starts from 2)
    assert named == {
        ("Alpha", "any"): "repeat_use",
        ("Alpha", "m365_copilot"): "first_use",
        ("Alpha", "openai_api"): "first_use",
    }


def test_when_conversions_tie_then_the_earlier_step_is_the_bottleneck():
    funnel = pd.DataFrame(
        {
            "tool": ["any"] * 4,
            "stage": list(STAGES),
            "people": [8, 4, 2, 1],
            "conversion": [NAN, 0.5, 0.5, 0.5],
        }
    )
    result = bottleneck_stages(funnel, by=None, min_group_size=1)
    assert result["bottleneck"].tolist() == ["first_use"]


def test_when_seats_are_held_then_time_to_first_use_counts_days_and_not_yet_apart(people, seats, activity):
    expected = pd.DataFrame(
        {
            "department": ["Alpha", "Alpha", "Alpha", "Beta", "Beta"],
            "tool": ["any", "chatgpt_enterprise", "github_copilot", "any", "chatgpt_enterprise"],
            # ChatGPT: a1 02-20 -> 03-01 = 9, a2 9, a3 03-01 -> 03-08 = 7, a4 01-01 -> 01-11 = 10
            # Copilot: a1 03-01 -> 03-03 = 2, a2 03-01 -> 03-31 = 30, a4 not yet
            # any: first seat to first use of any tool: a1 9, a2 9, a3 03-01 -> 03-01 (M365) = 0, a4 10
            # Beta: b1 used on 03-15, before the seat of 03-20 -> 0 days
            "people": [4, 4, 3, 1, 1],
            "used": [4, 4, 2, 1, 1],
            "not_yet": [0, 0, 1, 0, 0],
            "median_days": [
                9.0,
                9.0,
                16.0,
                0.0,
                0.0,
            ],  # median of [0, 9, 9, 10]; of [7, 9, 9, 10]; of [2, 30]
            "p75_days": [9.25, 9.25, 23.0, 0.0, 0.0],  # 9 + 0.25 * (10 - 9); 2 + 0.75 * (30 - 2)
        }
    )
    result = time_to_first_use(people, seats, activity, by="department", as_of=AS_OF)
    assert_frame_equal(result, expected, check_dtype=False)


def test_when_nobody_has_used_a_seat_then_the_days_are_empty_not_zero(people, seats):
    nothing = pd.DataFrame(
        {
            "person_id": pd.Series([], dtype=str),
            "tool": pd.Series([], dtype=str),
            "day": pd.Series([], dtype="datetime64[s]"),
            "grain": pd.Series([], dtype=str),
        }
    )
    result = time_to_first_use(people, seats, nothing, by=None, as_of=AS_OF)
    assert result["used"].eq(0).all()
    assert result["not_yet"].tolist() == result["people"].tolist()
    assert result["median_days"].isna().all()


PEOPLE_IDS = [f"p{i}" for i in range(4)]
TOOL_NAMES = ["chatgpt_enterprise", "github_copilot", "openai_api"]


@st.composite
def organisations(draw) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    people = pd.DataFrame(
        {
            "person_id": PEOPLE_IDS,
            "department": draw(st.lists(st.sampled_from(["A", "B"]), min_size=4, max_size=4)),
            "employed_from": pd.Timestamp("2025-01-01"),
            "employed_to": pd.NaT,
        }
    )
    held = draw(
        st.lists(st.tuples(st.sampled_from(PEOPLE_IDS), st.sampled_from(TOOL_NAMES[:2])), unique=True)
    )
    seats = pd.DataFrame(held, columns=["person_id", "tool"]).assign(
        assigned_on=pd.Timestamp("2026-01-01"), removed_on=pd.NaT
    )
    pools = pd.DataFrame(
        {
            "tool": ["m365_copilot"],
            "department": ["A"],
            "purchased": [3],
            "valid_from": pd.Timestamp("2026-01-01"),
        }
    ).assign(valid_to=pd.NaT)
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(PEOPLE_IDS),
                st.sampled_from([*TOOL_NAMES, "m365_copilot"]),
                st.integers(0, 40),
                st.sampled_from(["day", "week", "month"]),
                st.sampled_from(["chat", "agent"]),
                st.integers(0, 40),
            ),
            max_size=40,
        )
    )
    activity = pd.DataFrame(rows, columns=["person_id", "tool", "offset", "grain", "surface", "events"])
    activity = activity.assign(day=pd.Timestamp("2026-02-20") + pd.to_timedelta(activity["offset"], unit="D"))
    return people, seats.astype({"person_id": str, "tool": str}), pools, activity.drop(columns="offset")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisation=organisations())
def test_when_any_organisation_is_staged_then_counts_never_rise_and_conversion_is_a_share(organisation):
    people, seats, pools, activity = organisation
    funnel = adoption_stages(people, seats, pools, activity, by="department", as_of=AS_OF)
    steps = funnel.groupby(["department", "tool"])["people"].diff().dropna()
    assert (steps <= 0).all()
    assert funnel["conversion"].dropna().between(0, 1).all()
