"""Weekday profile, throttled requests and peak headroom on a tiny organisation.

Alpha: a1, a2; Beta: b1. March 2026 starts on a Sunday, so 03-02 and 03-09 are Mondays, 03-03 a Tuesday
and 03-07 a Saturday.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from adoption_kit.metrics.consumption import (
    ConsumptionRule,
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
        }
    )
    assert_frame_equal(peak_headroom(cursor_days, people), expected, check_dtype=False)


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
