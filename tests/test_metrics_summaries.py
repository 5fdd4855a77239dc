"""The person-level summaries queries share: computed from the activity they are given, once per block.

The organisation is random (hypothesis is not needed: one fixed seed gives hundreds of people, tools,
weekly and daily rows); every check compares a metric computed inside :func:`query.sharing` with the same
metric computed alone, and counts the summaries the engine was asked for.
"""

from __future__ import annotations

import contextvars
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from adoption_kit import metrics
from adoption_kit.errors import KitError
from adoption_kit.metrics import query
from adoption_kit.metrics.engines import ENGINES, EngineSettings, register
from adoption_kit.metrics.engines.duckdb_engine import DuckDBEngine

AS_OF = date(2026, 3, 31)
TOOLS = ("chatgpt_enterprise", "github_copilot", "claude_code")


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    count = 300
    return pd.DataFrame(
        {
            "person_id": [f"p{i:03d}" for i in range(count)],
            "department": rng.choice(["Alpha", "Beta", "Gamma"], count),
            "team": rng.choice(["one", "two"], count),
            "location": rng.choice(["Paris", "Lima"], count),
            "employed_from": pd.Timestamp("2025-01-01")
            + pd.to_timedelta(rng.integers(0, 450, count), unit="D"),
            "employed_to": pd.NaT,
        }
    )


@pytest.fixture(scope="module")
def activity(people: pd.DataFrame) -> pd.DataFrame:
    """Daily rows, and weekly rows dated on their Sunday, over January to April (April past ``AS_OF``)."""
    rng = np.random.default_rng(11)
    count = 6000
    days = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 120, count), unit="D")
    weekly = rng.random(count) < 0.3
    days = days.where(~weekly, days - pd.to_timedelta((days.day_of_week + 1) % 7, unit="D"))
    return pd.DataFrame(
        {
            "person_id": rng.choice(people["person_id"], count),
            "tool": rng.choice(TOOLS, count),
            "day": days,
            "grain": np.where(weekly, "week", "day"),
            "surface": rng.choice(["web", "ide", None], count),
            "events": rng.integers(1, 40, count).astype("int32"),
        }
    )


class _Recording(DuckDBEngine):
    """DuckDB, writing down the summaries it is asked to compute."""

    summaries: Counter = Counter()
    delay = 0.0  # seconds each summary takes at least, so that threads ask for it while it is computed

    def summarise(self, sql, parameters, tables):
        for name, summary in query.SUMMARIES.items():
            if sql == summary.sql:
                self.summaries[name] += 1
        time.sleep(self.delay)
        return super().summarise(sql, parameters, tables)


@pytest.fixture
def recording() -> Iterator[Counter]:
    register("recording", lambda settings: _Recording())
    _Recording.summaries = Counter()
    _Recording.delay = 0.0
    try:
        with query.using(EngineSettings("recording")):
            yield _Recording.summaries
    finally:
        ENGINES.pop("recording")


def _every_grouping(activity: pd.DataFrame, people: pd.DataFrame) -> list[pd.DataFrame]:
    frames = []
    for by in (None, "department", ("department", "team"), "location"):
        frames += [
            metrics.monthly_active_users(activity, people, by=by, until=AS_OF),
            metrics.events_per_active_user(activity, people, by=by, until=AS_OF),
            metrics.changes_only_by_joiners_and_leavers(
                activity, people, by=by, until=AS_OF, period="week", fewer_than=3
            ),
            metrics.seat_activation(
                activity[["person_id", "tool"]]
                .drop_duplicates()
                .assign(assigned_on=pd.Timestamp("2026-01-01"), removed_on=pd.NaT),
                activity,
                people,
                by=by,
                as_of=AS_OF,
            ),
        ]
    return frames


def test_when_a_block_shares_summaries_then_each_is_computed_once_and_every_result_is_unchanged(
    activity, people, recording
):
    alone = _every_grouping(activity, people)
    computed_alone = dict(recording)
    recording.clear()
    with query.sharing():
        shared = _every_grouping(activity, people)

    assert computed_alone == {
        "person_weeks": 12,
        "person_months": 4,
        "activity_tools": 12,
        "person_first_days": 4,
    }
    assert dict(recording) == {
        "person_weeks": 1,
        "person_months": 1,
        "activity_tools": 1,
        "person_first_days": 1,
    }
    for one, other in zip(alone, shared, strict=True):
        assert_frame_equal(one, other)


