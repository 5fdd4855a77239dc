"""The demo organisation: deterministic, in the vendors' real formats, shaped like a real company."""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adoption_kit import demo
from adoption_kit.demo import PLACEBO_KPI, PLANTED_EFFECT, PLANTED_KPI, DemoSpec, write_demo
from adoption_kit.errors import ConfigError

SMALL = DemoSpec(people=300, months=3)
ROSTER_COLUMNS = [
    "employee_id", "full_name", "email", "github_login", "department", "team", "job_function", "location",
    "level", "hire_date", "termination_date",
]  # fmt: skip
COUNTERS = [
    "user_initiated_interaction_count", "code_generation_activity_count", "code_acceptance_activity_count",
    "loc_suggested_to_add_sum", "loc_suggested_to_delete_sum", "loc_added_sum", "loc_deleted_sum",
]  # fmt: skip


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
        pd.read_csv(p, dtype=str, keep_default_na=False)
        for p in sorted((raw / "chatgpt").glob("* weekly user report *.csv"))
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
    weekly = [f for f in summary.files if f.startswith("chatgpt/Acme weekly user report")]
    assert weekly[0] == "chatgpt/Acme weekly user report 2026-04-26.csv"
    assert len(weekly) == 14
    assert all(date.fromisoformat(f[-14:-4]).weekday() == 6 for f in weekly)
    assert (summary.people, summary.first_day, summary.last_day) == (300, date(2026, 5, 1), date(2026, 7, 31))
    assert (summary.planted_kpi, summary.planted_effect) == (PLANTED_KPI, PLANTED_EFFECT)


def test_when_written_then_the_chatgpt_header_is_the_real_exports(raw, formats):
    sample = formats / "chatgpt_enterprise/synthetic/chatgpt_user_report_monthly_v2025-10_SYNTHETIC.csv"
    expected = sample.read_text(encoding="utf-8").splitlines()[0]
    for path in (raw / "chatgpt").glob("* weekly user report *.csv"):
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
    for kpi in (PLANTED_KPI, PLACEBO_KPI):
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


def test_when_copilot_records_are_read_then_keys_match_the_sample(copilot, formats):
    sample = formats / "github_copilot/derived/organization-users-28-day-report.ndjson"
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


