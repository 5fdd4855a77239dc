"""Benchmarks: the bundled reference table, the user's own, and a tiny organisation placed against them.

Alpha: a1..a4; Beta: b1, b2. The window is 2026-03-02..2026-03-15: 14 days, 2 weeks. Events in it: a1 10,
a2 20, a3 30, a4 100, b1 5, b2 15 (a1's 03-20 row is outside). Seats on 03-15: a1, a2 (Alpha), b1 (two
tools, one holder: Beta). Percentiles interpolate linearly at position q x (n - 1) of the sorted values.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from adoption_kit.errors import InputFileError
from adoption_kit.metrics.benchmarks import (
    COLUMNS,
    observed_metrics,
    place_against_benchmarks,
    read_benchmarks,
)

SINCE, UNTIL = date(2026, 3, 2), date(2026, 3, 15)
RATIO = "frontier_to_median_messages_per_worker"
PER_SEAT = "messages_per_seat_per_week"
HEADER = ",".join(COLUMNS)


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {"person_id": ["a1", "a2", "a3", "a4", "b1", "b2"], "department": ["Alpha"] * 4 + ["Beta"] * 2}
    )


@pytest.fixture
def activity() -> pd.DataFrame:
    rows = [
        ("a1", "chatgpt_enterprise", "2026-03-03", 10),
        ("a1", "chatgpt_enterprise", "2026-03-20", 99),  # after the window
        ("a2", "chatgpt_enterprise", "2026-03-04", 20),
        ("a3", "github_copilot", "2026-03-05", 30),
        ("a4", "chatgpt_enterprise", "2026-03-06", 60),
        ("a4", "github_copilot", "2026-03-10", 40),
        ("b1", "chatgpt_enterprise", "2026-03-11", 5),
        ("b2", "chatgpt_enterprise", "2026-03-12", 15),
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "day", "events"])
    return frame.assign(day=pd.to_datetime(frame["day"]).astype("datetime64[s]"))


@pytest.fixture
def seats() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "person_id": ["a1", "a2", "b1", "b1"],
            "tool": ["chatgpt_enterprise", "chatgpt_enterprise", "chatgpt_enterprise", "github_copilot"],
            "assigned_on": pd.to_datetime(["2026-01-01"] * 4),
            "removed_on": pd.NaT,
        }
    )
    return frame


def test_when_reading_the_bundled_table_then_every_figure_has_a_source_a_date_and_an_address():
    table = read_benchmarks()
    assert list(table.columns) == list(COLUMNS)
    assert table.loc[table["metric"] == RATIO, "value"].tolist() == [6.0]
    assert table["source"].str.len().gt(0).all()
    assert table["source_date"].notna().all()
    assert table["url"].str.startswith("https://").all()


def test_when_observing_then_the_spread_and_the_volume_per_seat_are_worked_out_per_group(
    activity, seats, people
):
    # Organisation: 5, 10, 15, 20, 30, 100: median at 2.5 = 17.5, p95 at 4.75 = 30 + 0.75 x 70 = 82.5,
    #   ratio 82.5 / 17.5 = 33/7; per seat 180 events / 3 holders / 2 weeks = 30.
    # Alpha: 10, 20, 30, 100: median 25, p95 at 2.85 = 30 + 0.85 x 70 = 89.5, ratio 3.58; 160 / 2 / 2 = 40.
    # Beta: 5, 15: median 10, p95 at 0.95 = 14.5, ratio 1.45; 20 / 1 / 2 = 10.
    organisation = observed_metrics(activity, seats, people, by=None, since=SINCE, until=UNTIL)
    assert organisation.set_index("metric")["observed"].to_dict() == pytest.approx(
        {RATIO: 33 / 7, PER_SEAT: 30.0}
    )
    assert organisation.set_index("metric")["people"].to_dict() == {RATIO: 6, PER_SEAT: 3}
    groups = observed_metrics(activity, seats, people, by="department", since=SINCE, until=UNTIL)
    observed = groups.set_index(["department", "metric"])["observed"]
    assert observed.to_dict() == pytest.approx(
        {("Alpha", RATIO): 3.58, ("Alpha", PER_SEAT): 40.0, ("Beta", RATIO): 1.45, ("Beta", PER_SEAT): 10.0}
    )
    # the two most active people make 130 of 180 events, of Alpha's 160, all of Beta's 20
    assert organisation["top_share"].tolist() == pytest.approx([130 / 180] * 2)
    top = groups.set_index(["department", "metric"])["top_share"]
    assert top.to_dict() == pytest.approx(
        {
            ("Alpha", RATIO): 130 / 160,
            ("Alpha", PER_SEAT): 130 / 160,
            ("Beta", RATIO): 1,
            ("Beta", PER_SEAT): 1,
        }
    )


def test_when_one_tool_is_asked_then_only_its_events_and_seats_count(activity, seats, people):
    # ChatGPT only: 5, 10, 15, 20, 60 (a3 never used it): per seat 110 / 3 / 2.
    result = observed_metrics(
        activity, seats, people, by=None, tool="chatgpt_enterprise", since=SINCE, until=UNTIL
    )
    per_seat = result.set_index("metric").loc[PER_SEAT]
    assert per_seat["observed"] == pytest.approx(110 / 6)
    assert per_seat["people"] == 3


def test_when_placing_then_the_organisation_and_each_department_get_a_ratio_to_the_reference(
    activity, seats, people
):
    # Bundled: frontier workers send 6x the median worker. Alpha's spread 3.58 is 3.58 / 6 of it.
    result = place_against_benchmarks(activity, seats, people, read_benchmarks(), since=SINCE, until=UNTIL)
    ratios = result.set_index(["scope", "group"])["ratio"]
    assert ratios.to_dict() == pytest.approx(
        {
            ("organisation", "ALL"): 33 / 7 / 6,
            ("department", "Alpha"): 3.58 / 6,
            ("department", "Beta"): 1.45 / 6,
        }
    )
    assert result["source"].eq("OpenAI, The state of enterprise AI (2025 report)").all()


def test_when_the_user_brings_peer_data_then_it_replaces_the_bundled_table(activity, seats, people, tmp_path):
    path = tmp_path / "peers.csv"
    path.write_text(f"{HEADER}\n{PER_SEAT},20,events per seat per week,our peers,Peer survey,2026-01-31,,\n")
    result = place_against_benchmarks(
        activity, seats, people, read_benchmarks(path), since=SINCE, until=UNTIL
    )
    # Per seat: organisation 30 / 20, Alpha 40 / 20, Beta 10 / 20; the spread has no peer figure.
    assert result.set_index("group")["ratio"].to_dict() == {"ALL": 1.5, "Alpha": 2.0, "Beta": 0.5}
    assert set(result["metric"]) == {PER_SEAT}


@pytest.mark.parametrize(
    ("text", "row", "column"),
    [
        # the header lacks source_date
        ("metric,value,unit,population,source,url,note\nm,1,x,p,s,,\n", 1, "source_date"),
        # a figure written in words
        (f"{HEADER}\nm,1,x,p,s,2025-12-08,,\nm,six,x,p,s,2025-12-08,,\n", 3, "value"),
        # a figure without its source
        (f"{HEADER}\nm,1,x,p,,2025-12-08,,\n", 2, "source"),
        # a date that is not YYYY-MM-DD
        (f"{HEADER}\nm,1,x,p,s,Dec 2025,,\n", 2, "source_date"),
        # a zero reference would make every ratio infinite
        (f"{HEADER}\nm,0,x,p,s,2025-12-08,,\n", 2, "value"),
    ],
)
def test_when_the_peer_table_is_malformed_then_the_error_names_file_row_and_column(
    tmp_path, text, row, column
):
    path = tmp_path / "peers.csv"
    path.write_text(text)
    with pytest.raises(InputFileError) as caught:
        read_benchmarks(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, row, column)


def test_when_the_peer_table_is_missing_then_the_error_names_the_file(tmp_path):
    with pytest.raises(InputFileError) as caught:
        read_benchmarks(tmp_path / "absent.csv")
    assert caught.value.path == tmp_path / "absent.csv"
