"""GitHub Copilot's legacy metrics API: organisation days as aggregates, nested counts summed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import copilot_legacy_metrics
from adoption_kit.sources._canonical import UNNAMED

LEGACY = "github_copilot/legacy_metrics_api"


def _write(folder: Path, document: object) -> Path:
    path = folder / "copilot-metrics.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("name", ["organization", "enterprise"])
def test_when_reading_a_sample_then_totals_match_the_file(formats, name):
    extract = sources.read(formats / LEGACY / f"{name}_metrics_response_sample.json")
    aggregates = extract.tables["aggregates"]
    assert extract.source == "github_copilot_legacy_metrics" and extract.identity is None
    assert set(extract.tables) == {"aggregates"} and extract.coverage == ()
    # 21 days, 2024-11-04 to 2024-11-24 (the two mocks hold the same numbers). Summed with jq over days:
    # total_active_users 365, total_engaged_users 360; over editors > models > languages: suggestions
    # 21,255, acceptances 6,665, lines accepted 10,726; IDE chats 2,035; github.com chats 1, PR summaries 1
    days = aggregates["day"]
    assert (days.nunique(), days.min(), days.max()) == (
        21,
        pd.Timestamp("2024-11-04"),
        pd.Timestamp("2024-11-24"),
    )
    totals = aggregates.groupby("metric")["value"].sum()
    assert totals[["total_active_users", "total_engaged_users"]].tolist() == [365, 360]
    code = ["code_suggestions", "code_acceptances", "code_lines_accepted"]
    assert totals[code].tolist() == [21255, 6665, 10726]
    assert totals[["ide_chats", "dotcom_chats", "dotcom_pr_summaries_created"]].tolist() == [2035, 1, 1]
    first = aggregates.loc[days == pd.Timestamp("2024-11-04")].set_index("metric")["value"]
    # 2024-11-04: 4 active, 4 engaged, 3 engaged with completions, 21 suggestions, 44 IDE chats
    users = ["total_active_users", "total_engaged_users", "ide_code_completions_engaged_users"]
    assert first[users].tolist() == [4, 4, 3]
    assert first[["code_suggestions", "ide_chats"]].tolist() == [21, 44]
    assert set(aggregates["scope"]) == {"organisation"} and set(aggregates["scope_id"]) == {UNNAMED}
    assert extract.unknown_fields == ()


def test_when_a_day_has_no_breakdown_then_its_counts_are_missing_not_zero(tmp_path):
    days = [{"date": "2024-11-04", "total_active_users": 3, "total_engaged_users": 2}]
    aggregates = copilot_legacy_metrics.read(_write(tmp_path, days)).tables["aggregates"]
    assert sorted(aggregates["metric"]) == ["total_active_users", "total_engaged_users"]


def _day(date: str) -> dict:
    language = {"name": "python", "total_engaged_users": 1, "total_code_suggestions": 5}
    model = {"name": "default", "is_custom_model": False, "total_engaged_users": 1, "languages": [language]}
    editor = {"name": "vscode", "total_engaged_users": 1, "models": [model]}
    return {
        "date": date,
        "total_active_users": 2,
        "total_engaged_users": 1,
        "copilot_ide_code_completions": {"total_engaged_users": 1, "editors": [editor]},
    }


def _language(day: dict) -> dict:
    return day["copilot_ide_code_completions"]["editors"][0]["models"][0]["languages"][0]


# fmt: off
BAD = [
    # (what is wrong, the day as changed, the column the error must name)
    ("no date", lambda d: d.pop("date"), "date"),
    ("engaged users that are not a number", lambda d: d.update(total_engaged_users="n/a"),
     "total_engaged_users"),
    ("suggestions that are not a number", lambda d: _language(d).update(total_code_suggestions="x"),
     "copilot_ide_code_completions.editors[].models[].languages[].total_code_suggestions"),
]
# fmt: on


@pytest.mark.parametrize(("case", "change", "column"), BAD, ids=[b[0] for b in BAD])
def test_when_a_day_is_bad_then_the_error_names_its_row_and_column(tmp_path, case, change, column):
    days = [_day("2024-11-04"), _day("2024-11-05")]
    change(days[1])
    path = _write(tmp_path, days)
    with pytest.raises(InputFileError) as caught:
        copilot_legacy_metrics.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, 2, column)
