"""GitHub Copilot's oldest usage API: each day's totals become organisation aggregates."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import copilot_legacy_usage

LEGACY = "github_copilot/legacy_metrics_api"

# fmt: off
SAMPLES = [
    # (file, days, first, last, sums over days with jq: suggestions, acceptances, active users, chat turns)
    ("organization", 24, "2024-03-18", "2024-04-13", 199097, 50734, 2047, 2667),
    ("enterprise", 26, "2024-03-30", "2024-04-25", 218965, 57617, 2262, 50),
]
# fmt: on


@pytest.mark.parametrize(
    ("name", "days", "first", "last", "suggested", "accepted", "active", "turns"), SAMPLES
)
def test_when_reading_a_sample_then_totals_match_the_file(
    formats, name, days, first, last, suggested, accepted, active, turns
):
    extract = sources.read(formats / LEGACY / f"{name}_usage_response_sample.json")
    aggregates = extract.tables["aggregates"]
    assert extract.source == "github_copilot_legacy_usage" and extract.identity is None
    assert len(aggregates) == days * 8  # every day has all eight totals
    assert (aggregates["day"].min(), aggregates["day"].max()) == (pd.Timestamp(first), pd.Timestamp(last))
    totals = aggregates.groupby("metric")["value"].sum()
    assert totals[["total_suggestions_count", "total_acceptances_count"]].tolist() == [suggested, accepted]
    assert totals[["total_active_users", "total_chat_turns"]].tolist() == [active, turns]
    # 2024-03-18 in the organisation file: 8,312 suggestions, 97 active users
    if name == "organization":
        first_day = aggregates.loc[aggregates["day"] == pd.Timestamp(first)].set_index("metric")["value"]
        assert first_day[["total_suggestions_count", "total_active_users"]].tolist() == [8312, 97]
    assert extract.unknown_fields == ()


# fmt: off
BAD = [
    # (what is wrong, the day as changed, the column the error must name)
    ("no day", lambda d: d.pop("day"), "day"),
    ("suggestions that are not a number", lambda d: d.update(total_suggestions_count="lots"),
     "total_suggestions_count"),
    ("a negative count", lambda d: d.update(total_active_users=-3), "total_active_users"),
]
# fmt: on


@pytest.mark.parametrize(("case", "change", "column"), BAD, ids=[b[0] for b in BAD])
def test_when_a_day_is_bad_then_the_error_names_its_row_and_column(tmp_path, case, change, column):
    days = [{"day": f"2024-03-1{n}", "total_suggestions_count": 10, "breakdown": []} for n in (8, 9)]
    change(days[1])
    path = tmp_path / "copilot-usage.json"
    path.write_text(json.dumps(days))
    with pytest.raises(InputFileError) as caught:
        copilot_legacy_usage.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, 2, column)