def test_when_the_seats_snapshot_is_read_then_it_has_the_api_shape(raw, roster, copilot, formats):
    sample = json.loads(
        (formats / "github_copilot/seats_api/organization_seats_response_sample.json").read_text()
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
    last_month = max(r["day"] for r in copilot)[:7]
    recent = {r["user_login"] for r in copilot if r["day"][:7] == last_month}
    assert recent <= logins | leavers  # everyone using Copilot lately holds a seat, or is leaving
    removed = {r["user_login"] for r in copilot} - logins - leavers  # the teams that moved to Cursor
    assert removed and not removed & recent


def test_when_written_then_seat_pools_cover_the_assigned_seats(raw, roster, chatgpt):
    pools = pd.read_csv(raw / "hr" / "seat_pools.csv", keep_default_na=False)
    assert list(pools.columns) == [
        "tool", "department", "seats_purchased", "monthly_price_usd", "start_date", "end_date"
    ]  # fmt: skip
    prices = pools.groupby("tool")["monthly_price_usd"].unique().map(list).to_dict()
    assert prices == {
        "chatgpt_enterprise": [60],
        "github_copilot": [19],
        "m365_copilot": [30],
        "claude_code": [100],
        "cursor": [40],
        "gemini": [20],
    }  # fmt: skip; the OpenAI API is priced by use: no pool
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

    monkeypatch.setattr(demo.github_copilot, "write", broken)
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


# ---------------------------------------------------------------------------------------------- every format


def _json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"))


def _csv(folder: Path, pattern: str) -> pd.DataFrame:
    frames = [
        pd.read_csv(p, dtype=str, keep_default_na=False).assign(file=p.name)
        for p in sorted(folder.glob(pattern))
    ]
    assert frames, pattern
    return pd.concat(frames, ignore_index=True)


def _header(path: Path) -> str:
    return path.read_text(encoding="utf-8").splitlines()[0]


def _keys(records: list[dict]) -> set[str]:
    return set().union(*(r.keys() for r in records))


@pytest.fixture(scope="module")
def emails(roster) -> set[str]:
    return set(roster["email"].str.strip().str.lower())


@pytest.fixture(scope="module")
def department_of(roster) -> dict[str, str]:
    return dict(zip(roster["email"].str.strip().str.lower(), roster["department"], strict=True))


@pytest.fixture(scope="module")
def m365(raw) -> pd.DataFrame:
    return _csv(raw / "m365", "copilot-usage-user-detail-*.csv")


@pytest.fixture(scope="module")
def claude_pages(raw) -> list[dict]:
    return [page for path in sorted((raw / "anthropic").glob("*.json")) for page in _json(path)]


@pytest.fixture(scope="module")
def cursor_days(raw) -> list[dict]:
    return [
        row for path in sorted((raw / "cursor").glob("daily-usage-*.json")) for row in _json(path)["data"]
    ]


@pytest.fixture(scope="module")
def cursor_events(raw) -> pd.DataFrame:
    return _csv(raw / "cursor", "usage-events-team-*.csv")


@pytest.fixture(scope="module")
def gateway(raw) -> pd.DataFrame:
    return _csv(raw / "gateway", "api-calls-*.csv")


@pytest.fixture(scope="module")
def gemini(raw) -> list[dict]:
    return [item for path in sorted((raw / "google").glob("*.json")) for item in _json(path)["items"]]


@pytest.fixture(scope="module")
def survey(raw) -> pd.DataFrame:
    return _csv(raw / "survey", "ai-use-survey-*.csv")


def test_when_written_then_every_tool_has_its_folder_and_the_safety_check_knows_them(tmp_path):
    write_demo(tmp_path / "raw", SMALL)
    folders = {p.name for p in (tmp_path / "raw").iterdir()}
    tools = {"chatgpt", "github_copilot", "m365", "anthropic", "cursor", "gateway", "openai", "google"}
    assert folders == {"hr", "it", "kpis", "survey", *tools}
    assert folders == demo.files.RAW_FOLDERS
    summary = write_demo(tmp_path / "raw", SMALL)  # a folder the demo wrote is replaced without complaint
    assert {f.split("/")[0] for f in summary.files} == folders


@pytest.mark.parametrize(
    ("pattern", "sample"),
    [
        # Microsoft Graph v1.0 user detail CSV
        (
            "m365/copilot-usage-user-detail-*.csv",
            "m365_copilot/docs_examples/usage_user_detail_v1.0_csv_example.csv",
        ),
        # Microsoft Graph v1.0 user-count summary CSV
        (
            "m365/copilot-user-count-summary-*.csv",
            "m365_copilot/docs_examples/user_count_summary_v1.0_csv_example.csv",
        ),
        # ChatGPT Enterprise GPT report
        (
            "chatgpt/* weekly gpt report *.csv",
            "chatgpt_enterprise/synthetic/chatgpt_gpt_report_weekly_v2025-02_SYNTHETIC.csv",
        ),
    ],
)
def test_when_a_csv_is_written_then_its_header_is_the_vendors(raw, formats, pattern, sample):
    expected = _header(formats / sample)
    paths = sorted(raw.glob(pattern))
    assert paths
    assert {_header(p) for p in paths} == {expected}


@pytest.mark.parametrize(
    ("pattern", "header"),
    [
        ("gateway/api-calls-*.csv", "timestamp,user,model,tokens_in,tokens_out,status,latency_ms,prompt"),
        ("survey/ai-use-survey-*.csv", "submitted_on,department,tool,frequency,comment"),
        ("hr/identity-map.csv", "kind,identifier,email"),
    ],
)
def test_when_a_kit_format_is_written_then_its_header_is_the_contracts(raw, pattern, header):
    paths = sorted(raw.glob(pattern))
    assert paths and {_header(p) for p in paths} == {header}


def test_when_the_cursor_events_are_written_then_they_are_the_team_export(raw, formats):
    personal = _header(formats / "cursor" / "usage-events-2025-12-02-auto.csv").split(",")
    paths = sorted((raw / "cursor").glob("usage-events-team-*.csv"))
    assert paths
    for path in paths:
        header, *rows = path.read_text(encoding="utf-8").split("\n")
        assert header.split(",") == [personal[0], "User", *personal[1:]]
        assert rows and all(r.startswith('"') and r.endswith('"') and r.count('","') == 10 for r in rows)


def test_when_the_claude_code_report_is_written_then_its_keys_are_the_documentations(formats, claude_pages):
    sample = _json(formats / "anthropic/docs_examples/claude_code_usage_report_example.json")
    example = sample["data"][0]
    assert claude_pages and {tuple(sorted(p)) for p in claude_pages} == {tuple(sorted(sample))}
    records = [r for p in claude_pages for r in p["data"]]
    assert {tuple(sorted(r)) for r in records} == {tuple(sorted(example))}
    assert {tuple(sorted(r["core_metrics"])) for r in records} == {tuple(sorted(example["core_metrics"]))}
    assert {tuple(sorted(r["tool_actions"])) for r in records} == {tuple(sorted(example["tool_actions"]))}
    breakdowns = [b for r in records for b in r["model_breakdown"]]
    assert _keys(breakdowns) == set(example["model_breakdown"][0])
    assert {tuple(sorted(b["tokens"])) for b in breakdowns} == {
        tuple(sorted(example["model_breakdown"][0]["tokens"]))
    }
    assert {r["actor"]["type"] for r in records} == {"user_actor", "api_actor"}
    assert all(set(r["actor"]) in ({"type", "email_address"}, {"type", "api_key_name"}) for r in records)


def test_when_the_cursor_daily_usage_is_written_then_its_keys_are_the_documentations(
    raw, formats, cursor_days
):
    sample = _json(formats / "cursor/docs_examples/daily_usage_data_example.json")
    for path in sorted((raw / "cursor").glob("daily-usage-*.json")):
        document = _json(path)
        assert set(document) == set(sample) and set(document["period"]) == set(sample["period"])
    assert cursor_days and _keys(cursor_days) == _keys(sample["data"]) | {
        "day",
        "userId",
    }  # as real responses


def test_when_the_gemini_activities_are_written_then_their_keys_are_the_reports_apis(raw, formats, gemini):
    sample = _json(formats / "google_gemini/synthetic/gemini_in_workspace_apps_activities_SYNTHETIC.json")
    item = sample["items"][0]
    for path in sorted((raw / "google").glob("*.json")):
        assert set(_json(path)) == set(sample)
    assert gemini and _keys(gemini) == set(item)
    assert _keys([i["id"] for i in gemini]) == set(item["id"]) and _keys([i["actor"] for i in gemini]) == set(
        item["actor"]
    )
    events = [e for i in gemini for e in i["events"]]
    assert _keys(events) == set(item["events"][0])
    assert {(e["type"], e["name"]) for e in events} == {("ai_usage_event", "feature_utilization")}
    assert {tuple(p["name"] for p in e["parameters"]) for e in events} == {("action", "app_name")}


@pytest.mark.parametrize(
    ("pattern", "sample"),
    [
        (
            "openai/usage-completions-*.json",
            "openai_api/docs_examples/usage_completions_example.json",
        ),  # usage
        ("openai/costs-*.json", "openai_api/synthetic/costs_example_SYNTHETIC.json"),  # costs
    ],
)
def test_when_the_openai_responses_are_written_then_their_keys_are_the_apis(raw, formats, pattern, sample):
    expected = _json(formats / sample)
    paths = sorted(raw.glob(pattern))
    assert paths
    for path in paths:
        page = _json(path)
        assert set(page) == set(expected) and page["has_more"] is False
        assert _keys(page["data"]) == set(expected["data"][0])
        results = [r for bucket in page["data"] for r in bucket["results"]]
        assert results and _keys(results) == set(expected["data"][0]["results"][0])
        assert {r["object"] for r in results} == {expected["data"][0]["results"][0]["object"]}


def test_when_the_copilot_organization_report_is_written_then_its_keys_are_the_samples(raw, formats):
    sample = _json(formats / "github_copilot/usage_metrics_reports/organization-28-day-report.json")
    day = sample["day_totals"][0]
    paths = sorted((raw / "github_copilot").glob("organization-28-day-*.json"))
    users = sorted((raw / "github_copilot").glob("organization-users-28-day-*.ndjson"))
    assert [p.name[-15:-5] for p in paths] == [p.name[-17:-7] for p in users], "one per per-user report"
    for path in paths:
        report = _json(path)
        assert set(report) == set(sample) and len(report["day_totals"]) == 28
        assert _keys(report["day_totals"]) <= set(day)
        features = [f for d in report["day_totals"] for f in d["totals_by_feature"]]
        assert features and _keys(features) == set(day["totals_by_feature"][0])
        ides = [i for d in report["day_totals"] for i in d["totals_by_ide"]]
        assert ides and _keys(ides) == set(day["totals_by_ide"][0])


# ---------------------------------------------------------------------------------------------- people


def test_when_any_tool_file_names_a_person_then_the_person_is_on_the_roster(
    raw,
    roster,
    emails,
    chatgpt,
    m365,
    claude_pages,
    cursor_days,
    cursor_events,
    gateway,
    gemini,
    copilot,
    survey,
):
    gpts = _csv(raw / "chatgpt", "* weekly gpt report *.csv")
    identities = _csv(raw / "hr", "identity-map.csv")
    named = {
        "chatgpt users": set(chatgpt["email"]),
        "gpt creators": set(gpts["gpt_creator_email"]),
        "m365": set(m365["User Principal Name"].str.lower()),
        "claude code": {r["actor"].get("email_address") for p in claude_pages for r in p["data"]} - {None},
        "cursor daily": {r["email"] for r in cursor_days},
        "cursor events": set(cursor_events["User"]),
        "gateway": set(gateway["user"]),
        "gemini": {i["actor"]["email"] for i in gemini},
        "identity map": set(identities["email"]),
        "survey comments": set(survey["comment"].str.extract(r"(\S+@\S+)")[0].dropna()),
    }  # fmt: skip
    for source, found in named.items():
        assert found, source
        assert found <= emails, (source, sorted(found - emails)[:3])
    assert {r["user_login"] for r in copilot} <= set(roster["github_login"]) - {""}
    names = dict(zip(roster["email"], roster["full_name"], strict=True))
    assert (m365["Display Name"] == m365["User Principal Name"].map(names)).all()


def test_when_the_identity_map_is_read_then_it_links_each_cursor_user_id_to_its_email(raw, cursor_days):
    identities = pd.read_csv(raw / "hr" / "identity-map.csv", dtype=str)
    assert set(identities["kind"]) == {"cursor_user_id"} and identities["identifier"].is_unique
    seen = {(r["userId"], r["email"]) for r in cursor_days}
    assert seen <= set(zip(identities["identifier"], identities["email"], strict=True))


# ---------------------------------------------------------------------------------------------- consistency


def test_when_m365_snapshots_are_read_then_no_activity_is_after_the_refresh_day(m365):
    dates = m365.filter(like="Last Activity Date")
    assert set(m365["Report Period"]) == {"7"}
    assert pd.to_datetime(m365["Report Refresh Date"]).dt.day_of_week.eq(0).all(), "refreshed on Mondays"
    for column in dates:
        filled = dates[column] != ""
        assert (dates.loc[filled, column] <= m365.loc[filled, "Report Refresh Date"]).all(), column
    apps = dates.drop(columns="Last Activity Date").replace("", None)
    assert (apps.max(axis=1).fillna("") == dates["Last Activity Date"]).all(), "the last of any app"
    per_week = m365.groupby("Report Refresh Date")["Last Activity Date"]
    assert per_week.apply(lambda d: (d == "").mean()).iloc[-1] > 0, "some licences are idle"
    assert per_week.size().iloc[-1] > per_week.size().iloc[0], "the rollout is staggered"


def test_when_the_m365_summary_is_read_then_it_counts_the_last_snapshot(raw, m365):
    (path,) = sorted((raw / "m365").glob("copilot-user-count-summary-*.csv"))
    summary = pd.read_csv(path).iloc[0]
    last = m365[m365["Report Refresh Date"] == summary["Report Refresh Date"]]
    since = (pd.Timestamp(summary["Report Refresh Date"]) - pd.Timedelta(days=29)).strftime("%Y-%m-%d")
    assert summary["Report Period"] == 30
    assert summary["Any App Enabled Users"] == len(last)
    assert summary["Any App Active Users"] == (last["Last Activity Date"] >= since).sum()
    assert summary["Word Active Users"] == (last["Word Copilot Last Activity Date"] >= since).sum()


def test_when_m365_licences_are_compared_then_legal_and_finance_lag(m365, department_of):
    last = m365[m365["Report Refresh Date"] == m365["Report Refresh Date"].max()]
    department = last["User Principal Name"].str.lower().map(department_of)
    assert set(department) <= {
        "Sales",
        "Marketing",
        "Finance",
        "HR",
        "Legal",
        "Operations",
        "Executive Office",
    }
    first = m365[m365["Report Refresh Date"] == m365["Report Refresh Date"].min()]
    assert not set(first["User Principal Name"].str.lower().map(department_of)) & {"Legal", "Finance"}


def test_when_copilot_reports_are_compared_then_the_organization_counts_the_users(raw, copilot):
    users = pd.DataFrame(copilot)[["day", "user_login", "code_generation_activity_count", "used_chat"]]
    days = pd.to_datetime(users["day"])
    for path in sorted((raw / "github_copilot").glob("organization-28-day-*.json")):
        report = _json(path)
        start = pd.Timestamp(report["report_start_day"])
        expected = pd.date_range(start, periods=28).strftime("%Y-%m-%d").tolist()
        assert [t["day"] for t in report["day_totals"]] == expected
        assert expected[-1] == report["report_end_day"]
        for total in report["day_totals"]:
            day = pd.Timestamp(total["day"])
            that_day = users[days == day]
            week = users[(days > day - pd.Timedelta(days=7)) & (days <= day)]
            month = users[(days > day - pd.Timedelta(days=28)) & (days <= day)]
            assert total["daily_active_users"] == that_day["user_login"].nunique(), total["day"]
            assert total["weekly_active_users"] == week["user_login"].nunique(), total["day"]
            assert total["monthly_active_users"] == month["user_login"].nunique(), total["day"]
            assert total["monthly_active_chat_users"] == month.loc[month["used_chat"], "user_login"].nunique()
            assert total["code_generation_activity_count"] == that_day["code_generation_activity_count"].sum()


def test_when_cursor_files_are_compared_then_each_request_is_one_usage_event(cursor_days, cursor_events):
    days = pd.DataFrame(cursor_days)
    idle = days[~days["isActive"]]
    assert len(idle) and (idle[["chatRequests", "agentRequests", "totalTabsShown"]] == 0).all().all()
    assert (pd.to_datetime(days["date"], unit="ms").dt.strftime("%Y-%m-%d") == days["day"]).all()
    requests = days.set_index(["email", "day"])[["subscriptionIncludedReqs", "usageBasedReqs"]].sum(axis=1)
    events = cursor_events.groupby(["User", cursor_events["Date"].str[:10]]).size()
    assert events.to_dict() == requests[requests > 0].to_dict()
    assert (
        days[["composerRequests", "chatRequests", "agentRequests", "cmdkUsages"]].sum(axis=1)
        == requests.to_numpy()
    ).all()
    assert set(cursor_events["Kind"]) <= {"Included", "Usage-based"}
    tokens = cursor_events[
        ["Input (w/ Cache Write)", "Input (w/o Cache Write)", "Cache Read", "Output Tokens"]
    ]
    assert (tokens.astype(int).sum(axis=1) == cursor_events["Total Tokens"].astype(int)).all()


def test_when_cursor_windows_are_read_then_they_are_at_most_30_days(raw):
    for path in sorted((raw / "cursor").glob("daily-usage-*.json")):
        document = _json(path)
        start, end = document["period"]["startDate"], document["period"]["endDate"]
        assert 0 < end - start <= 30 * 86_400_000
        assert all(start <= row["date"] < end for row in document["data"])


def test_when_cursor_seat_holders_are_read_then_they_have_no_copilot_seat(raw, roster, cursor_days):
    seats = _json(next((raw / "github_copilot").glob("copilot-seats-*.json")))["seats"]
    logins = dict(zip(roster["email"].str.lower(), roster["github_login"], strict=True))
    on_cursor = {logins[r["email"]] for r in cursor_days}
    assert on_cursor and not on_cursor & {s["assignee"]["login"] for s in seats}


def test_when_the_gateway_log_is_read_then_calls_follow_working_days_and_peaks_are_throttled(
    gateway, department_of
):
    stamps = pd.to_datetime(gateway["timestamp"], format="%Y-%m-%dT%H:%M:%S.%fZ")
    assert stamps.is_monotonic_increasing
    assert (stamps.dt.day_of_week < 5).mean() > 0.9
    assert set(gateway["user"].map(department_of)) == {"Data & Analytics", "Engineering"}
    status = gateway["status"].astype(int)
    assert 0 < (status == 429).mean() < 0.1
    failed = gateway[status != 200]
    assert (failed[["tokens_in", "tokens_out"]] == "0").all().all()
    per_minute = stamps.dt.floor("min").map(stamps.dt.floor("min").value_counts())
    assert per_minute[status == 429].mean() > per_minute[status == 200].mean(), "429s come at busy minutes"


def test_when_openai_usage_is_compared_then_the_gateway_projects_count_its_calls(raw, gateway):
    results = [
        {"day": pd.Timestamp(bucket["start_time"], unit="s").strftime("%Y-%m-%d"), **result}
        for path in sorted((raw / "openai").glob("usage-completions-*.json"))
        for bucket in _json(path)["data"]
        for result in bucket["results"]
    ]
    usage = pd.DataFrame(results)
    service = usage.groupby("project_id")["num_model_requests"].sum().idxmax()  # the support assistant
    through_gateway = (
        usage[usage["project_id"] != service].groupby(["day", "model"])["num_model_requests"].sum()
    )
    ok = gateway[gateway["status"] == "200"]
    calls = ok.groupby([ok["timestamp"].str[:10], "model"]).size()
    assert through_gateway.to_dict() == calls.to_dict()
    assert usage["user_id"].isna().all() and usage["project_id"].nunique() == 3
    costs = [
        r
        for path in sorted((raw / "openai").glob("costs-*.json"))
        for b in _json(path)["data"]
        for r in b["results"]
    ]
    assert all(r["amount"]["value"] >= 0 and r["line_item"].endswith((", input", ", output")) for r in costs)
    assert {r["project_id"] for r in costs} == set(usage["project_id"])


def test_when_the_gpt_report_is_compared_then_it_adds_up_the_user_reports(raw, chatgpt, roster):
    gpts = _csv(raw / "chatgpt", "* weekly gpt report *.csv")
    sent: dict[tuple[str, str], list[int]] = {}
    for week, text in zip(chatgpt["period_start"], chatgpt["gpt_to_messages"], strict=True):
        for gpt, count in (ast.literal_eval(text) if text else {}).items():
            sent.setdefault((week, gpt), []).append(count)
    active = gpts[gpts["is_active"] == "1"]
    assert {k: (sum(v), len(v)) for k, v in sent.items()} == {
        (w, g): (int(m), int(u))
        for w, g, m, u in active[
            ["period_start", "gpt_id", "messages_workspace", "unique_messagers_workspace"]
        ].to_numpy()
    }
    assert (gpts.loc[gpts["is_active"] == "0", "messages_workspace"] == "0").all()
    first_names = set(roster["full_name"].str.split(" ").str[0])
    personal = gpts["gpt_name"].str.extract(r"^(\w[\w-]*)'s ")[0].dropna()
    assert personal.nunique() == 2 and set(personal) <= first_names, "two GPT names carry a person's name"
    known = chatgpt[chatgpt["public_id"] != ""]
    creators = known.drop_duplicates("email").set_index("email")["public_id"]
    assert (gpts["gpt_creator_public_id"] == gpts["gpt_creator_email"].map(creators)).all()


def test_when_claude_code_pages_are_read_then_each_holds_one_day_of_engineering(claude_pages, department_of):
    assert claude_pages[-1]["has_more"] is False
    for page in claude_pages:
        assert len({r["date"] for r in page["data"]}) <= 1
        assert page["has_more"] == (page["next_page"] is not None)
    records = [r for p in claude_pages for r in p["data"]]
    users = {r["actor"]["email_address"] for r in records if r["actor"]["type"] == "user_actor"}
    assert {department_of[u] for u in users} == {"Engineering"}
    amounts = [b["estimated_cost"]["amount"] for r in records for b in r["model_breakdown"]]
    assert min(amounts) >= 0 and max(amounts) > 100, "cents"
    assert {r["customer_type"] for r in records} == {"subscription", "api"}


def test_when_claude_code_days_are_long_then_they_are_paged(tmp_path, monkeypatch):
    monkeypatch.setattr(demo.anthropic, "PAGE_LIMIT", 3)
    write_demo(tmp_path / "raw", SMALL)
    pages = [page for path in sorted((tmp_path / "raw" / "anthropic").glob("*.json")) for page in _json(path)]
    assert all(len(p["data"]) <= 3 for p in pages)
    continued = [(p, q) for p, q in zip(pages, pages[1:], strict=False) if p["has_more"]]
    assert continued and all(p["next_page"].startswith("page_") for p, _ in continued)
    assert all(p["data"][0]["date"] == q["data"][0]["date"] for p, q in continued)


def test_when_gemini_activities_are_read_then_they_are_marketings_newest_first(raw, department_of):
    for path in sorted((raw / "google").glob("*.json")):
        items = _json(path)["items"]
        times = [i["id"]["time"] for i in items]
        assert items and times == sorted(times, reverse=True)
        assert {department_of[i["actor"]["email"]] for i in items} == {"Marketing"}
        assert {t[:7] for t in times} == {path.stem[-7:]}


def test_when_the_survey_is_read_then_about_a_third_answer_once_about_three_tools(survey, roster):
    assert set(survey["tool"]) == {"slack_ai", "gemini", "m365_copilot"}
    assert set(survey["frequency"]) <= {"daily", "weekly", "monthly", "rarely", "never"}
    assert set(survey["department"]) <= set(roster["department"])
    respondents = len(survey) / 3
    assert 0.2 < respondents / len(roster) < 0.4
    comments = survey["comment"][survey["comment"] != ""]
    assert len(comments) and comments.str.contains("@acme-demo.com").any()
    gemini = survey[survey["tool"] == "gemini"]
    by_department = gemini.assign(uses=gemini["frequency"] != "never").groupby("department")["uses"].mean()
    assert by_department["Marketing"] > by_department.drop("Marketing").max(), "Marketing has Gemini"


def test_when_kpis_are_planted_then_the_active_share_counts_every_tool(tmp_path, monkeypatch):
    seen = {}
    simulate, plant = demo._simulate, demo.team_kpis

    def keep_tools(*args):
        seen["tools"] = simulate(*args)
        return seen["tools"]

    def keep_active(rng, org, any_active, cal):
        seen["any_active"] = any_active
        return plant(rng, org, any_active, cal)

    monkeypatch.setattr(demo, "_simulate", keep_tools)
    monkeypatch.setattr(demo, "team_kpis", keep_active)
    write_demo(tmp_path / "raw", SMALL)
    tools = seen["tools"]
    uses = [tools.chat_active, tools.copilot_active] + [
        use.active for use in (tools.cursor, tools.m365, tools.claude, tools.api, tools.gemini)
    ]
    assert (seen["any_active"] == np.logical_or.reduce(uses)).all()
    only_new = seen["any_active"] & ~(tools.chat_active | tools.copilot_active)
    assert only_new.any(), "the new tools add active people the first two tools did not have"


def test_when_free_text_is_written_then_some_of_it_names_people_of_the_roster(raw, gateway, survey, roster):
    """The demo exercises scrubbing: prompts, survey comments and GPT names sometimes name an employee."""
    full_names, first_names = set(roster["full_name"]), set(roster["full_name"].str.split().str[0])
    prompts = gateway["prompt"].loc[gateway["prompt"] != ""]
    assert 0 < len(prompts) < len(gateway) / 10
    assert prompts.str.split(" for | with ", regex=True).str[-1].isin(full_names).any()
    assert survey["comment"].str.contains("|".join(sorted(full_names)), regex=True).any()
    gpt_names = _csv(raw / "chatgpt", "* gpt report *.csv")["gpt_name"]
    assert gpt_names.str.split("'s ").str[0].isin(first_names).any()


# fmt: off
@pytest.mark.parametrize(("months", "today", "start"), [
    (6, date(2026, 12, 6), date(2026, 5, 1)),    # May-October fits before today: the usual start
    (7, date(2026, 12, 6), date(2026, 5, 1)),    # May-November: November is over, still the usual start
    (12, date(2026, 12, 6), date(2025, 12, 1)),  # a year from May would reach the future: end in November
    (3, date(2026, 7, 31), date(2026, 4, 1)),    # July is not over: April-June
])
# fmt: on
def test_when_no_start_is_given_then_the_demo_ends_before_today(months, today, start):
    assert demo.default_start(months, today=today) == start
    assert demo.add_months(start, months) <= today.replace(day=1)
