"""Power users on a tiny organisation whose every number was worked out on paper.

Alpha: a1..a5, Beta: b1..b3 (a5 and b3 never use anything). March 2026, weeks W1 (03-02) and W2 (03-09).
Events per person, tool and week (surfaces in brackets):

    W1  ChatGPT: a1 80 [chat], a2 10 [chat], a3 20 [chat], b1 30 [chat, a weekly row dated Sunday 03-01]
        Copilot: a3 30 [code_completion], a4 10 [code_completion]
    W2  ChatGPT: a2 10 [gpts 5, projects 5]
        Copilot: a3 5 [ide_chat], b2 40 [ide_chat]

Surfaces in March: a2 uses 3 ChatGPT surfaces (broad in ChatGPT and in any); a3 uses ChatGPT chat and two
Copilot surfaces (3 tool/surface pairs: broad in any, but only 2 Copilot surfaces). Top 20%: fewer than
20% of the organisation's senders of the tool in the period sent more.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adoption_kit.errors import ConfigError
from adoption_kit.metrics.power_users import PowerUserRule, power_users

ANY_PART = PowerUserRule(combine="any")  # one part suffices; the default needs all three

W1, W2 = pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-09")
MARCH = pd.Timestamp("2026-03-01")
CHATGPT, COPILOT = "chatgpt_enterprise", "github_copilot"
COLUMNS = ["person_id", "tool", "day", "grain", "surface", "events"]


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": ["a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3"],
            "department": ["Alpha"] * 5 + ["Beta"] * 3,
            "employed_from": pd.to_datetime(["2025-01-01"] * 8),
            "employed_to": pd.to_datetime([None] * 8),
        }
    )


@pytest.fixture
def activity() -> pd.DataFrame:
    rows = [
        ("a1", CHATGPT, "2026-03-02", "day", "chat", 80),
        ("a2", CHATGPT, "2026-03-03", "day", "chat", 10),
        ("a2", CHATGPT, "2026-03-10", "day", "gpts", 5),
        ("a2", CHATGPT, "2026-03-11", "day", "projects", 5),
        ("a3", CHATGPT, "2026-03-04", "day", "chat", 20),
        ("a3", COPILOT, "2026-03-04", "day", "code_completion", 30),
        ("a3", COPILOT, "2026-03-12", "day", "ide_chat", 5),
        ("a4", COPILOT, "2026-03-05", "day", "code_completion", 10),
        ("b1", CHATGPT, "2026-03-01", "week", "chat", 30),  # Sunday: counts for W1 and March
        ("b2", COPILOT, "2026-03-09", "day", "ide_chat", 40),
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.assign(day=pd.to_datetime(frame["day"]))


def _counts(result: pd.DataFrame, period: str) -> dict:
    indexed = result.set_index(["department", "tool", period])
    return indexed[["active_people", "power_users"]].apply(tuple, axis=1).to_dict()


def test_when_any_part_suffices_then_weekly_power_users_are_as_on_paper(people, activity):
    result = power_users(activity, people, by="department", period="week", rule=ANY_PART)
    counts = _counts(result, "week")
    # ChatGPT W1 senders a1 80, b1 30, a3 20, a2 10: a1 is top (0 of 4 sent more) and heavy (80 >= 75);
    # a2 is broad (3 surfaces); a3 is neither (1 of 4 = 25% sent more).
    assert counts[("Alpha", CHATGPT, W1)] == (3, 2)
    assert counts[("Beta", CHATGPT, W1)] == (1, 0)  # b1: 1 of 4 sent more, 30 events, 1 surface
    # Copilot W1 senders a3 30, a4 10: a3 is top.
    assert counts[("Alpha", COPILOT, W1)] == (2, 1)
    assert counts[("Beta", COPILOT, W1)] == (0, 0)  # zero-filled, not missing
    # Any W1 senders a1 80, a3 50, b1 30, a2 10, a4 10: a1 top and heavy; a2 and a3 broad (3 pairs each);
    # a3 is not top: 1 of 5 = 20% sent more, which is not fewer than 20%.
    assert counts[("Alpha", "any", W1)] == (4, 3)
    # W2: ChatGPT a2 alone (top of one sender); Copilot b2 40 is top over a3 5 (a3: 2 Copilot surfaces).
    assert counts[("Alpha", CHATGPT, W2)] == (1, 1)
    assert counts[("Alpha", COPILOT, W2)] == (1, 0)
    assert counts[("Beta", COPILOT, W2)] == (1, 1)
    # Any W2 senders b2 40, a2 10, a3 5: b2 top; a2 and a3 broad in any.
    assert counts[("Alpha", "any", W2)] == (2, 2)
    assert counts[("Beta", "any", W2)] == (1, 1)
    assert len(result) == 2 * 3 * 2  # 2 groups x (2 tools + any) x 2 weeks


def test_when_nobody_is_active_then_the_share_is_empty_and_otherwise_a_ratio(people, activity):
    result = power_users(activity, people, by="department", period="week", rule=ANY_PART)
    share = result.set_index(["department", "tool", "week"])["power_user_share"]
    assert share[("Alpha", "any", W1)] == pytest.approx(3 / 4)
    assert share[("Alpha", CHATGPT, W1)] == pytest.approx(2 / 3)
    assert share[("Alpha", COPILOT, W2)] == 0.0
    assert pd.isna(share[("Beta", COPILOT, W1)])
    assert result.columns.tolist() == [
        "department",
        "tool",
        "week",
        "active_people",
        "power_users",
        "power_user_share",
    ]


def test_when_counting_by_month_then_top_share_and_breadth_use_the_whole_month(people, activity):
    result = power_users(activity, people, by="department", period="month", rule=ANY_PART)
    counts = _counts(result, "month")
    # ChatGPT March: a1 80 top, a2 broad; nobody reaches 75 a week (a1: 80 x 7 / 31 = 18 a week).
    assert counts[("Alpha", CHATGPT, MARCH)] == (3, 2)
    # Copilot March senders b2 40, a3 35, a4 10: only b2 is top; nobody has 3 Copilot surfaces.
    assert counts[("Alpha", COPILOT, MARCH)] == (2, 0)
    assert counts[("Beta", COPILOT, MARCH)] == (1, 1)
    # Any March senders a1 80, a3 55, b2 40, b1 30, a2 20, a4 10: a1 (0 of 6) and a3 (1 of 6 = 17%) are
    # top; a2 broad. b1 and b2 are neither: 2 and 3 of 6 sent more.
    assert counts[("Alpha", "any", MARCH)] == (4, 3)
    assert counts[("Beta", "any", MARCH)] == (2, 0)
    assert len(result) == 2 * 3


def test_when_a_month_is_heavy_then_its_weekly_rate_decides(people, activity):
    heavy = pd.DataFrame([("b3", CHATGPT, "2026-03-20", "day", "chat", 333)], columns=COLUMNS)
    frame = pd.concat([activity, heavy.assign(day=pd.to_datetime(heavy["day"]))], ignore_index=True)
    only_volume = PowerUserRule(top_share=None, tools_or_surfaces=None, combine="any")
    result = power_users(frame, people, by="department", period="month", rule=only_volume)
    # b3: 333 x 7 / 31 = 75.2 a week >= 75; a1's 80 in the month is 18 a week.
    assert _counts(result, "month")[("Beta", CHATGPT, MARCH)] == (2, 1)
    assert _counts(result, "month")[("Alpha", CHATGPT, MARCH)] == (3, 0)


@pytest.mark.parametrize(
    ("top_share", "alpha", "beta"),
    [
        # Any W1 senders a1 80, a3 50, b1 30, a2 10, a4 10: a1 alone; a3 is out (exactly 20% sent more).
        (0.2, 1, 0),
        # 70%: a1 (0%), a3 (20%), b1 (40%), and a2 and a4 tied at 60%: ties are all in.
        (0.7, 4, 1),
    ],
)
def test_when_only_the_top_share_counts_then_it_is_strict_and_keeps_ties(
    people, activity, top_share, alpha, beta
):
    rule = PowerUserRule(top_share=top_share, weekly_messages=None, tools_or_surfaces=None, combine="any")
    result = power_users(activity, people, by="department", period="week", rule=rule)
    counts = _counts(result, "week")
    assert counts[("Alpha", "any", W1)] == (4, alpha)
    assert counts[("Beta", "any", W1)] == (1, beta)


def test_when_all_parts_are_required_then_only_who_meets_each_counts(people, activity):
    every_part = power_users(activity, people, by=None, period="week", rule=PowerUserRule(combine="all"))
    assert every_part["power_users"].sum() == 0  # a1 is top and heavy but uses one surface
    top_and_heavy = PowerUserRule(tools_or_surfaces=None, combine="all")
    result = power_users(activity, people, by=None, period="week", rule=top_and_heavy)
    users = result.set_index(["tool", "week"])["power_users"]
    assert users[(CHATGPT, W1)] == 1  # a1
    assert users[("any", W1)] == 1
    assert users.sum() == 2


def test_when_only_volume_counts_then_one_heavy_sender_is_the_power_user(people, activity):
    rule = PowerUserRule(top_share=None, tools_or_surfaces=None, combine="any")
    result = power_users(activity, people, by="department", period="week", rule=rule)
    assert _counts(result, "week")[("Alpha", CHATGPT, W1)] == (3, 1)  # a1's 80 events
    assert result["power_users"].sum() == 2  # a1 in ChatGPT and in any, W1


@pytest.mark.parametrize(
    ("options", "column"),
    [
        ({"combine": "either"}, "combine"),  # not a combination
        ({"top_share": 0.0}, "top_share"),  # nobody could be in the top 0%
        ({"top_share": 1.5}, "top_share"),  # a share above 1
        ({"top_share": None, "weekly_messages": None, "tools_or_surfaces": None}, None),  # no part left
    ],
)
def test_when_the_rule_is_invalid_then_a_config_error_names_the_option(options, column):
    with pytest.raises(ConfigError) as raised:
        PowerUserRule(**options)
    assert raised.value.column == column


def test_when_the_period_is_unknown_then_a_config_error_says_so(people, activity):
    with pytest.raises(ConfigError, match="quarter"):
        power_users(activity, people, period="quarter")


_activity_rows = st.lists(
    st.tuples(
        st.sampled_from(["p1", "p2", "p3", "p4", "p5", "p6"]),
        st.sampled_from(["tool_a", "tool_b", "tool_c"]),
        st.dates(date(2026, 1, 1), date(2026, 3, 31)),
        st.sampled_from(["day", "day", "week", "month"]),
        st.sampled_from(["chat", "agent", "api", None]),
        st.integers(0, 120),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=_activity_rows,
    period=st.sampled_from(["week", "month"]),
    combine=st.sampled_from(["any", "all"]),
)
def test_when_activity_is_random_then_power_users_never_exceed_active_people(rows, period, combine):
    people = pd.DataFrame(
        {
            "person_id": ["p1", "p2", "p3", "p4", "p5", "p6"],
            "department": ["A", "A", "B", "B", "C", "C"],
            "employed_from": pd.to_datetime(["2025-01-01"] * 6),
            "employed_to": pd.to_datetime([None] * 6),
        }
    )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame = frame.assign(day=pd.to_datetime(frame["day"]))
    result = power_users(frame, people, by="department", period=period, rule=PowerUserRule(combine=combine))
    assert (result["power_users"] <= result["active_people"]).all()
    shares = result["power_user_share"].dropna()
    assert ((shares >= 0) & (shares <= 1)).all()
