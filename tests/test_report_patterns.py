"""When and for what AI is used, as a report tells it: shares of shown events only, and a section that
says so when its table is not in the run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import report_patterns
from adoption_kit.publish import PublishedRun
from tests.published_fixture import write_published_fixture, write_tables


def _profile(slot: str, rows: list[tuple[str, int, int | None]]) -> pd.DataFrame:
    """Rows (tool, slot, events) of Legal's profile table (None: hidden)."""
    frame = pd.DataFrame(rows, columns=["tool", slot, "events"])
    events = frame["events"].astype("Int64")
    return frame.assign(
        group_by="department", group="Legal", events=events, people=events // 10, suppressed=events.isna()
    )


def _run(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> PublishedRun:
    return PublishedRun.open(write_tables(tmp_path, tables))


@pytest.mark.parametrize(
    ("section", "table", "slot"),
    [
        (report_patterns.hourly_profile, "hourly_profile", "hour"),
        (report_patterns.weekday_profile, "weekday_profile", "weekday"),
    ],
)
def test_when_a_cell_is_hidden_then_shares_count_the_shown_cells_and_the_note_names_the_tool(
    tmp_path, section, table, slot
):
    rows = [("cursor", 1, 300), ("cursor", 2, 100), ("cursor", 3, None), ("gemini", 1, 500)]
    shown = section(_run(tmp_path, {table: _profile(slot, rows)}), "Legal")
    cursor = shown.table.loc[shown.table["tool"] == "cursor", "share"]
    assert cursor.tolist()[:2] == [0.75, 0.25]  # 300 and 100 of the 400 shown events
    assert pd.isna(cursor.iloc[2])
    assert shown.note == f"Some {slot}s are hidden for Cursor: their shares count the shown ones only."


def test_when_use_cases_are_shown_then_each_tool_and_all_shown_tools_get_category_shares(tmp_path):
    rows = [
        ("cursor", "coding", 600),
        ("cursor", "writing", 200),
        ("gemini", "writing", 200),
        ("gemini", "research", None),  # hidden: left out of Gemini's and the overall total
    ]
    frame = _profile("category", rows).assign(month=pd.Timestamp("2026-10-01"))
    mix = report_patterns.use_case_mix(_run(tmp_path, {"use_cases": frame}), "Legal")
    shares = mix.table.set_index(["tool", "category"])["share"]
    assert shares[("cursor", "coding")] == 0.75
    assert shares[("gemini", "writing")] == 1.0
    assert shares[("all shown tools", "writing")] == 0.4  # 400 of the 1,000 shown events
    assert shares[("all shown tools", "coding")] == 0.6
    assert "hidden for Gemini" in mix.note


@pytest.fixture(scope="module")
def run_without_profiles(tmp_path_factory) -> PublishedRun:
    left_out = ("hourly_profile", "weekday_profile", "use_cases")
    return PublishedRun.open(write_published_fixture(tmp_path_factory.mktemp("published"), left_out=left_out))


@pytest.mark.parametrize(
    ("section", "note"),
    [
        (report_patterns.hourly_profile, "Hourly profile is not available in this run."),
        (report_patterns.weekday_profile, "Weekday profile is not available in this run."),
        (report_patterns.use_case_mix, "Use cases is not available in this run."),
    ],
)
def test_when_the_table_is_not_in_the_run_then_the_section_is_empty_and_says_so(
    run_without_profiles, section, note
):
    shown = section(run_without_profiles, "Engineering")
    assert shown.table.empty and not shown.available
    assert shown.note == note


def test_when_the_fixture_profile_is_read_then_the_shown_shares_of_a_tool_add_up_to_one(tmp_path):
    run = PublishedRun.open(write_published_fixture(tmp_path))
    hourly = report_patterns.hourly_profile(run, "ALL").table
    assert hourly.groupby("tool")["share"].sum().round(9).tolist() == [1.0, 1.0]


def test_when_peaks_are_shown_then_the_biggest_ratio_comes_first_and_the_note_names_its_day(tmp_path):
    run = PublishedRun.open(write_published_fixture(tmp_path))
    peaks = report_patterns.peak_headroom(run, "ALL")
    assert peaks.table["tool"].tolist() == ["github_copilot", "chatgpt_enterprise"]  # 2.5x, then 1.5x
    assert peaks.table["peak_to_percentile"].tolist() == [2.5, 1.5]
    assert peaks.note.startswith("GitHub Copilot's busiest day, Tuesday 20 October, had 2.5x the events")
    assert "95th-percentile day" in peaks.note


def test_when_every_peak_is_hidden_then_the_note_says_none_is_shown(tmp_path):
    run = PublishedRun.open(write_published_fixture(tmp_path))
    peaks = report_patterns.peak_headroom(run, "Executive Office")
    assert peaks.table.empty and peaks.note == "No tool's busiest day is shown for this group."


def test_when_the_run_has_no_peaks_then_the_section_is_not_available(tmp_path):
    run = PublishedRun.open(write_published_fixture(tmp_path, left_out=["peak_headroom"]))
    assert not report_patterns.peak_headroom(run, "ALL").available
