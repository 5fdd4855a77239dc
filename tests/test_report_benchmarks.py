"""A group's figures placed against reference figures, with source, date and ratio."""

from __future__ import annotations

import pandas as pd

from adoption_kit import report_benchmarks
from adoption_kit.metrics import read_benchmarks
from adoption_kit.publish import PublishedRun
from tests.published_fixture import write_published_fixture, write_tables


def _benchmarks(rows: list[tuple[str, str, float | None, int]]) -> pd.DataFrame:
    """Engineering's rows (tool, metric, observed, people); a row under 5 people is suppressed."""
    frame = pd.DataFrame(rows, columns=["tool", "metric", "observed", "people"])
    hidden = frame["people"] < 5
    return frame.assign(
        group_by="department",
        group="Engineering",
        observed=frame["observed"].mask(hidden),
        people=frame["people"].astype("Int64").mask(hidden),
        suppressed=hidden,
    )


def test_when_the_frontier_spread_is_shown_then_it_is_placed_against_the_reference(tmp_path):
    rows = [
        ("chatgpt_enterprise", "frontier_to_median_messages_per_worker", 4.1, 80),
        ("any", "frontier_to_median_messages_per_worker", 3.0, 90),
        ("chatgpt_enterprise", "messages_per_seat_per_week", 21.5, 3),  # too few seat holders: hidden
    ]
    run = PublishedRun.open(write_tables(tmp_path, {"benchmarks": _benchmarks(rows)}))
    placed = report_benchmarks.benchmarks(run, "Engineering")
    chatgpt = placed.table.set_index("tool").loc["chatgpt_enterprise"]
    assert chatgpt["reference"] == 6 and round(chatgpt["ratio"], 3) == 0.683  # 4.1 / 6
    assert chatgpt["source_date"] == "2025-12-08"
    assert placed.table["metric"].tolist() == ["frontier_to_median_messages_per_worker"] * 2
    assert placed.note == (
        "Engineering's 95th-percentile ChatGPT Enterprise user sends 4.1x the median user's messages; "
        "OpenAI reports about 6x (The state of enterprise AI (2025 report), 2025-12-08)."
    )


def test_when_a_metric_has_no_reference_then_it_is_kept_without_ratio(tmp_path):
    rows = [("any", "messages_per_seat_per_week", 21.5, 80)]
    run = PublishedRun.open(write_tables(tmp_path, {"benchmarks": _benchmarks(rows)}))
    placed = report_benchmarks.benchmarks(run, "Engineering", reference=read_benchmarks())
    assert placed.table["observed"].tolist() == [21.5]
    assert placed.table[["reference", "ratio"]].isna().all().all()
    assert placed.note == "No figure of Engineering can be placed against a reference in this run."


def test_when_benchmarks_are_not_in_the_run_then_the_section_says_so(tmp_path):
    run = PublishedRun.open(write_published_fixture(tmp_path, left_out=("benchmarks",)))
    placed = report_benchmarks.benchmarks(run, "ALL")
    assert placed.table.empty and placed.note == "Benchmarks is not available in this run."