def test_when_threads_of_a_block_ask_for_the_same_summaries_at_once_then_each_is_computed_once(
    activity, people, recording
):
    alone = _every_grouping(activity, people)
    recording.clear()
    _Recording.delay = 0.2
    with query.sharing(), ThreadPoolExecutor(4) as pool:
        runs = [
            pool.submit(contextvars.copy_context().run, _every_grouping, activity, people) for _ in range(4)
        ]
        shared = [run.result() for run in runs]

    assert dict(recording) == {
        "person_weeks": 1,
        "person_months": 1,
        "activity_tools": 1,
        "person_first_days": 1,
    }
    for frames in shared:
        for one, other in zip(alone, frames, strict=True):
            assert_frame_equal(one, other)


def test_when_the_activity_or_the_cut_off_changes_inside_a_block_then_the_summary_is_computed_again(
    activity, people, recording
):
    fewer = activity.iloc[: len(activity) // 2]
    with query.sharing():
        full = metrics.weekly_active_users(activity, people, by="department", until=AS_OF)
        half = metrics.weekly_active_users(fewer, people, by="department", until=AS_OF)
        earlier = metrics.weekly_active_users(activity, people, by="department", until=date(2026, 2, 15))
        again = metrics.weekly_active_users(activity, people, by="department", until=AS_OF)

    assert recording["person_weeks"] == 3
    assert_frame_equal(half, metrics.weekly_active_users(fewer, people, by="department", until=AS_OF))
    assert_frame_equal(
        earlier, metrics.weekly_active_users(activity, people, by="department", until=date(2026, 2, 15))
    )
    assert_frame_equal(full, again)
    assert half["wau"].sum() < full["wau"].sum()
    assert earlier["week"].max() < full["week"].max()


def test_when_weekly_turnover_is_flagged_from_the_summary_then_it_matches_the_sets_worked_out_in_pandas(
    activity, people
):
    """``joined`` / ``leaving`` in the weekly summary against the people who came and went, week to week.

    Everyone joins after the data ends, so every change is turnover and a week is flagged exactly when
    fewer than ``fewer_than`` people came or went (and some did)."""
    activity = activity.loc[activity["person_id"] < "p030"]  # a few people: changes of a few
    people = people.assign(employed_from=pd.Timestamp("2030-01-01"))
    fewer_than = 4
    flags = metrics.changes_only_by_joiners_and_leavers(
        activity, people, by="department", until=AS_OF, period="week", fewer_than=fewer_than
    )
    monday = activity["day"] + pd.to_timedelta((activity["grain"] == "week").astype(int), unit="D")
    used = activity.assign(week=monday.dt.to_period("W").dt.start_time).loc[
        lambda f: f["day"] <= "2026-03-31"
    ]
    used = used.merge(people[["person_id", "department"]])
    first_week = used["week"].min()
    for (department, tool, week), flagged in flags.set_index(["department", "tool", "week"])[
        "isolates_turnover"
    ].items():
        in_cell = used.loc[used["department"] == department]
        in_cell = in_cell if tool == "any" else in_cell.loc[in_cell["tool"] == tool]
        now = set(in_cell.loc[in_cell["week"] == week, "person_id"])
        before = set(in_cell.loc[in_cell["week"] == week - pd.Timedelta(days=7), "person_id"])
        assert flagged == (week > first_week and 0 < len(now ^ before) < fewer_than), (department, tool, week)
    assert flags["isolates_turnover"].any() and not flags["isolates_turnover"].all()


def test_when_only_some_tools_are_asked_for_then_their_rows_are_those_of_every_tool(activity, people):
    for tools in (["any"], ["github_copilot", "any"]):
        for by in (None, ("department", "team")):
            everything = metrics.monthly_active_users(activity, people, by=by, until=AS_OF)
            some = metrics.monthly_active_users(activity, people, by=by, until=AS_OF, tools=tools)
            assert_frame_equal(some, everything.loc[everything["tool"].isin(tools)].reset_index(drop=True))
            options = {"by": by, "until": AS_OF, "period": "month", "fewer_than": 5}
            everything = metrics.changes_only_by_joiners_and_leavers(activity, people, **options)
            some = metrics.changes_only_by_joiners_and_leavers(activity, people, **options, tools=tools)
            assert_frame_equal(some, everything.loc[everything["tool"].isin(tools)].reset_index(drop=True))
            assert set(some["tool"]) == set(tools)


def test_when_a_query_names_a_summary_without_its_source_then_it_is_refused(people):
    with pytest.raises(KitError, match="person_weeks"):
        query.run_sql("SELECT count(*) AS n FROM person_weeks", None, {"until": AS_OF}, people=people)
