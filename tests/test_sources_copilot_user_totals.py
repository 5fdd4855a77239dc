"""GitHub Copilot users reports with totals per user and no days: window aggregates, never person-days."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import copilot_user_totals

REPORTS = "github_copilot/usage_metrics_reports"


def _user(login: str, active_days: object = 1, prompts: object = 2, **more: object) -> dict:
    return {"login": login, "user_id": 1, "total_active_days": active_days} | (
        {"user_initiated_interaction_count": prompts} | more
    )


def _write(folder: Path, users: list[dict], **report: object) -> Path:
    document = {
        "report_start_day": "2026-02-02",
        "report_end_day": "2026-03-01",
        "organization_id": "100",
        "created_at": "2026-03-02T04:00:00Z",
        "user_totals": users,
    }
    path = folder / "users.json"
    path.write_text(json.dumps(document | report))
    return path


def test_when_reading_the_28_day_report_then_the_window_totals_sit_on_its_last_day(formats):
    extract = sources.read(formats / REPORTS / "enterprise-users-28-day-report.json")
    assert extract.source == "github_copilot_user_totals" and extract.identity is None
    assert "activity" not in extract.tables  # a 28-day total cannot be placed on any of its days
    aggregates = extract.tables["aggregates"]
    # 2026-02-04 to 2026-03-03 = 28 days; organization_id 100000001 (the report also names enterprise 200001)
    assert aggregates[["scope", "scope_id", "day", "grain"]].drop_duplicates().values.tolist() == [
        ["organisation", "100000001", pd.Timestamp("2026-03-03"), "day"]
    ]
    values = aggregates.set_index("metric")["value"]
    # 8 users (octocat, octokitten, monalisa, defunkt, codertocat, hubot, alicechen, bobmartinez), all active
    assert values["active_users_28_day"] == 8
    # active days 22 + 18 + 5 + 20 + 9 + 15 + 18 + 11 = 118
    assert values["active_days_28_day"] == 118
    # prompts 410 + 285 + 48 + 280 + 120 + 190 + 240 + 130 = 1703
    assert values["user_initiated_interaction_count_28_day"] == 1703
    # code generation 1240 + 920 + 130 + 890 + 410 + 620 + 750 + 420 = 5380
    assert values["code_generation_activity_count_28_day"] == 5380
    # acceptances 860 + 640 + 72 + 610 + 240 + 400 + 520 + 260 = 3602
    assert values["code_acceptance_activity_count_28_day"] == 3602
    # lines added 3200 + 2350 + 310 + 2400 + 950 + 1550 + 1950 + 1100 = 13810
    assert values["loc_added_sum_28_day"] == 13810
    # AI credits 54.45 + 60.99 + 10.66 + 20.6 + 9.29 + 13.27 + 41.61 + 11.64 = 222.51
    assert values["ai_credits_used_28_day"] == pytest.approx(222.51)
    # created_at 2026-03-04T00:00:00Z
    assert extract.exported_at == pd.Timestamp("2026-03-04")
    assert extract.rows_read == 8 and extract.coverage == () and extract.unknown_fields == ()


def test_when_reading_the_1_day_report_then_its_day_has_one_days_totals(formats):
    extract = sources.read(formats / REPORTS / "enterprise-users-1-day-report.json")
    values = extract.tables["aggregates"].set_index("metric")["value"]
    # report_day 2026-03-03, one user (octocat): 1 active day, 18 prompts, 38 acceptances, 3.7 credits
    assert set(extract.tables["aggregates"]["day"]) == {pd.Timestamp("2026-03-03")}
    assert values[["active_users_1_day", "active_days_1_day"]].tolist() == [1, 1]
    assert values["user_initiated_interaction_count_1_day"] == 18
    assert values["code_acceptance_activity_count_1_day"] == 38
    assert values["ai_credits_used_1_day"] == pytest.approx(3.7)
    assert extract.unknown_fields == ()


def test_when_users_are_idle_or_listed_twice_then_active_users_count_each_active_login_once(tmp_path):
    users = [
        _user("ann", 3, 10),
        _user("ann", 2, 5),  # the same login again (another organisation of the enterprise)
        _user("bo", 0, 0),  # listed, never active
        _user("cy", 1, None),  # no prompt count: empty, not zero
    ]
    values = copilot_user_totals.read(_write(tmp_path, users)).tables["aggregates"].set_index("metric")
    # 2026-02-02 to 2026-03-01 = 28 days; active: ann, cy = 2; days 3 + 2 + 0 + 1 = 6; prompts 10 + 5 + 0 = 15
    assert values["value"].to_dict() == {
        "active_days_28_day": 6,
        "active_users_28_day": 2,
        "user_initiated_interaction_count_28_day": 15,
    }


def test_when_the_report_names_only_an_enterprise_then_the_enterprise_is_the_scope(tmp_path):
    path = _write(tmp_path, [_user("ann")], organization_id=None, enterprise_id="200")
    aggregates = copilot_user_totals.read(path).tables["aggregates"]
    assert aggregates[["scope", "scope_id"]].drop_duplicates().values.tolist() == [["enterprise", "200"]]


def test_when_the_login_is_called_user_login_then_it_is_read_the_same(tmp_path):
    path = _write(tmp_path, [{"user_login": "ann", "total_active_days": 1}])
    values = copilot_user_totals.read(path).tables["aggregates"].set_index("metric")["value"]
    assert values["active_users_28_day"] == 1


# fmt: off
BAD = [
    # (what is wrong, the second user as given, the row and the column the error must name)
    ("no login", {"total_active_days": 1}, 2, "user_totals[].login"),
    ("no active days", {"login": "bo"}, 2, "user_totals[].total_active_days"),
    ("active days that are not whole", _user("bo", 1.5), 2, "user_totals[].total_active_days"),
    ("prompts that are not a number", _user("bo", 1, "many"), 2,
     "user_totals[].user_initiated_interaction_count"),
]
# fmt: on


@pytest.mark.parametrize(("case", "user", "row", "column"), BAD, ids=[b[0] for b in BAD])
def test_when_a_user_is_bad_then_the_error_names_its_row_and_column(tmp_path, case, user, row, column):
    path = _write(tmp_path, [_user("ann"), user])
    with pytest.raises(InputFileError) as caught:
        copilot_user_totals.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, row, column)


# fmt: off
WINDOWS = [
    # (what is wrong with the report, its keys as changed, the column the error must name)
    ("no last day", {"report_end_day": None}, "report_end_day"),
    ("a start after the end", {"report_start_day": "2026-03-05"}, "report_start_day"),
    ("neither organisation nor enterprise", {"organization_id": None}, "organization_id"),
]
# fmt: on


@pytest.mark.parametrize(("case", "keys", "column"), WINDOWS, ids=[w[0] for w in WINDOWS])
def test_when_the_reports_window_or_owner_is_bad_then_the_error_names_it(tmp_path, case, keys, column):
    path = _write(tmp_path, [_user("ann")], **keys)
    with pytest.raises(InputFileError) as caught:
        copilot_user_totals.read(path)
    assert (caught.value.path, caught.value.column) == (path, column)
