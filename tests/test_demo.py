"""The demo organisation: deterministic, in the vendors' real formats, shaped like a real company."""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import demo
from adoption_kit.demo import PLANTED_KPI, DemoSpec, write_demo
from adoption_kit.errors import ConfigError

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "formats"
SMALL = DemoSpec(people=300, months=3)
ROSTER_COLUMNS = [
    "employee_id", "full_name", "email", "github_login", "department", "team", "job_function", "location",
    "level", "hire_date", "termination_date",
]  # fmt: skip
COUNTERS = [
    "user_initiated_interaction_count", "code_generation_activity_count", "code_acceptance_activity_count",
    "loc_suggested_to_add_sum", "loc_suggested_to_delete_sum", "loc_added_sum", "loc_deleted_sum",
]  # fmt: skip


def _sample(relative: str) -> Path:
    path = SAMPLES / relative
    if not path.is_file():
        pytest.skip(f"the vendors' sample {relative} is not beside the repository ({SAMPLES})")
    return path


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    """The small demo, written once for the module."""
    folder = tmp_path_factory.mktemp("demo") / "raw"
    write_demo(folder, SMALL)
    return folder


@pytest.fixture(scope="module")
def roster(raw) -> pd.DataFrame:
    return pd.read_csv(raw / "hr" / "roster.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def chatgpt(raw, roster) -> pd.DataFrame:
    """Every weekly user report, with the roster's department of each user."""
    weeks = [
        pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted((raw / "chatgpt").glob("*.csv"))
    ]
    departments = roster.assign(email=roster["email"].str.strip().str.lower())[["email", "department"]]
    return pd.concat(weeks, ignore_index=True).merge(
        departments, on="email", how="left", suffixes=("_reported", ""), validate="many_to_one"
    )


@pytest.fixture(scope="module")
def copilot(raw) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted((raw / "github_copilot").glob("organization-users-28-day-*.ndjson"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_when_the_seed_is_the_same_then_the_files_are_byte_identical(raw, tmp_path):
    write_demo(tmp_path / "again", SMALL)
    assert _files(tmp_path / "again") == _files(raw)


def test_when_the_seed_differs_then_the_files_differ(raw, tmp_path):
    write_demo(tmp_path / "other", DemoSpec(people=300, months=3, seed=8))
    other, first = _files(tmp_path / "other"), _files(raw)
    assert other.keys() == first.keys()
    assert other["hr/roster.csv"] != first["hr/roster.csv"]
    assert other["kpis/team_kpis.csv"] != first["kpis/team_kpis.csv"]


def test_when_written_then_the_summary_lists_the_contract_layout(tmp_path):
    summary = write_demo(tmp_path / "raw", SMALL)
    assert summary.files == tuple(sorted(_files(tmp_path / "raw")))
    assert {"hr/roster.csv", "hr/seat_pools.csv", "kpis/team_kpis.csv"} <= set(summary.files)
    assert "github_copilot/copilot-seats-2026-07-31.json" in summary.files
    # Sunday..Saturday weeks overlapping May-July 2026, the first starting on Sunday 26 April
    weekly = [f for f in summary.files if f.startswith("chatgpt/")]
    assert weekly[0] == "chatgpt/Acme weekly user report 2026-04-26.csv"
    assert len(weekly) == 14
    assert all(date.fromisoformat(f[-14:-4]).weekday() == 6 for f in weekly)
    assert (summary.people, summary.first_day, summary.last_day) == (300, date(2026, 5, 1), date(2026, 7, 31))
    assert (summary.planted_kpi, summary.planted_effect) == (PLANTED_KPI, demo.PLANTED_EFFECT)


def test_when_written_then_the_chatgpt_header_is_the_real_exports(raw):
    sample = _sample("chatgpt_enterprise/synthetic/chatgpt_user_report_monthly_v2025-10_SYNTHETIC.csv")
    expected = sample.read_text(encoding="utf-8").splitlines()[0]
    for path in (raw / "chatgpt").glob("*.csv"):
        assert path.read_text(encoding="utf-8").splitlines()[0] == expected, path.name


def test_when_written_then_chatgpt_rows_are_shaped_like_the_export(chatgpt):
    assert chatgpt["department"].ne("").all(), "every reported email is on the roster once normalized"
    assert set(chatgpt["cadence"]) == {"Weekly"}
    assert chatgpt["account_id"].str.fullmatch(r"[0-9a-f]{32}").all() and chatgpt["account_id"].nunique() == 1
    assert set(chatgpt["user_status"]) == {"enabled", "pending", "deleted"}
    pending = chatgpt[chatgpt["user_status"] == "pending"]
    filled = ["cadence", "period_start", "period_end", "account_id", "email", "user_status"]
    assert (pending.drop(columns=[*filled, "created_or_invited_date", "department"]) == "").all().all()
    known = chatgpt[chatgpt["user_status"] != "pending"]
    assert known["public_id"].str.fullmatch(r"user-[A-Za-z0-9]{10}").all()
    assert known.groupby("email")["public_id"].nunique().eq(1).all()
    assert set(known["user_role"]) == {"standard-user", "account-admin"}
    reported = known["department_reported"]
    assert reported[reported != ""].map(json.loads).map(len).eq(1).all()
    groups = known["groups"]
    assert groups[groups != ""].map(ast.literal_eval).map(type).eq(dict).all()


def test_when_a_user_is_inactive_then_rank_and_breakdowns_are_empty(chatgpt):
    enabled = chatgpt[chatgpt["user_status"] == "enabled"]
    inactive, active = enabled[enabled["is_active"] == "0"], enabled[enabled["is_active"] == "1"]
    assert len(inactive) and len(active)
    assert (inactive[["messages_rank", "model_to_messages", "first_day_active_in_period"]] == "").all().all()
    assert inactive["messages"].eq("0").all()
    assert active["messages_rank"].ne("").all()
    ranks = active.assign(r=active["messages_rank"].astype(int)).groupby("period_start")["r"].min()
    assert ranks.eq(1).all()


@pytest.mark.parametrize(
    ("breakdown", "total"),
    [
        ("model_to_messages", "messages"),  # every message went to one model
        ("gpt_to_messages", "gpt_messages"),  # custom GPTs
        ("tool_to_messages", "tool_messages"),  # Search, Canvas...
        ("project_to_messages", "project_messages"),  # projects
    ],
)
def test_when_a_breakdown_is_parsed_then_it_adds_up_to_its_total(chatgpt, breakdown, total):
    active = chatgpt[chatgpt["is_active"] == "1"]
    parsed = active[breakdown].map(lambda text: ast.literal_eval(text) if text else {})
    assert parsed.map(lambda counts: sum(counts.values())).eq(active[total].astype(int)).all()
    assert parsed.map(lambda counts: all(v > 0 for v in counts.values())).all()


def test_when_written_then_the_roster_has_the_contract_columns(roster):
    assert list(roster.columns) == ROSTER_COLUMNS
    assert roster["employee_id"].str.fullmatch(r"E\d{6}").all() and roster["employee_id"].is_unique
    emails = roster["email"].str.strip().str.lower()
    assert emails.is_unique and emails.str.fullmatch(r"[a-z-]+\.[a-z-]+\d*@acme-demo\.com").all()
    logins = roster["github_login"][roster["github_login"] != ""]
    assert logins.is_unique and logins.str.fullmatch(r"[a-z]+\d*-acme").all()
    assert roster.loc[roster["department"] == "Engineering", "github_login"].ne("").all()
    assert set(roster["level"]) <= {"IC1", "IC2", "IC3", "IC4", "IC5", "M1", "M2", "M3"}
    assert set(roster["location"]) <= {"Berlin", "London", "New York", "Singapore", "Remote"}


def test_when_written_then_there_are_joiners_and_leavers_inside_the_period(roster):
    assert roster["hire_date"].between("2026-05-02", "2026-07-31").any()
    left = roster.loc[roster["termination_date"] != "", "termination_date"]
    assert len(left) and left.between("2026-05-01", "2026-07-31").all()


def test_when_written_then_teams_have_people_and_some_are_small(roster):
    sizes = roster.groupby("team").size()
    assert sizes.min() >= 1
    assert (sizes < 5).any()
    assert roster.groupby("team")["department"].nunique().eq(1).all()
    assert sizes.index.str.match(r"^[^/]+ / .+$").all()


def test_when_written_then_the_executive_office_has_four_people(roster):
    assert (roster["department"] == "Executive Office").sum() == 4


def test_when_written_then_the_planted_kpi_covers_every_team_and_month(raw, roster):
    kpis = pd.read_csv(raw / "kpis" / "team_kpis.csv", dtype={"month": str})
    assert list(kpis.columns) == ["month", "team", "kpi", "value"]
    for kpi in (PLANTED_KPI, demo.PLACEBO_KPI):
        cells = kpis[kpis["kpi"] == kpi]
        expected = {(team, month) for team in roster["team"] for month in ("2026-05", "2026-06", "2026-07")}
        assert set(zip(cells["team"], cells["month"], strict=True)) == expected
        assert len(cells) == len(expected)
        assert cells["value"].gt(0).all()


def test_when_activation_is_compared_then_legal_lags_engineering(chatgpt):
    users = chatgpt[chatgpt["user_status"] == "enabled"]
    activation = users.groupby(["department", "email"])["is_active"].apply(lambda a: (a == "1").any())
    by_department = activation.groupby("department").mean()
    assert by_department["Legal"] < by_department["Engineering"] - 0.25


def test_when_copilot_records_are_read_then_totals_equal_the_sum_over_features(copilot):
    assert copilot
    for record in copilot:
        for counter in COUNTERS:
            features = sum(f[counter] for f in record["totals_by_feature"])
            ides = sum(i[counter] for i in record["totals_by_ide"])
            cli = sum(f[counter] for f in record["totals_by_feature"] if f["feature"] == "copilot_cli")
            assert record[counter] == features == ides + cli, (record["user_login"], record["day"], counter)


def test_when_copilot_records_are_read_then_keys_match_the_sample(copilot):
    sample = _sample("github_copilot/derived/organization-users-28-day-report.ndjson")
    rows = [json.loads(line) for line in sample.read_text(encoding="utf-8").splitlines()]
    keys = set().union(*(r.keys() for r in rows))
    feature_keys = set().union(*(f.keys() for r in rows for f in r["totals_by_feature"]))
    ide_keys = set().union(*(i.keys() for r in rows for i in r["totals_by_ide"]))
    features = {f["feature"] for r in rows for f in r["totals_by_feature"]}
    for record in copilot:
        assert set(record) <= keys
        assert all(set(f) == feature_keys and f["feature"] in features for f in record["totals_by_feature"])
        assert all(set(i) == ide_keys for i in record["totals_by_ide"])
    assert {"user_login", "user_id", "day", "report_start_day", "report_end_day"} <= set(copilot[0])


def test_when_copilot_windows_are_read_then_they_are_consecutive_28_day_reports(raw, copilot):
    windows = sorted({(r["report_start_day"], r["report_end_day"]) for r in copilot})
    assert windows[-1][1] == "2026-07-31"
    for (start, end), (next_start, _) in zip(windows, windows[1:], strict=False):
        assert (date.fromisoformat(end) - date.fromisoformat(start)).days == 27
        assert (date.fromisoformat(next_start) - date.fromisoformat(end)).days == 1
    assert all(r["report_start_day"] <= r["day"] <= r["report_end_day"] for r in copilot)
    days = {(r["user_login"], r["day"]) for r in copilot}
    assert len(days) == len(copilot), "one record per user and day"


def test_when_the_seats_snapshot_is_read_then_it_has_the_api_shape(raw, roster, copilot):
    sample = json.loads(
        _sample("github_copilot/seats_api/organization_seats_response_sample.json").read_text()
    )
    snapshot = json.loads((raw / "github_copilot" / "copilot-seats-2026-07-31.json").read_text())
    seats = snapshot["seats"]
    assert snapshot["total_seats"] == len(seats) > 0
    assert all(set(s) <= set(sample["seats"][0]) | {"last_authenticated_at"} for s in seats)
    assert {s["plan_type"] for s in seats} == {"business"}
    assert any(s["assigning_team"] is None for s in seats) and any(s["assigning_team"] for s in seats)
    logins = {s["assignee"]["login"] for s in seats}
    assert logins <= set(roster["github_login"]) - {""}
    leavers = set(roster.loc[roster["termination_date"] != "", "github_login"])
    assert {r["user_login"] for r in copilot} <= logins | leavers


def test_when_written_then_seat_pools_cover_the_assigned_seats(raw, roster, chatgpt):
    pools = pd.read_csv(raw / "hr" / "seat_pools.csv", keep_default_na=False)
    assert list(pools.columns) == [
        "tool", "department", "seats_purchased", "monthly_price_usd", "start_date", "end_date"
    ]  # fmt: skip
    prices = pools.groupby("tool")["monthly_price_usd"].unique().map(list).to_dict()
    assert prices == {"chatgpt_enterprise": [60], "github_copilot": [19]}
    holders = chatgpt[chatgpt["user_status"] != "pending"].groupby("department")["email"].nunique()
    chat_pools = pools[pools["tool"] == "chatgpt_enterprise"].set_index("department")["seats_purchased"]
    assert (chat_pools.reindex(holders.index) >= holders).all()


def test_when_the_folder_holds_other_files_then_the_demo_refuses_to_replace_it(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "thesis.docx").write_text("precious")
    with pytest.raises(ConfigError, match="refusing to replace"):
        write_demo(tmp_path / "raw", SMALL)
    assert (tmp_path / "raw" / "thesis.docx").read_text() == "precious"


def test_when_writing_fails_then_the_previous_demo_is_left_as_it_was(tmp_path, monkeypatch):
    write_demo(tmp_path / "raw", SMALL)
    before = _files(tmp_path / "raw")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(demo, "_write_copilot", broken)
    with pytest.raises(OSError, match="disk full"):
        write_demo(tmp_path / "raw", DemoSpec(people=300, months=3, seed=99))
    assert _files(tmp_path / "raw") == before
    assert [p.name for p in tmp_path.iterdir()] == ["raw"], "no staging folder is left behind"


@pytest.mark.parametrize(
    "options",
    [
        {"people": 10},  # too few people for ten departments
        {"months": 0},  # an empty period
        {"start": date(2026, 5, 15)},  # not the first of a month
        {"seed": -1},  # numpy seeds are non-negative
    ],
)
def test_when_the_spec_is_invalid_then_a_config_error_says_which_option(options):
    with pytest.raises(ConfigError) as raised:
        DemoSpec(**options)
    assert raised.value.column == next(iter(options))
