"""The monthly review: what moved (largest first, news only outside its band), what the month taught and
what to do next, from hand-built published tables whose numbers are worked out in the comments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import report_review
from adoption_kit.publish import PublishedRun
from tests.published_fixture import SMALL_DEPARTMENT, write_published_fixture, write_tables

SEPTEMBER, OCTOBER = pd.Timestamp("2026-09-01"), pd.Timestamp("2026-10-01")


def _rows(group_by: str, group: str, column: str, rows: list[tuple[str, pd.Timestamp, int | None]]):
    frame = pd.DataFrame(rows, columns=["tool", "month", column])
    values = frame[column].astype("Int64")
    return frame.assign(group_by=group_by, group=group, suppressed=values.isna(), **{column: values}).assign(
        people=values
    )


def _legal(tmp_path: Path) -> PublishedRun:
    """Legal: any AI tool 100 -> 150 people a month, ChatGPT 80 -> 82, its power users 10 -> 10 and a
    hidden tool; its team Contracts 40 -> 60; Sales' team is not Legal's. 140 ChatGPT seats, 80 of them
    used lately (60 idle: 43%). Its funnel: 100 with access, 50 used once (50%), 45 came back (90%), 40
    adopted deeply (89%): first use is where it stalls."""
    monthly = pd.concat(
        [
            _rows("department", "Legal", "mau", [("any", SEPTEMBER, 100), ("any", OCTOBER, 150)]),
            _rows("department", "Legal", "mau", [("chatgpt_enterprise", SEPTEMBER, 80)]),
            _rows("department", "Legal", "mau", [("chatgpt_enterprise", OCTOBER, 82)]),
            _rows("department", "Legal", "mau", [("gemini", SEPTEMBER, None), ("gemini", OCTOBER, 7)]),
            _rows("team", "Legal / Contracts", "mau", [("any", SEPTEMBER, 40), ("any", OCTOBER, 60)]),
            _rows("team", "Sales / Field", "mau", [("any", SEPTEMBER, 10), ("any", OCTOBER, 90)]),
        ],
        ignore_index=True,
    )
    power = _rows(
        "department", "Legal", "power_users", [("chatgpt_enterprise", m, 10) for m in (SEPTEMBER, OCTOBER)]
    )
    activation = _rows("department", "Legal", "seat_holders", [("chatgpt_enterprise", OCTOBER, 140)])
    seat_use = _rows("department", "Legal", "people", [("chatgpt_enterprise", OCTOBER, 80)])
    seat_use = seat_use.assign(status="active").drop(columns="month")
    stages = pd.DataFrame(
        {
            "group_by": "department",
            "group": "Legal",
            "tool": "any",
            "stage": ["access", "first_use", "repeat_use", "deeper_adoption"],
            "people": pd.array([100, 50, 45, 40], dtype="Int64"),
            "suppressed": False,
        }
    )
    tables = {
        "monthly_active": monthly,
        "power_users": power,
        "activation": activation.drop(columns="month"),
        "seat_use": seat_use,
        "stages": stages,
    }
    return PublishedRun.open(write_tables(tmp_path, tables))


def test_when_counts_move_then_the_largest_change_comes_first_and_news_is_outside_its_band(tmp_path):
    moved = report_review.what_moved(_legal(tmp_path), "Legal")
    # +50 (band +-1.96 x sqrt(250) = +-31: news), +20 (+-1.96 x sqrt(100) = +-19.6: news), +2, 0; Gemini
    # is hidden in September and left out, Sales' team is not part of Legal.
    assert moved[["what", "change", "news"]].values.tolist() == [
        ["Monthly active: Any AI tool", 50.0, True],
        ["Monthly active: Legal / Contracts", 20.0, True],
        ["Monthly active: ChatGPT Enterprise", 2.0, False],
        ["Power users: ChatGPT Enterprise", 0.0, False],
    ]
    assert moved.loc[0, "change_low"] == pytest.approx(50 - 1.959964 * 250**0.5, abs=1e-4)


def test_when_a_department_stalls_and_seats_sit_idle_then_the_next_steps_say_what_to_do(tmp_path):
    steps = report_review.next_steps(_legal(tmp_path), "Legal")
    assert steps[0].startswith("Where adoption stalls in Legal, run a first-week onboarding")
    assert steps[1] == (
        "Ask the holders of the 60 idle ChatGPT Enterprise seats (of 140) whether they need them, and "
        "reclaim those that are not wanted."
    )
    assert len(steps) == 2  # seat moves are the organisation's


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory) -> PublishedRun:
    return PublishedRun.open(write_published_fixture(tmp_path_factory.mktemp("published")))


def test_when_the_month_is_reviewed_then_the_lessons_are_the_headline_trend_stall_and_news(fixture_run):
    lessons = report_review.lessons(fixture_run, "ALL")
    assert lessons[0].startswith("By the end of October 2026")
    assert lessons[1].startswith("Over 26 shown weeks, weekly active people in the whole organisation grew")
    assert lessons[2].startswith("Adoption in the whole organisation stalls most")
    assert lessons[3] == "No monthly change was larger than chance alone would make."


def test_when_a_group_is_too_small_then_nothing_moved_and_no_step_rests_on_hidden_numbers(fixture_run):
    assert report_review.what_moved(fixture_run, SMALL_DEPARTMENT).empty
    steps = report_review.next_steps(fixture_run, SMALL_DEPARTMENT)
    assert steps == [f"Nothing in {SMALL_DEPARTMENT}'s shown numbers calls for a change: keep the course."]
