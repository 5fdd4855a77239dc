"""Weekday and hourly profiles, throttled requests and peak headroom on a tiny organisation.

Alpha: a1, a2; Beta: b1. March 2026 starts on a Sunday, so 03-02 and 03-09 are Mondays, 03-03 a Tuesday
and 03-07 a Saturday.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from adoption_kit.metrics.consumption import (
    ConsumptionRule,
    hourly_profile,
    peak_headroom,
    throttled_requests,
    weekday_profile,
)

W1, W2 = pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-09")


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame({"person_id": ["a1", "a2", "b1"], "department": ["Alpha", "Alpha", "Beta"]})


def _activity(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "day", "grain", "events", "throttled"])
    return frame.assign(
        day=pd.to_datetime(frame["day"]).astype("datetime64[s]"), throttled=frame["throttled"].astype("Int64")
    )


@pytest.fixture
def activity() -> pd.DataFrame:
    return _activity(
        [
            ("a1", "github_copilot", "2026-03-02", "day", 3, None),
            ("a1", "github_copilot", "2026-03-03", "day", 1, None),
            ("a2", "github_copilot", "2026-03-09", "day", 4, None),
            ("b1", "github_copilot", "2026-03-07", "day", 2, None),
            ("a1", "chatgpt_enterprise", "2026-03-01", "week", 50, None),  # no weekday: left out
            ("a2", "openai_api", "2026-03-03", "day", 10, 2),
            ("a2", "openai_api", "2026-03-05", "day", 10, 0),
            ("b1", "openai_api", "2026-03-10", "day", 5, 1),
        ]
    )


def test_when_profiling_weekdays_then_each_group_gets_seven_shares_of_its_day_grain_events(activity, people):
    # Alpha's Copilot: Monday 3 (a1) + 4 (a2) = 7, Tuesday 1: shares 7/8 and 1/8, other days 0.
    result = weekday_profile(activity, people, by="department")
    copilot = result[(result["department"] == "Alpha") & (result["tool"] == "github_copilot")]
    expected = pd.DataFrame(
        {
            "weekday": [1, 2, 3, 4, 5, 6, 7],
            "events": [7, 1, 0, 0, 0, 0, 0],
            "share": [7 / 8, 1 / 8, 0, 0, 0, 0, 0],
            "people": [2, 1, 0, 0, 0, 0, 0],
        }
    )
    assert_frame_equal(
        copilot[["weekday", "events", "share", "people"]].reset_index(drop=True), expected, check_dtype=False
    )
    # Beta's Copilot is all on Saturday; the weekly ChatGPT row has no weekday, so ChatGPT has no rows.
    beta = result[(result["department"] == "Beta") & (result["tool"] == "github_copilot")].set_index(
        "weekday"
    )
    assert beta.loc[6, "share"] == 1.0
    assert "chatgpt_enterprise" not in set(result["tool"])
    # Alpha's 'any': Copilot Monday 7 + Tuesday 1, API Tuesday 10 and Thursday 10: 28 events.
    alpha_any = result[(result["department"] == "Alpha") & (result["tool"] == "any")].set_index("weekday")
    assert alpha_any["events"].tolist() == [7, 11, 0, 10, 0, 0, 0]
    assert alpha_any.loc[2, "share"] == pytest.approx(11 / 28)


def test_when_the_weekday_profile_starts_later_then_earlier_days_are_left_out(activity, people):
    # From 03-03: Alpha's Copilot keeps Tuesday 03-03 (1) and Monday 03-09 (a2's 4), not a1's Monday 03-02.
    result = weekday_profile(activity, people, by="department", since=pd.Timestamp("2026-03-03").date())
    copilot = result[(result["department"] == "Alpha") & (result["tool"] == "github_copilot")]
    assert copilot["events"].tolist() == [4, 1, 0, 0, 0, 0, 0]


def test_when_a_source_reports_throttling_then_it_is_counted_per_week(activity, people):
    # API: week 1 a2 20 requests, 2 throttled; week 2 b1 5 requests, 1 throttled. Copilot reports nothing.
    expected = pd.DataFrame(
        {
            "tool": ["any", "any", "openai_api", "openai_api"],
            "week": [W1, W2, W1, W2],
            "requests": [20, 5, 20, 5],
            "throttled": [2, 1, 2, 1],
            "throttled_share": [0.1, 0.2, 0.1, 0.2],
            "people": [1, 1, 1, 1],
        }
    )
    result = throttled_requests(activity, people, by=None)
    assert_frame_equal(result, expected, check_dtype=False)


@pytest.fixture
def cursor_days() -> pd.DataFrame:
    # 21 days, 03-01..03-21: 10 events on the 1st, 30 on the 11th, 20 on the 21st, none on the 18 others.
    return _activity(
        [
            ("a1", "cursor", "2026-03-01", "day", 10, None),
            ("a2", "cursor", "2026-03-11", "day", 30, None),
            ("b1", "cursor", "2026-03-21", "day", 20, None),
        ]
    )


def test_when_the_peak_is_compared_with_the_95th_percentile_day_then_zero_days_count(cursor_days, people):
    # Sorted days: 18 zeros, 10, 20, 30. The 95th percentile sits at position 0.95 x 20 = 19: 20 events.
    # Peak 30 on 03-11: headroom 30 / 20 = 1.5.
    expected = pd.DataFrame(
        {
            "tool": ["any", "cursor"],
            "days": [21, 21],
            "peak_day": [pd.Timestamp("2026-03-11")] * 2,
            "peak_events": [30, 30],
            "percentile_events": [20.0, 20.0],
            "peak_to_percentile": [1.5, 1.5],
            "people": [3, 3],
            "top_share": [1.0, 1.0],  # a2 alone made the peak day's 30 events
        }
    )
    assert_frame_equal(peak_headroom(cursor_days, people), expected, check_dtype=False)


def test_when_the_span_starts_later_then_the_peak_and_its_top_share_come_from_the_later_days(people):
    # From 03-05 on: b1 2 on 03-05, 03-11 has a1 20 + a2 10 + b1 10 = 40 events, 03-12 has b1 8. The span
    # is 03-05..03-12, 8 days sorted: 0 x 5, 2, 8, 40; the 95th percentile sits at 0.95 x 7 = 6.65, so
    # 8 + 0.65 x (40 - 8) = 28.8. The two biggest on 03-11 make 30 of 40 = 0.75; 03-01's 90 events are
    # before the span.
    activity = _activity(
        [
            ("a1", "cursor", "2026-03-01", "day", 90, None),
            ("b1", "cursor", "2026-03-05", "day", 2, None),
            ("a1", "cursor", "2026-03-11", "day", 20, None),
            ("a2", "cursor", "2026-03-11", "day", 10, None),
            ("b1", "cursor", "2026-03-11", "day", 10, None),
            ("b1", "cursor", "2026-03-12", "day", 8, None),
        ]
    )
    result = peak_headroom(activity, people, since=date(2026, 3, 5), until=date(2026, 3, 12))
    cursor = result.loc[result["tool"] == "cursor"].iloc[0]
    assert cursor["days"] == 8 and cursor["peak_day"] == pd.Timestamp("2026-03-11")
    assert cursor["peak_events"] == 40 and cursor["percentile_events"] == pytest.approx(28.8)
    assert cursor["peak_to_percentile"] == pytest.approx(40 / 28.8)
    assert cursor["top_share"] == pytest.approx(0.75) and cursor["people"] == 3


def test_when_the_reference_day_is_the_median_then_a_zero_median_leaves_headroom_empty(cursor_days, people):
    result = peak_headroom(cursor_days, people, rule=ConsumptionRule(peak_percentile=0.5))
    assert result["percentile_events"].tolist() == [0.0, 0.0]
    assert result["peak_to_percentile"].isna().all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a1", "a2", "b1"]),
            st.sampled_from(["cursor", "github_copilot"]),
            st.integers(min_value=0, max_value=30).map(
                lambda d: pd.Timestamp("2026-03-01") + pd.Timedelta(days=d)
            ),
            st.integers(min_value=0, max_value=50),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_when_use_is_random_then_weekday_shares_sum_to_one_wherever_there_are_events(rows):
    people = pd.DataFrame({"person_id": ["a1", "a2", "b1"], "department": ["Alpha", "Alpha", "Beta"]})
    activity = pd.DataFrame(rows, columns=["person_id", "tool", "day", "events"]).assign(grain="day")
    result = weekday_profile(activity.astype({"day": "datetime64[s]"}), people, by="department")
    totals = result.groupby(["department", "tool"]).agg(events=("events", "sum"), share=("share", "sum"))
    assert totals.loc[totals["events"] > 0, "share"].to_numpy() == pytest.approx(1.0)
    assert result.groupby(["department", "tool"]).size().eq(7).all()


def _hours(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "day", "hour", "events", "throttled"])
    return frame.assign(
        day=pd.to_datetime(frame["day"]).astype("datetime64[s]"),
        hour=frame["hour"].astype("int8"),
        throttled=frame["throttled"].astype("Int64"),
    )


@pytest.fixture
def activity_hours() -> pd.DataFrame:
    return _hours(
        [
            ("a1", "openai_api", "2026-03-02", 9, 4, 1),
            ("a2", "openai_api", "2026-03-02", 9, 2, 0),
            ("a2", "openai_api", "2026-03-03", 14, 2, 0),
            ("a1", "cursor", "2026-03-02", 9, 3, None),
            ("b1", "cursor", "2026-03-03", 23, 5, None),
            ("b1", "cursor", "2026-03-01", 10, 7, None),  # before `since` in the first test
        ]
    )


def _profile(result: pd.DataFrame, department: str, tool: str) -> pd.DataFrame:
    rows = result[(result["department"] == department) & (result["tool"] == tool)]
    return rows.set_index("hour")[["events", "share", "throttled", "people"]]


def test_when_profiling_hours_then_each_group_gets_24_utc_hours_with_shares_and_throttling(
    activity_hours, people
):
    result = hourly_profile(activity_hours, people, by="department", since=pd.Timestamp("2026-03-02").date())
    # Alpha, API: hour 9 a1 4 + a2 2 = 6 events (1 throttled), hour 14 a2 2: shares 6/8 and 2/8.
    api = _profile(result, "Alpha", "openai_api")
    assert api.loc[[9, 14]].to_numpy().tolist() == [[6, 0.75, 1, 2], [2, 0.25, 0, 1]]
    assert api.drop(index=[9, 14]).to_numpy().tolist() == [[0, 0.0, 0, 0]] * 22  # reported: zero, not empty
    # Alpha, Cursor: 3 events at 9, one person; Cursor never reports throttling, so it stays empty.
    cursor = _profile(result, "Alpha", "cursor")
    assert (cursor.loc[9, "events"], cursor.loc[9, "share"], cursor.loc[9, "people"]) == (3, 1.0, 1)
    assert cursor["throttled"].isna().all()
    # Alpha, any: hour 9 6 + 3 = 9 events by a1 and a2 (1 throttled, from the API), hour 14 2: of 11.
    alpha = _profile(result, "Alpha", "any")
    assert alpha.loc[[9, 14], ["events", "throttled", "people"]].to_numpy().tolist() == [[9, 1, 2], [2, 0, 1]]
    assert alpha.loc[[9, 14], "share"].tolist() == pytest.approx([9 / 11, 2 / 11])
    # Beta: b1's 5 events at 23 on 03-03; the 7 of 03-01 come before `since`.
    beta = _profile(result, "Beta", "cursor")
    assert beta.loc[23, "events"] == 5 and beta["events"].sum() == 5 and beta.loc[23, "share"] == 1.0
    assert result.groupby(["department", "tool"]).size().to_dict() == {
        ("Alpha", "any"): 24,
        ("Alpha", "cursor"): 24,
        ("Alpha", "openai_api"): 24,
        ("Beta", "any"): 24,
        ("Beta", "cursor"): 24,
    }
    columns = ["department", "tool", "hour", "events", "share", "throttled", "people", "top_share"]
    assert list(result.columns) == columns
    # a1 and a2 make all 6 API events of Alpha's hour 9: the two biggest contributors are everything
    assert (
        result.set_index(["department", "tool", "hour"]).loc[("Alpha", "openai_api", 9), "top_share"] == 1.0
    )


def test_when_no_days_are_bounded_then_the_hourly_profile_counts_every_day(activity_hours, people):
    # Beta's Cursor: 7 events at 10 (03-01) and 5 at 23 (03-03): shares 7/12 and 5/12; until 03-02: 7 only.
    beta = _profile(hourly_profile(activity_hours, people, by="department"), "Beta", "cursor")
    assert beta.loc[[10, 23], "share"].tolist() == pytest.approx([7 / 12, 5 / 12])
    until = hourly_profile(activity_hours, people, by=None, until=pd.Timestamp("2026-03-02").date())
    assert until.loc[until["tool"] == "cursor"].set_index("hour").loc[[9, 10], "events"].tolist() == [3, 7]
    assert until.groupby("tool")["events"].sum().to_dict() == {"any": 16, "cursor": 10, "openai_api": 6}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a1", "a2", "b1"]),
            st.sampled_from(["cursor", "openai_api"]),
            st.integers(min_value=0, max_value=30).map(
                lambda d: pd.Timestamp("2026-03-01") + pd.Timedelta(days=d)
            ),
            st.integers(min_value=0, max_value=23),
            st.integers(min_value=1, max_value=50),
        ),
        min_size=1,
        max_size=30,
        unique_by=lambda row: row[:4],
    )
)
def test_when_hours_are_random_then_shares_sum_to_one_and_hours_add_up_to_the_days(rows):
    people = pd.DataFrame({"person_id": ["a1", "a2", "b1"], "department": ["Alpha", "Alpha", "Beta"]})
    hours = pd.DataFrame(rows, columns=["person_id", "tool", "day", "hour", "events"]).assign(throttled=pd.NA)
    result = hourly_profile(
        hours.astype({"day": "datetime64[s]", "hour": "int8", "throttled": "Int64"}), people
    )
    cells = result.groupby(["department", "tool"])
    assert cells.size().eq(24).all()
    assert cells["share"].sum().to_numpy() == pytest.approx(1.0)
    # The same rows summed per person, tool and day are day-grain activity: its weekday profile has the
    # same events per group and tool.
    days = hours.groupby(["person_id", "tool", "day"], as_index=False)["events"].sum().assign(grain="day")
    weekdays = weekday_profile(days.astype({"day": "datetime64[s]"}), people)
    assert cells["events"].sum().equals(weekdays.groupby(["department", "tool"])["events"].sum())
