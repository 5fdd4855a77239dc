"""Microsoft 365 Copilot user counts (summary and trend): tenant-wide aggregates, totals counted by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import m365_copilot_counts
from adoption_kit.sources._tabular import read_text

DOCS = "m365_copilot/docs_examples"
SAMPLES = [
    f"{DOCS}/user_count_summary_v1.0_csv_example.csv",
    f"{DOCS}/user_count_trend_v1.0_csv_example.csv",
    f"{DOCS}/user_count_summary_beta_json_example.json",
    f"{DOCS}/user_count_trend_beta_json_example.json",
]
SUMMARY_HEADER = "Report Refresh Date,Report Period,Word Enabled Users,Word Active Users"
TREND_HEADER = "Report Refresh Date,Report Date,Word Enabled Users,Word Active Users,Report Period"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def _totals(aggregates: pd.DataFrame) -> dict[str, float]:
    measure = aggregates["metric"].str.extract(r"(enabled|active)_users", expand=False)
    return aggregates.groupby(measure)["value"].sum().to_dict()


# fmt: off
CSV_SAMPLES = [
    # (sample, metric suffix): 9 apps x 25 enabled users = 225, every active count 0, refreshed 2026-07-03
    (SAMPLES[0], "_7d"),  # summary: counts over the 7 days to the refresh date
    (SAMPLES[1], ""),     # trend: the counts of report date 2026-07-03
]
# fmt: on


@pytest.mark.parametrize(("sample", "suffix"), CSV_SAMPLES)
def test_when_reading_a_csv_example_then_every_app_has_its_enabled_and_active_users(formats, sample, suffix):
    extract = sources.read(formats / sample)
    aggregates = extract.tables["aggregates"]
    assert extract.source == "m365_copilot_user_counts"
    assert len(aggregates) == 18
    assert _totals(aggregates) == {"active": 0.0, "enabled": 225.0}
    assert set(aggregates["day"]) == {pd.Timestamp("2026-07-03")}
    assert {"word_active_users" + suffix, "any_app_enabled_users" + suffix} <= set(aggregates["metric"])
    assert set(aggregates[["tool", "scope", "scope_id", "grain"]].itertuples(index=False, name=None)) == {
        ("m365_copilot", "organisation", "tenant", "day")
    }
    assert extract.exported_at == pd.Timestamp("2026-07-03")
    assert extract.identity is None and extract.coverage == ()


def test_when_reading_the_summary_json_then_counts_are_over_the_seven_day_period(formats):
    aggregates = sources.read(formats / SAMPLES[2]).tables["aggregates"]
    # enabled: any app 359,229 + 8 apps x 359,096 = 3,231,997
    # active: 165,115 + 123,341 + 21,459 + 8,530 + 37,270 + 6,709 + 1,660 + 1,345 + 65,480 = 430,909
    assert _totals(aggregates) == {"active": 430909.0, "enabled": 3231997.0}
    assert aggregates.set_index("metric")["value"]["word_active_users_7d"] == 21459
    assert set(aggregates["day"]) == {pd.Timestamp("2025-08-20")}


def test_when_reading_the_trend_json_then_counts_are_on_their_report_date(formats):
    aggregates = sources.read(formats / SAMPLES[3]).tables["aggregates"]
    # enabled: any app 357,584 + 8 apps x 357,451 = 3,217,192
    # active: 94,745 + 72,272 + 6,602 + 2,231 + 11,786 + 1,712 + 492 + 340 + 26,609 = 216,789
    assert _totals(aggregates) == {"active": 216789.0, "enabled": 3217192.0}
    assert aggregates.set_index("metric")["value"]["teams_active_users"] == 72272
    assert set(aggregates["day"]) == {pd.Timestamp("2025-08-20")}


def test_when_a_trend_has_several_days_and_an_empty_cell_then_each_day_has_its_counts(tmp_path):
    text = TREND_HEADER + "\n2026-07-03,2026-07-02,25,4,7\n2026-07-03,2026-07-03,25,,7\n"
    aggregates = m365_copilot_counts.read(_write(tmp_path, "t.csv", text)).tables["aggregates"]
    # the empty active count of 07-03 is not a zero: no row
    assert sorted(aggregates[["day", "metric", "value"]].astype(str).itertuples(index=False, name=None)) == [
        ("2026-07-02", "word_active_users", "4.0"),
        ("2026-07-02", "word_enabled_users", "25.0"),
        ("2026-07-03", "word_enabled_users", "25.0"),
    ]


def test_when_detecting_then_only_this_module_claims_its_samples(formats):
    claimed = {
        str(path.relative_to(formats))
        for path in formats.rglob("*")
        if path.suffix in (".csv", ".json", ".ndjson")
        and m365_copilot_counts.sniff(read_text(path)[: sources.SNIFF_CHARACTERS])
    }
    assert claimed == set(SAMPLES)
    for sample in SAMPLES:
        assert sources.detect(formats / sample) is m365_copilot_counts


# fmt: off
BAD = [
    # (file name, content, row, column, words of the message)
    ("no_refresh.csv", "Report Period,Word Enabled Users,Word Active Users\n7,25,3\n", None,
     "Report Refresh Date", "missing column"),                      # the snapshot's date is missing
    ("no_period.csv", "Report Refresh Date,Word Enabled Users,Word Active Users\n2026-07-03,25,3\n", None,
     "Report Period", "missing column"),                            # a summary must say over how many days
    ("no_refresh.json", json.dumps({"value": [{"adoptionByDate": [{"reportDate": "2026-07-03",
     "wordEnabledUsers": 1, "wordActiveUsers": 1}]}]}), None, "value[].reportRefreshDate",
     "missing column"),                                             # the same, in JSON
    ("lots.csv", SUMMARY_HEADER + "\n2026-07-03,7,25,lots\n", 2, "Word Active Users",
     "'lots'"),                                                     # not a count
    ("bad_day.csv", TREND_HEADER + "\n2026-07-03,2026-07-03,25,1,7\n2026-07-03,3 July,25,1,7\n", 3,
     "Report Date", "'3 July'"),                                    # not an ISO date
    ("bad_day.json", json.dumps({"value": [{"reportRefreshDate": "2026-07-03", "adoptionByDate": [
     {"reportDate": "July", "wordEnabledUsers": 1, "wordActiveUsers": 1}]}]}), 1,
     "value[].adoptionByDate[].reportDate", "'July'"),              # the same, in JSON
    ("twice.csv", TREND_HEADER + "\n2026-07-03,2026-07-03,25,1,7\n2026-07-03,2026-07-03,25,2,7\n", 3,
     "Report Date", "one row per report date"),                     # one day twice
]
# fmt: on


@pytest.mark.parametrize(("name", "text", "row", "column", "says"), BAD, ids=[b[0] for b in BAD])
def test_when_the_file_is_bad_then_the_error_names_file_row_and_column(
    tmp_path, name, text, row, column, says
):
    path = _write(tmp_path, name, text)
    assert sources.detect(path) is m365_copilot_counts
    with pytest.raises(InputFileError) as caught:
        m365_copilot_counts.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, row, column)
    assert says in str(caught.value)
