"""Tool counts, overlaps and moves on a tiny organisation whose every number was worked out on paper.

Alpha: a1..a5 (a5 left on 2026-03-01: employed in February only); Beta: b1..b3 (b3 joined on 2026-03-10).
Tools used per month (ChatGPT, Claude, Copilot):

    February  a1 Copilot; a2 ChatGPT (a weekly row dated Sunday 02-08); a4 Copilot; b2 ChatGPT
    March     a1 ChatGPT; a2 ChatGPT, Copilot, Claude (a monthly row); a3 ChatGPT, Copilot; a4 Copilot;
              b1 ChatGPT (a weekly row dated Sunday 03-15); b2 Copilot

So a1 moves Copilot -> ChatGPT and b2 moves ChatGPT -> Copilot in March; nobody else drops a tool.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adoption_kit.errors import ConfigError
from adoption_kit.metrics.adoption import monthly_active_users
from adoption_kit.metrics.cross_tool import (
    CrossToolOptions,
    active_people_by_tool_count,
    tool_count_distribution,
    tool_moves,
    tool_overlaps,
)

FEBRUARY, MARCH = pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-01")
CHATGPT, CLAUDE, COPILOT = "chatgpt_enterprise", "claude", "github_copilot"


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": ["a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3"],
            "department": ["Alpha"] * 5 + ["Beta"] * 3,
            "employed_from": pd.to_datetime(["2025-01-01"] * 7 + ["2026-03-10"]),
            "employed_to": pd.to_datetime([None] * 4 + ["2026-03-01"] + [None] * 3),
        }
    )


@pytest.fixture
def activity() -> pd.DataFrame:
    rows = [
        ("a1", COPILOT, "2026-02-10", "day"),
        ("a2", CHATGPT, "2026-02-08", "week"),
        ("a4", COPILOT, "2026-02-11", "day"),
        ("b2", CHATGPT, "2026-02-12", "day"),
        ("a1", CHATGPT, "2026-03-02", "day"),
        ("a2", CHATGPT, "2026-03-03", "day"),
        ("a2", COPILOT, "2026-03-04", "day"),
        ("a2", CLAUDE, "2026-03-01", "month"),
        ("a3", CHATGPT, "2026-03-05", "day"),
        ("a3", COPILOT, "2026-03-05", "day"),
        ("a4", COPILOT, "2026-03-06", "day"),
        ("b1", CHATGPT, "2026-03-15", "week"),
        ("b2", COPILOT, "2026-03-16", "day"),
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "day", "grain"])
    return frame.assign(day=pd.to_datetime(frame["day"]), events=1)


def test_when_counting_tools_per_person_then_everyone_employed_is_in_one_bucket(people, activity):
    result = tool_count_distribution(activity, people, by="department")
    expected = pd.DataFrame(
        {
            "department": ["Alpha"] * 8 + ["Beta"] * 8,
            "month": ([FEBRUARY] * 4 + [MARCH] * 4) * 2,
            "tools": ["0", "1", "2", "3+"] * 4,
            # Alpha Feb: a3, a5 none; a1, a2, a4 one. March (a5 gone): a1, a4 one; a3 two; a2 three.
            # Beta Feb (b3 not yet employed): b1 none, b2 one. March: b3 none; b1, b2 one.
            "people": [2, 3, 0, 0, 0, 2, 1, 1, 1, 1, 0, 0, 1, 2, 0, 0],
            "employed": [5] * 4 + [4] * 4 + [2] * 4 + [3] * 4,
            "share": [0.4, 0.6, 0, 0, 0, 0.5, 0.25, 0.25, 0.5, 0.5, 0, 0, 1 / 3, 2 / 3, 0, 0],
        }
    )
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)


def test_when_the_top_bucket_is_two_then_three_tools_count_as_two_plus(people, activity):
    result = tool_count_distribution(activity, people, by=None, options=CrossToolOptions(many_tools=2))
    march = result[result["month"] == MARCH].set_index("tools")["people"]
    # Organisation in March: b3 none; a1, a4, b1, b2 one; a3 (two) and a2 (three) are "2+".
    assert march.to_dict() == {"0": 1, "1": 4, "2+": 2}


def test_when_counting_tools_per_active_person_then_only_the_months_active_people_count(people, activity):
    # February: a1, a2 (weekly row of Sunday 02-08 counts for 02-09), a4 one tool each; b2 one.
    # March: a1 1, a2 3, a3 2, a4 1; b1 (weekly row of Sunday 03-15) 1, b2 1.
    result = active_people_by_tool_count(activity, people, by="department")
    counts = result.set_index(["department", "month", "tools"])["people"]
    assert counts.to_dict() == {
        ("Alpha", FEBRUARY, "1"): 3,
        ("Alpha", FEBRUARY, "2"): 0,
        ("Alpha", FEBRUARY, "3+"): 0,
        ("Alpha", MARCH, "1"): 2,
        ("Alpha", MARCH, "2"): 1,
        ("Alpha", MARCH, "3+"): 1,
        ("Beta", FEBRUARY, "1"): 1,
        ("Beta", FEBRUARY, "2"): 0,
        ("Beta", FEBRUARY, "3+"): 0,
        ("Beta", MARCH, "1"): 2,
        ("Beta", MARCH, "2"): 0,
        ("Beta", MARCH, "3+"): 0,
    }


def test_when_two_tools_share_people_then_the_overlap_counts_them_once(people, activity):
    result = tool_overlaps(activity, people, by="department")
    rows = result.set_index(["department", "month", "tool_a", "tool_b"])
    counts = rows[["people_a", "people_b", "people_both"]].apply(tuple, axis=1)
    # Alpha March: ChatGPT a1, a2, a3; Claude a2; Copilot a2, a3, a4.
    assert counts[("Alpha", MARCH, CHATGPT, CLAUDE)] == (3, 1, 1)  # a2
    assert counts[("Alpha", MARCH, CHATGPT, COPILOT)] == (3, 3, 2)  # a2, a3
    assert counts[("Alpha", MARCH, CLAUDE, COPILOT)] == (1, 3, 1)  # a2
    assert counts[("Alpha", FEBRUARY, CHATGPT, COPILOT)] == (1, 2, 0)  # a2 vs a1, a4
    assert counts[("Beta", MARCH, CHATGPT, COPILOT)] == (1, 1, 0)  # b1 vs b2
    assert counts[("Beta", FEBRUARY, CLAUDE, COPILOT)] == (0, 0, 0)  # zero-filled, not missing
    assert len(result) == 2 * 2 * 3  # 2 groups x 2 months x 3 pairs


def test_when_someone_drops_one_tool_for_another_then_it_is_a_move(people, activity):
    result = tool_moves(activity, people, by="department")
    rows = result.set_index(["department", "month", "from_tool", "to_tool"])
    counts = rows[["from_people", "moved"]].apply(tuple, axis=1)
    assert counts[("Alpha", MARCH, COPILOT, CHATGPT)] == (2, 1)  # a1 of February's a1, a4
    assert counts[("Alpha", MARCH, CHATGPT, COPILOT)] == (1, 0)  # a2 kept ChatGPT
    assert counts[("Alpha", MARCH, COPILOT, CLAUDE)] == (2, 0)  # a2 took Claude but dropped nothing
    assert counts[("Beta", MARCH, CHATGPT, COPILOT)] == (1, 1)  # b2
    assert result["moved"].sum() == 2
    assert len(result) == 2 * 1 * 6  # 2 groups x March (February has no previous month) x 6 ordered pairs


def test_when_the_top_bucket_is_below_one_then_a_config_error_names_it():
    with pytest.raises(ConfigError) as raised:
        CrossToolOptions(many_tools=0)
    assert raised.value.column == "many_tools"


_PEOPLE = pd.DataFrame(
    {
        "person_id": ["p1", "p2", "p3", "p4", "p5", "p6"],
        "department": ["A", "A", "B", "B", "C", "C"],
        "employed_from": pd.to_datetime(["2025-01-01", "2026-02-15", "2025-01-01", None, "2025-06-01", None]),
        "employed_to": pd.to_datetime([None, None, "2026-02-10", None, "2026-01-20", None]),
    }
)
_activity_rows = st.lists(
    st.tuples(
        st.sampled_from(_PEOPLE["person_id"].tolist()),
        st.sampled_from(["tool_a", "tool_b", "tool_c", "tool_d"]),
        st.dates(date(2026, 1, 1), date(2026, 4, 30)),
        st.sampled_from(["day", "day", "week", "month"]),
    ),
    min_size=1,
    max_size=40,
)


def _frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "day", "grain"])
    return frame.assign(day=pd.to_datetime(frame["day"]), events=1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_activity_rows, many_tools=st.integers(1, 4))
def test_when_activity_is_random_then_tool_count_shares_sum_to_one(rows, many_tools):
    result = tool_count_distribution(
        _frame(rows), _PEOPLE, by="department", options=CrossToolOptions(many_tools=many_tools)
    )
    staffed = result[result["employed"] > 0]
    sums = staffed.groupby(["department", "month"])["share"].sum()
    assert sums.to_numpy() == pytest.approx([1.0] * len(sums))
    per_month = result.groupby(["department", "month"]).agg(
        people=("people", "sum"), employed=("employed", "first")
    )
    assert (per_month["people"] == per_month["employed"]).all()


@settings(max_examples=40, deadline=None)
@given(rows=_activity_rows)
def test_when_activity_is_random_then_an_overlap_never_exceeds_either_tool(rows):
    result = tool_overlaps(_frame(rows), _PEOPLE, by="department")
    assert (result["people_both"] <= result[["people_a", "people_b"]].min(axis=1)).all()


@settings(max_examples=40, deadline=None)
@given(rows=_activity_rows)
def test_when_activity_is_random_then_moves_never_exceed_the_previous_months_people(rows):
    result = tool_moves(_frame(rows), _PEOPLE, by="department")
    assert (result["moved"] <= result["from_people"]).all()


@settings(max_examples=40, deadline=None)
@given(rows=_activity_rows, many_tools=st.integers(1, 4))
def test_when_activity_is_random_then_tool_count_buckets_sum_to_the_any_tool_mau(rows, many_tools):
    options = CrossToolOptions(many_tools=many_tools)
    buckets = active_people_by_tool_count(_frame(rows), _PEOPLE, by="department", options=options)
    mau = monthly_active_users(_frame(rows), _PEOPLE, by="department")
    mau = mau.loc[mau["tool"] == "any"].set_index(["department", "month"])["mau"]
    summed = buckets.groupby(["department", "month"])["people"].sum()
    assert summed.to_dict() == mau.to_dict()
