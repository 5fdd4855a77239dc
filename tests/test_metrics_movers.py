"""What moved, on a tiny metric frame worked out on paper (z = 1.959964 for 95%)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adoption_kit.metrics.movers import month_over_month

FEB, MAR = "2026-02-01", "2026-03-01"


@pytest.fixture
def metrics() -> pd.DataFrame:
    rows = [
        ("Alpha", "any", "2026-01-01", "active_share", 1, 10, 10),  # January: not one of the two months
        ("Alpha", "any", FEB, "active_share", 5, 10, 10),
        ("Alpha", "any", MAR, "active_share", 8, 10, 10),
        ("Beta", "any", FEB, "active_share", 2, 4, 4),
        ("Beta", "any", MAR, "active_share", 1, 4, 4),
        ("Gamma", "any", MAR, "active_share", 3, 6, 6),  # no February row: no change to tell
        ("Alpha", "any", FEB, "events", 100, None, 5),
        ("Alpha", "any", MAR, "events", 130, None, 6),
    ]
    frame = pd.DataFrame(rows, columns=["department", "tool", "month", "metric", "count", "base", "people"])
    return frame.assign(month=pd.to_datetime(frame["month"]))


def test_when_two_months_are_compared_then_movers_are_sorted_within_each_metric(metrics):
    result = month_over_month(metrics, by="department", month=date(2026, 3, 1))
    assert result.columns.tolist() == [
        "department",
        "tool",
        "metric",
        "kind",
        "previous",
        "current",
        "change",
        "change_low",
        "change_high",
        "people",
    ]
    # active_share: Alpha +0.30 before Beta -0.25; then events
    assert result[["department", "metric", "kind"]].values.tolist() == [
        ["Alpha", "active_share", "rate"],
        ["Beta", "active_share", "rate"],
        ["Alpha", "events", "count"],
    ]
    assert result["change"].tolist() == pytest.approx([0.3, -0.25, 30.0])
    assert result["people"].tolist() == [10, 4, 5]  # the smaller month


def test_when_a_rate_moves_then_its_band_is_newcombes_hybrid_score():
    # Alpha: Wilson(5/10) = (0.236593, 0.763407), Wilson(8/10) = (0.490156, 0.943318);
    # low = 0.3 - sqrt((0.8 - 0.490156)^2 + (0.763407 - 0.5)^2) = 0.3 - 0.406672 = -0.106672
    # high = 0.3 + sqrt((0.943318 - 0.8)^2 + (0.5 - 0.236593)^2) = 0.3 + 0.299872 = 0.599872
    frame = pd.DataFrame(
        {
            "department": ["Alpha", "Alpha"],
            "month": pd.to_datetime([FEB, MAR]),
            "metric": "active_share",
            "count": [5, 8],
            "base": [10, 10],
            "people": [10, 10],
        }
    )
    row = month_over_month(frame, by="department", month=date(2026, 3, 1)).iloc[0]
    assert (row["change_low"], row["change_high"]) == pytest.approx((-0.106672, 0.599872), abs=1e-6)


def test_when_the_proportions_are_newcombes_example_then_the_band_matches_his_table():
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 - 48/80, method 10: 0.0524 to 0.3339
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime([FEB, MAR]),
            "metric": "m",
            "count": [48, 56],
            "base": [80, 70],
            "people": 70,
        }
    )
    row = month_over_month(frame, by=None, month=date(2026, 3, 15)).iloc[0]
    assert (row["change_low"], row["change_high"]) == pytest.approx((0.0524, 0.3339), abs=5e-5)


def test_when_a_count_moves_then_its_band_is_the_poisson_normal_approximation(metrics):
    result = month_over_month(metrics, by="department", month=date(2026, 3, 1))
    row = result.set_index("metric").loc["events"]
    # 130 - 100 = 30 +- 1.959964 * sqrt(230) = 30 +- 29.724326
    assert (row["previous"], row["current"]) == (100.0, 130.0)
    assert (row["change_low"], row["change_high"]) == pytest.approx((0.275674, 59.724326), abs=1e-6)


def test_when_grouping_by_nothing_then_there_is_no_key_column(metrics):
    organisation = metrics[metrics["department"] == "Alpha"].drop(columns="department")
    result = month_over_month(organisation, by=None, month=date(2026, 3, 1))
    assert result.columns.tolist()[:3] == ["tool", "metric", "kind"]
    assert len(result) == 2


@settings(max_examples=200, deadline=None)
@given(
    previous=st.integers(0, 500),
    current=st.integers(0, 500),
    base_previous=st.integers(1, 500),
    base_current=st.integers(1, 500),
    is_rate=st.booleans(),
)
def test_when_any_change_is_banded_then_the_band_contains_it(
    previous, current, base_previous, base_current, is_rate
):
    counts = [min(previous, base_previous), min(current, base_current)] if is_rate else [previous, current]
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime([FEB, MAR]),
            "metric": "m",
            "count": counts,
            "base": [base_previous, base_current] if is_rate else [None, None],
            "people": [1, 1],
        }
    )
    row = month_over_month(frame, by=None, month=date(2026, 3, 1)).iloc[0]
    assert row["change_low"] <= row["change"] <= row["change_high"]
    assert row["kind"] == ("rate" if is_rate else "count")
