"""DAU and the trend line on a tiny organisation worked out on paper.

Alpha: a1, a2, a3; Beta: b1. Copilot rows are daily; ChatGPT rows are weekly (dated on their Sunday) and
M365 rows monthly: those two never count toward DAU.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from adoption_kit.metrics.adoption import weekly_active_users
from adoption_kit.metrics.daily import active_users_trend, daily_active_users

D1, D2, D3 = pd.Timestamp("2026-03-03"), pd.Timestamp("2026-03-04"), pd.Timestamp("2026-03-05")


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame({"person_id": ["a1", "a2", "a3", "b1"], "department": ["Alpha"] * 3 + ["Beta"]})


@pytest.fixture
def activity() -> pd.DataFrame:
    rows = [
        ("a1", "github_copilot", "2026-03-03", "day", 5),
        ("a1", "github_copilot", "2026-03-04", "day", 3),
        ("a1", "github_copilot", "2026-03-04", "day", 1),  # a second surface the same day: still one person
        ("a2", "github_copilot", "2026-03-03", "day", 2),
        ("b1", "github_copilot", "2026-03-05", "day", 4),
        ("a3", "chatgpt_enterprise", "2026-03-01", "week", 9),  # weekly: no DAU
        ("a3", "m365_copilot", "2026-03-01", "month", 9),  # monthly: no DAU
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "day", "grain", "events"])
    return frame.assign(day=pd.to_datetime(frame["day"]))


def test_when_only_day_rows_count_then_dau_is_distinct_people_per_day(people, activity):
    expected = pd.DataFrame(
        {
            "department": ["Alpha"] * 6 + ["Beta"] * 6,
            "tool": (["any"] * 3 + ["github_copilot"] * 3) * 2,  # ChatGPT and M365 have no daily rows at all
            "day": [D1, D2, D3] * 4,
            # Alpha: 03-03 a1 and a2, 03-04 a1, 03-05 nobody (a zero, not a gap); Beta: b1 on 03-05
            "dau": [2, 1, 0, 2, 1, 0, 0, 0, 1, 0, 0, 1],
        }
    )
    result = daily_active_users(activity, people, by="department")
    assert_frame_equal(result, expected, check_dtype=False)


def test_when_until_is_given_then_later_days_are_left_out(people, activity):
    result = daily_active_users(activity, people, by=None, until=date(2026, 3, 4))
    assert result.columns.tolist() == ["tool", "day", "dau"]
    assert result.set_index(["tool", "day"])["dau"].to_dict() == {
        ("any", D1): 2,
        ("any", D2): 1,
        ("github_copilot", D1): 2,
        ("github_copilot", D2): 1,
    }


def weekly_series(values: list[int], start: str = "2026-03-02") -> pd.DataFrame:
    weeks = pd.date_range(start, periods=len(values), freq="7D")
    return pd.DataFrame({"department": "Alpha", "tool": "any", "week": weeks, "wau": values})


def test_when_wau_rises_then_the_slope_and_its_interval_are_least_squares():
    # x = 0, 1, 2, 3 weeks, y = 2, 4, 5, 7: Sxx = 5, Sxy = 8, slope 1.6, intercept 4.5 - 1.6 * 1.5 = 2.1;
    # Syy = 13, SSE = 13 - 1.6 * 8 = 0.2, se = sqrt(0.2 / 2 / 5) = 0.141421; t(0.975, 2) = 4.302653
    result = active_users_trend(weekly_series([2, 4, 5, 7]), by="department", value="wau", period="week")
    row = result.iloc[0]
    assert (row["department"], row["tool"], row["periods"], row["people"]) == ("Alpha", "any", 4, 7)
    assert row["first_period"] == pd.Timestamp("2026-03-02")
    assert row["level_at_start"] == pytest.approx(2.1)
    assert row["slope_per_week"] == pytest.approx(1.6)
    assert row["slope_low"] == pytest.approx(1.6 - 4.302653 * 0.141421, abs=1e-5)
    assert row["slope_high"] == pytest.approx(1.6 + 4.302653 * 0.141421, abs=1e-5)


def test_when_the_series_is_daily_or_monthly_then_the_slope_is_still_per_week():
    daily = pd.DataFrame({"tool": "any", "day": pd.date_range("2026-03-02", periods=3), "dau": [1, 2, 3]})
    by_day = active_users_trend(daily, by=None, value="dau", period="day").iloc[0]
    assert by_day["slope_per_week"] == pytest.approx(7.0)  # one more a day on a perfect line
    assert (by_day["slope_low"], by_day["slope_high"]) == pytest.approx((7.0, 7.0))
    monthly = pd.DataFrame(
        {"tool": "any", "month": pd.to_datetime(["2026-01-01", "2026-02-01"]), "mau": [10, 20]}
    )
    by_month = active_users_trend(monthly, by=None, value="mau", period="month").iloc[0]
    assert by_month["slope_per_week"] == pytest.approx(10 / (31 / 7))  # January has 31 days
    assert pd.isna(by_month["slope_low"])  # two points: no interval


def test_when_a_series_has_one_period_then_it_has_no_slope():
    result = active_users_trend(weekly_series([3]), by="department", value="wau", period="week")
    assert pd.isna(result["slope_per_week"].iloc[0])
    assert result["people"].iloc[0] == 3


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["a1", "a2", "a3", "b1"]),
            st.sampled_from(["github_copilot", "chatgpt_enterprise"]),
            st.integers(0, 27),
            st.sampled_from(["day", "week"]),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_when_any_activity_is_counted_then_dau_never_exceeds_the_wau_of_its_week(rows):
    people = pd.DataFrame({"person_id": ["a1", "a2", "a3", "b1"], "department": ["A", "A", "A", "B"]})
    activity = pd.DataFrame(rows, columns=["person_id", "tool", "offset", "grain"])
    activity = activity.assign(
        day=pd.Timestamp("2026-03-01") + pd.to_timedelta(activity["offset"], unit="D"), events=1
    )
    daily = daily_active_users(activity, people, by="department")
    weekly = weekly_active_users(activity, people, by="department")
    paired = daily.assign(week=daily["day"] - pd.to_timedelta(daily["day"].dt.day_of_week, unit="D")).merge(
        weekly, on=["department", "tool", "week"], how="left"
    )
    assert paired["wau"].notna().all()
    assert (paired["dau"] <= paired["wau"]).all()
