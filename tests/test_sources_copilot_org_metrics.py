"""GitHub Copilot organisation/enterprise usage-metrics reports: group-level days, never people."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import copilot_org_metrics

REPORTS = "github_copilot/usage_metrics_reports"


def _metric(aggregates: pd.DataFrame, metric: str) -> pd.Series:
    return aggregates.loc[aggregates["metric"] == metric].set_index("day")["value"]


def _write(folder: Path, document: object) -> Path:
    path = folder / "copilot-org.json"
    path.write_text(json.dumps(document))
    return path


# fmt: off
SAMPLES = [
    # (file, rows: every number of every day, days, scope, id, sums over the days counted with jq:
    #  daily active users, prompts (user_initiated_interaction_count), lines added, PRs created)
    (f"{REPORTS}/organization-1-day-report.json", 38, ("2026-04-25", "2026-04-25"),
     "organisation", "100000001", 2, 24, 435, 0),
    (f"{REPORTS}/organization-28-day-report.json", 895, ("2026-03-29", "2026-04-25"),
     "organisation", "100000001", 75, 2489, 62998, 26),
    # the mock enterprise report also names organisation 100000001 on every day, so it reads as that
    # organisation; 26 of its 28 days are present
    (f"{REPORTS}/enterprise-28-day-report.json", 372, ("2026-02-04", "2026-03-03"),
     "organisation", "100000001", 65, 1502, 72009, 0),
    ("github_copilot/docs_examples/enterprise_level_example.json", 32, ("2025-10-01", "2025-10-01"),
     "enterprise", "1", 2, 0, 30, 2),
]
# fmt: on


@pytest.mark.parametrize(
    ("name", "rows", "days", "scope", "scope_id", "active", "prompts", "lines", "prs"),
    SAMPLES,
    ids=[s[0].rpartition("/")[2] for s in SAMPLES],
)
def test_when_reading_a_sample_then_its_days_become_aggregates_with_the_hand_counted_totals(
    formats, name, rows, days, scope, scope_id, active, prompts, lines, prs
):
    extract = sources.read(formats / name)
    aggregates = extract.tables["aggregates"]
    assert extract.source == "github_copilot_org_metrics" and extract.identity is None
    assert set(extract.tables) == {"aggregates"}  # group-level only: no activity rows, no coverage
    assert extract.coverage == ()
    assert len(aggregates) == rows
    assert (aggregates["day"].min(), aggregates["day"].max()) == tuple(map(pd.Timestamp, days))
    assert set(aggregates["scope"]) == {scope} and set(aggregates["scope_id"]) == {scope_id}
    assert _metric(aggregates, "daily_active_users").sum() == active
    assert _metric(aggregates, "user_initiated_interaction_count").sum() == prompts
    assert _metric(aggregates, "loc_added_sum").sum() == lines
    assert _metric(aggregates, "pull_requests_total_created").sum() == prs
    assert extract.unknown_fields == ()


def test_when_reading_the_28_day_report_then_cli_and_merge_times_are_read_per_day(formats):
    aggregates = sources.read(formats / REPORTS / "organization-28-day-report.json").tables["aggregates"]
    day = pd.Timestamp("2026-04-16")
    # 2026-04-16: totals_by_cli {session_count 29, request_count 1085, prompt_count 79}, median 403.74 minutes
    assert _metric(aggregates, "cli_session_count")[day] == 29
    assert _metric(aggregates, "cli_request_count")[day] == 1085
    assert _metric(aggregates, "pull_requests_median_minutes_to_merge")[day] == 403.74
    assert _metric(aggregates, "monthly_active_users")[day] == 6


def test_when_given_flat_days_and_overlapping_reports_then_each_day_is_read_once(tmp_path):
    flat_day = {"day": "2026-03-02", "organization_id": "42", "daily_active_users": "7", "new_count": 1}
    report = {
        "report_start_day": "2026-03-01",
        "report_end_day": "2026-03-02",
        "organization_id": "42",
        "created_at": "2026-03-03T04:05:06Z",
        "day_totals": [
            {"day": "2026-03-01", "daily_active_users": 5},
            {"day": "2026-03-02", "daily_active_users": 7},
        ],
    }
    extract = copilot_org_metrics.read(_write(tmp_path, [flat_day, report]))
    active = _metric(extract.tables["aggregates"], "daily_active_users")
    assert active.to_dict() == {pd.Timestamp("2026-03-01"): 5, pd.Timestamp("2026-03-02"): 7}  # not 14
    assert set(extract.tables["aggregates"]["scope_id"]) == {"42"}  # the report's id reaches its days
    assert extract.exported_at == pd.Timestamp("2026-03-03 04:05:06")
    assert extract.unknown_fields == ("new_count",)


@pytest.mark.parametrize(
    "name", ["organization-users-1-day-report.json", "organization-users-28-day-report.json",
             "enterprise-users-1-day-report.json", "enterprise-users-28-day-report.json"]
)  # fmt: skip
def test_when_a_report_holds_people_then_this_reader_does_not_claim_it(formats, name):
    head = (formats / REPORTS / name).read_text()[:4096]
    assert not copilot_org_metrics.sniff(head)


# fmt: off
BAD = [
    # (what is wrong, the day as changed, the column the error must name)
    ("no day", lambda d: d.pop("day"), "day_totals[].day"),
    ("a day that is not a date", lambda d: d.update(day="April"), "day_totals[].day"),
    ("active users that are not a number", lambda d: d.update(daily_active_users="few"),
     "day_totals[].daily_active_users"),
    ("a PR count that is not a number", lambda d: d.update(pull_requests={"total_created": "x"}),
     "day_totals[].pull_requests.total_created"),
    ("no organisation or enterprise", lambda d: d.pop("organization_id"), "day_totals[].organization_id"),
]
# fmt: on


@pytest.mark.parametrize(("case", "change", "column"), BAD, ids=[b[0] for b in BAD])
def test_when_a_day_is_bad_then_the_error_names_its_row_and_column(tmp_path, case, change, column):
    days = [{"day": f"2026-03-0{n}", "organization_id": "42", "daily_active_users": 3} for n in (1, 2)]
    change(days[1])
    path = _write(tmp_path, {"day_totals": days})
    with pytest.raises(InputFileError) as caught:
        copilot_org_metrics.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, 2, column)
