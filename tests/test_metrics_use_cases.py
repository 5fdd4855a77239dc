"""The use-case mix on a tiny organisation whose every number was worked out on paper.

Alpha: a1, a2, a3; Beta: b1. Classified events (category: events):

    February  a2 ChatGPT image 1 (a weekly row dated Sunday 02-22: the week of Monday 02-23)
    March     a1 ChatGPT research 6, writing 2 (monthly rows); a2 ChatGPT research 2 (monthly)
              a2 Gemini summarization 3; a3 Gemini writing 1; a3 API coding 2 (prompt rules)
              b1 API coding 1, other 1 (prompt rules)
    April     b1 API data_analysis 5 (prompt rules)

So Alpha's March on any tool: research 8 (a1, a2), writing 3 (a1, a3), summarization 3, coding 2 = 16.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adoption_kit.metrics import use_case_mix
from adoption_kit.schema import TASK_CATEGORIES

FEBRUARY, MARCH, APRIL = pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-01"), pd.Timestamp("2026-04-01")
CHATGPT, GEMINI, API = "chatgpt_enterprise", "gemini", "openai_api"


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame({"person_id": ["a1", "a2", "a3", "b1"], "department": ["Alpha"] * 3 + ["Beta"]})


@pytest.fixture
def tasks() -> pd.DataFrame:
    rows = [
        ("a2", CHATGPT, "2026-02-22", "week", "image", 1, "vendor"),
        ("a1", CHATGPT, "2026-03-01", "month", "research", 6, "vendor"),
        ("a1", CHATGPT, "2026-03-01", "month", "writing", 2, "vendor"),
        ("a2", CHATGPT, "2026-03-01", "month", "research", 2, "vendor"),
        ("a2", GEMINI, "2026-03-05", "day", "summarization", 3, "vendor"),
        ("a3", GEMINI, "2026-03-06", "day", "writing", 1, "vendor"),
        ("a3", API, "2026-03-10", "day", "coding", 2, "prompt_rules"),
        ("b1", API, "2026-03-11", "day", "coding", 1, "prompt_rules"),
        ("b1", API, "2026-03-12", "day", "other", 1, "prompt_rules"),
        ("b1", API, "2026-04-02", "day", "data_analysis", 5, "prompt_rules"),
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "day", "grain", "category", "events", "source"])
    return frame.assign(day=pd.to_datetime(frame["day"]))


def _used(result: pd.DataFrame, *cell: object) -> dict[str, tuple]:
    """The categories with events of one (group, tool, month) cell: category -> (events, share, people)."""
    rows = result.set_index(["department", "tool", "month"]).loc[cell]
    rows = rows[rows["events"] > 0]
    return {r.category: (r.events, pytest.approx(r.share), r.people) for r in rows.itertuples()}


def test_when_people_use_several_tools_then_any_tool_shares_their_events_by_category(tasks, people):
    result = use_case_mix(tasks, people, by="department")
    assert _used(result, "Alpha", "any", MARCH) == {
        "research": (8, 0.5, 2),  # a1 6 + a2 2 of 16
        "writing": (3, 0.1875, 2),  # a1 2 on ChatGPT + a3 1 on Gemini
        "summarization": (3, 0.1875, 1),  # a2 on Gemini
        "coding": (2, 0.125, 1),  # a3 through the API
    }
    assert _used(result, "Alpha", CHATGPT, MARCH) == {"research": (8, 0.8, 2), "writing": (2, 0.2, 1)}
    assert _used(result, "Alpha", GEMINI, MARCH) == {"summarization": (3, 0.75, 1), "writing": (1, 0.25, 1)}
    assert _used(result, "Beta", API, MARCH) == {"coding": (1, 0.5, 1), "other": (1, 0.5, 1)}


def test_when_a_weekly_row_is_dated_on_a_sunday_then_it_counts_for_the_month_of_its_monday(tasks, people):
    result = use_case_mix(tasks, people, by="department")
    assert _used(result, "Alpha", CHATGPT, FEBRUARY) == {"image": (1, 1.0, 1)}


def test_when_a_cell_has_tasks_then_every_category_has_a_row_and_cells_without_tasks_have_none(tasks, people):
    result = use_case_mix(tasks, people, by="department")
    cells = result.groupby(["department", "tool", "month"])["category"].agg(tuple)
    assert (cells == TASK_CATEGORIES).all()  # the whole vocabulary, in its order
    # Alpha: February ChatGPT and any; March ChatGPT, Gemini, API and any. Beta: March and April, API and any.
    assert len(cells) == 10
    assert ("Alpha", GEMINI, FEBRUARY) not in cells.index  # nobody used Gemini then: no row, not zeros
    february = result.set_index(["department", "tool", "month", "category"]).loc[("Alpha", CHATGPT, FEBRUARY)]
    assert february.loc["coding"].tolist() == [0, 0.0, 0, 0.0]  # zero-filled: events, share, people, top
    columns = ["department", "tool", "month", "category", "events", "share", "people", "top_share"]
    assert list(result.columns) == columns


def test_when_until_is_given_then_later_tasks_are_left_out(tasks, people):
    result = use_case_mix(tasks, people, by="department", until=date(2026, 3, 31))
    assert result["month"].max() == MARCH
    assert result.loc[result["category"] == "data_analysis", "events"].sum() == 0  # b1's April prompts


def test_when_grouping_by_nobody_then_the_organisation_is_one_group(tasks, people):
    result = use_case_mix(tasks, people, by=None)
    march_api = result[(result["tool"] == API) & (result["month"] == MARCH) & (result["events"] > 0)]
    # a3's 2 coding prompts and b1's 1 coding and 1 other prompt
    assert march_api[["category", "events", "share", "people"]].values.tolist() == [
        ["coding", 3, 0.75, 2],
        ["other", 1, 0.25, 1],
    ]
    assert "department" not in result.columns


_PEOPLE = pd.DataFrame({"person_id": ["p1", "p2", "p3", "p4", "p5"], "department": ["A", "A", "B", "B", "C"]})
_task_rows = st.lists(
    st.tuples(
        st.sampled_from(_PEOPLE["person_id"].tolist()),
        st.sampled_from(["tool_a", "tool_b", "tool_c"]),
        st.dates(date(2026, 1, 1), date(2026, 4, 30)),
        st.sampled_from(["day", "day", "week", "month"]),
        st.sampled_from(TASK_CATEGORIES),
        st.integers(1, 50),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(rows=_task_rows)
def test_when_tasks_are_random_then_shares_sum_to_one_and_groups_add_up_to_the_organisation(rows):
    tasks = pd.DataFrame(rows, columns=["person_id", "tool", "day", "grain", "category", "events"])
    tasks = tasks.assign(day=pd.to_datetime(tasks["day"]), source="vendor")
    by_group = use_case_mix(tasks, _PEOPLE, by="department")
    sums = by_group.groupby(["department", "tool", "month"])["share"].sum()
    assert sums.to_numpy() == pytest.approx([1.0] * len(sums))
    organisation = use_case_mix(tasks, _PEOPLE, by=None).set_index(["tool", "month", "category"])["events"]
    added_up = by_group.groupby(["tool", "month", "category"])["events"].sum()
    pd.testing.assert_series_equal(added_up, organisation.sort_index(), check_dtype=False)
    assert by_group.loc[by_group["tool"] == "any", "events"].sum() == tasks["events"].sum()
