"""Ingest over time: the same file twice changes nothing, new weeks append, overlaps go to the later export,
and people are found through emails, aliases, logins and identity maps, or counted when they are not."""

from __future__ import annotations

import hashlib
import json
import weakref
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import schema, sources
from adoption_kit.errors import InputFileError
from adoption_kit.ingest import ingest
from adoption_kit.privacy.pseudonym import Pseudonymizer
from adoption_kit.privacy.scrub import Scrubber
from adoption_kit.sources.base import Extract
from adoption_kit.sources.chatgpt_users import CURRENT_HEADER, FIELDS
from adoption_kit.workspace import Workspace

KEY = Pseudonymizer(bytes(range(32)))
ROSTER = """employee_id,email,full_name,department,team,job_function,location,github_login,aliases
E1,ann.lee@acme.test,Ann Lee,Sales,Sales / East,account executive,Berlin,,ann@acme-old.test
E2,bo.kim@acme.test,Bo Kim,Engineering,Engineering / Core,software engineer,London,bokim-gh,
E3,cy.ng@acme.test,Cy Ng,Engineering,Engineering / Core,software engineer,London,,
"""


def _chatgpt_week(
    folder: Path, name: str, start: str, messages: dict[str, int], extra: dict | None = None
) -> Path:
    """A weekly user report (Sunday start) with the given messages per email (0: inactive)."""
    end = (pd.Timestamp(start) + pd.Timedelta(days=6)).date().isoformat()
    rows = pd.DataFrame(
        [
            {
                "cadence": "Weekly",
                "period_start": start,
                "period_end": end,
                "email": email,
                "user_status": "enabled",
                "created_or_invited_date": "2026-01-05",
                "is_active": int(count > 0),
                "messages": count,
            }
            for email, count in messages.items()
        ],  # fmt: skip
        columns=list(CURRENT_HEADER),
    )
    for column, value in (extra or {}).items():
        rows[column] = value
    path = folder / name
    rows.to_csv(path, index=False)
    return path


def _fingerprint(folder: Path) -> dict[str, str]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture
def raw(tmp_path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "roster.csv").write_text(ROSTER)
    return folder


@pytest.fixture
def workspace(tmp_path) -> Path:
    return tmp_path / "workspace"


def _activity(workspace: Path) -> pd.DataFrame:
    return pd.read_parquet(workspace / "activity.parquet")


def _events(workspace: Path) -> dict[str, int]:
    frame = _activity(workspace)
    return frame.groupby(frame["day"].dt.date.astype(str))["events"].sum().to_dict()


def test_when_the_same_file_is_ingested_twice_then_nothing_changes(raw, workspace):
    _chatgpt_week(raw, "w1.csv", "2026-03-01", {"ann.lee@acme.test": 10, "bo.kim@acme.test": 0})
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    before = _fingerprint(workspace)
    report = ingest([raw], workspace=workspace, pseudonymizer=KEY)
    assert _fingerprint(workspace) == before
    assert {r.source: r.skipped_as_ingested for r in report.sources}["chatgpt_user_report"] == 1


def test_when_a_new_week_arrives_then_it_is_appended(raw, workspace):
    _chatgpt_week(raw, "w1.csv", "2026-03-01", {"ann.lee@acme.test": 10})
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    _chatgpt_week(raw, "w2.csv", "2026-03-08", {"ann.lee@acme.test": 4, "cy.ng@acme.test": 6})
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    assert _events(workspace) == {"2026-03-01": 10, "2026-03-08": 10}


def test_when_two_exports_cover_the_same_week_then_the_later_one_wins_whole(raw, workspace, tmp_path):
    _chatgpt_week(raw, "first.csv", "2026-03-01", {"ann.lee@acme.test": 10, "cy.ng@acme.test": 5})
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    later = tmp_path / "later"
    later.mkdir()
    # re-exported after a correction: Cy's messages are gone, Ann's changed; the whole week is replaced
    _chatgpt_week(later, "again.csv", "2026-03-01", {"ann.lee@acme.test": 12, "cy.ng@acme.test": 0})
    report = ingest([later], workspace=workspace, pseudonymizer=KEY)
    assert _events(workspace) == {"2026-03-01": 12}
    assert "later export wins" in {r.source: r.overlaps for r in report.sources}["chatgpt_user_report"]


def test_when_an_older_export_arrives_late_then_it_changes_nothing_it_overlaps(raw, workspace, tmp_path):
    _chatgpt_week(raw, "two-weeks.csv", "2026-03-08", {"ann.lee@acme.test": 7})
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    old = tmp_path / "old"
    old.mkdir()
    (old / "roster.csv").write_text(ROSTER)
    _chatgpt_week(old, "old.csv", "2026-03-01", {"ann.lee@acme.test": 3})  # earlier week: appended
    ingest([old], workspace=workspace, pseudonymizer=KEY)
    assert _events(workspace) == {"2026-03-01": 3, "2026-03-08": 7}


def test_when_rows_name_people_by_alias_login_or_nobody_then_they_resolve_or_are_counted(raw, workspace):
    _chatgpt_week(raw, "w1.csv", "2026-03-01", {"ANN+gpt@acme-old.test": 10, "stranger@elsewhere.test": 4})
    records = [
        {"user_login": "BoKim-GH", "day": "2026-03-03", "user_initiated_interaction_count": 3},
        {"user_login": "ghost", "day": "2026-03-03", "user_initiated_interaction_count": 1},
    ]
    (raw / "copilot.ndjson").write_text("\n".join(json.dumps(r) for r in records))
    report = {r.source: r for r in ingest([raw], workspace=workspace, pseudonymizer=KEY).sources}
    activity = _activity(workspace)
    assert activity["person_id"].nunique() == 2  # Ann through her alias, Bo through his login
    chatgpt = report["chatgpt_user_report"]
    assert (chatgpt.people_matched, chatgpt.identities_unmatched) == (1, 1)
    assert "matches nobody in the roster" in chatgpt.rows_dropped
    assert report["github_copilot_user_metrics"].identities_unmatched == 1


def test_when_an_identity_map_links_a_tool_id_then_its_rows_find_their_person(raw, workspace):
    (raw / "map.csv").write_text("kind,identifier,email\ngithub_login,cy-codes,cy.ng@acme.test\n")
    record = {"user_login": "cy-codes", "day": "2026-03-03", "user_initiated_interaction_count": 2}
    (raw / "copilot.ndjson").write_text(json.dumps(record))
    if "identity_map" not in __import__("adoption_kit.sources", fromlist=["SOURCES"]).SOURCES:
        pytest.skip("the identity map format is not in the registry yet")
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    assert len(_activity(workspace)) == 1


def test_when_a_file_has_columns_the_kit_does_not_know_then_they_are_reported_once(raw, workspace):
    _chatgpt_week(raw, "w1.csv", "2026-03-01", {"ann.lee@acme.test": 1}, extra={"sparkle_score": 3})
    _chatgpt_week(raw, "w2.csv", "2026-03-08", {"ann.lee@acme.test": 1}, extra={"sparkle_score": 4})
    report = {r.source: r for r in ingest([raw], workspace=workspace, pseudonymizer=KEY).sources}
    assert report["chatgpt_user_report"].unknown_fields == "sparkle_score"
    assert "sparkle_score" not in FIELDS.declared


def test_when_the_workspace_was_made_with_another_key_then_ingest_refuses(raw, workspace):
    from adoption_kit.errors import WorkspaceError

    _chatgpt_week(raw, "w1.csv", "2026-03-01", {"ann.lee@acme.test": 1})
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    _chatgpt_week(raw, "w2.csv", "2026-03-08", {"ann.lee@acme.test": 1})
    with pytest.raises(WorkspaceError, match="another key"):
        ingest([raw], workspace=workspace, pseudonymizer=Pseudonymizer(bytes(reversed(range(32)))))


def _texts(workspace: Path) -> pd.DataFrame:
    return pd.read_parquet(workspace / "texts.parquet")


def test_when_a_role_names_a_colleague_then_the_name_is_their_token_in_texts(raw, workspace):
    _chatgpt_week(raw, "w1.csv", "2026-03-01", {"ann.lee@acme.test": 3}, extra={"role": "Bo Kim's deputy"})
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    texts = _texts(workspace)
    assert list(texts["kind"]) == ["user_role"]
    assert list(texts["text"]) == [f"<PERSON:{KEY.token('bo.kim@acme.test')}>'s deputy"]
    assert list(texts["person_id"]) == [KEY.token("ann.lee@acme.test")]


def test_when_several_files_are_ingested_then_each_raw_extract_is_let_go_before_the_next_is_read(
    raw, workspace, monkeypatch
):
    for week, start in enumerate(["2026-03-01", "2026-03-08", "2026-03-15"]):
        _chatgpt_week(
            raw, f"w{week}.csv", start, {"ann.lee@acme.test": 3 + week}, extra={"role": "Bo Kim's deputy"}
        )
    (raw / "map.csv").write_text("kind,identifier,email\ngithub_login,cy-codes,cy.ng@acme.test\n")
    extracts: list[weakref.ref[Extract]] = []  # every extract read, dead or alive
    reads: list[tuple[str, list[str]]] = []  # each file read, with the files whose extracts were alive then
    read = sources.read

    def read_and_watch(path: Path, *, source: str | None = None) -> Extract:
        alive = [e.path.name for ref in extracts if (e := ref()) is not None]
        reads.append((path.name, sorted(alive)))
        extract = read(path, source=source)
        extracts.append(weakref.ref(extract))
        return extract

    monkeypatch.setattr(sources, "read", read_and_watch)
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    weekly = [others for name, others in reads if name.startswith("w")]
    assert weekly == [[], [], []]  # every weekly report read alone, each read once
    # Rosters and identity maps are read together first (to learn who is who), never beside another file.
    assert all(set(others) <= {"roster.csv", "map.csv"} for _, others in reads)
    assert len(_activity(workspace)) == 3


def test_when_files_share_a_text_then_it_is_scrubbed_once_and_stored_alike(raw, workspace, monkeypatch):
    for week, start in enumerate(["2026-03-01", "2026-03-08"]):
        _chatgpt_week(raw, f"w{week}.csv", start, {"ann.lee@acme.test": 3}, extra={"role": "Bo Kim's deputy"})
    scrubbed: list[str] = []
    scrub_text = Scrubber.scrub_text
    monkeypatch.setattr(
        Scrubber, "scrub_text", lambda self, text: scrubbed.append(text) or scrub_text(self, text)
    )
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    assert scrubbed == ["Bo Kim's deputy"]
    assert list(_texts(workspace)["text"]) == [f"<PERSON:{KEY.token('bo.kim@acme.test')}>'s deputy"] * 2


def test_when_a_kind_is_configured_to_drop_then_no_text_of_it_is_stored_and_it_is_counted(raw, workspace):
    _chatgpt_week(raw, "w1.csv", "2026-03-01", {"ann.lee@acme.test": 3}, extra={"role": "Sales lead"})
    report = ingest([raw], workspace=workspace, pseudonymizer=KEY, free_text={"user_role": "drop"})
    assert _texts(workspace).empty
    assert (
        "1 rows: texts not stored"
        in {r.source: r for r in report.sources}["chatgpt_user_report"].rows_dropped
    )


def test_when_a_later_report_restates_a_period_then_its_texts_replace_the_earlier_ones(
    raw, workspace, tmp_path
):
    _chatgpt_week(raw, "w1.csv", "2026-03-01", {"ann.lee@acme.test": 3}, extra={"role": "Sales lead"})
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    _chatgpt_week(
        raw, "w1 again.csv", "2026-03-01", {"ann.lee@acme.test": 4}, extra={"role": "Sales director"}
    )
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    assert list(_texts(workspace)["text"]) == ["Sales director"]


def test_when_free_text_arrives_without_the_roster_then_ingest_stops_naming_the_file(
    raw, workspace, tmp_path
):
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    later = tmp_path / "later"
    later.mkdir()
    path = _chatgpt_week(
        later, "w1.csv", "2026-03-01", {"ann.lee@acme.test": 3}, extra={"role": "Ann's deputy"}
    )
    with pytest.raises(InputFileError, match="roster") as error:
        ingest([later], workspace=workspace, pseudonymizer=KEY)
    assert error.value.path == path
    ingest([later], workspace=workspace, pseudonymizer=KEY, free_text={"user_role": "drop"})
    assert _texts(workspace).empty


GATEWAY_HEADER = "timestamp,user,model,tokens_in,tokens_out,status"
CURSOR_HEADER = (
    "Date,User,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,Output Tokens,"
    "Total Tokens,Cost"
)


def _gateway_log(folder: Path, name: str, requests: list[tuple[str, str, int]]) -> Path:
    """A gateway log of (timestamp, email, HTTP status) requests."""
    rows = [f"{stamp},{email},gpt-4o,10,5,{status}" for stamp, email, status in requests]
    path = folder / name
    path.write_text("\n".join([GATEWAY_HEADER, *rows]) + "\n")
    return path


def _cursor_events(folder: Path, name: str, requests: list[tuple[str, str]]) -> Path:
    """A Cursor team usage-events export of (timestamp, email) requests."""
    rows = [f"{stamp},{email},Included,auto,No,1,0,0,1,2,Included" for stamp, email in requests]
    path = folder / name
    path.write_text("\n".join([CURSOR_HEADER, *rows]) + "\n")
    return path


def _cursor_daily(folder: Path, name: str, day: str, agent_requests: dict[str, int]) -> Path:
    """A Cursor daily-usage response for one whole UTC day: the full account of Cursor use that day."""
    start = int(pd.Timestamp(day).value // 1_000_000)
    rows = [
        {"date": start, "email": email, "isActive": True, "agentRequests": count, "totalTabsAccepted": 0}
        for email, count in agent_requests.items()
    ]
    path = folder / name
    path.write_text(json.dumps({"data": rows, "period": {"startDate": start, "endDate": start + 86_400_000}}))
    return path


def _hours(workspace: Path) -> dict[tuple[str, str, int], tuple[int, object]]:
    """(person, UTC day, hour) -> (events, throttled), with people as the roster's first names."""
    hours = pd.read_parquet(workspace / "activity_hours.parquet")
    names = {KEY.token(f"{n}@acme.test"): n.split(".")[0] for n in ("ann.lee", "bo.kim", "cy.ng")}
    return {
        (names[row.person_id], row.day.date().isoformat(), row.hour): (
            row.events,
            None if pd.isna(row.throttled) else row.throttled,
        )
        for row in hours.itertuples()
    }


def _hours_add_up(workspace: Path) -> bool:
    """Every person, tool and day with hours has as many events in its hours as in its activity."""
    keys = ["person_id", "tool", "day"]
    hours = pd.read_parquet(workspace / "activity_hours.parquet").groupby(keys)["events"].sum()
    days = _activity(workspace).groupby(keys)["events"].sum()
    return bool(len(hours)) and hours.equals(days.reindex(hours.index))


def test_when_a_later_log_restates_a_day_then_its_hours_replace_exactly_that_days_hours(
    raw, workspace, tmp_path
):
    _gateway_log(
        raw,
        "march-02.csv",
        [
            ("2026-03-02T09:00:00Z", "ann.lee@acme.test", 200),
            ("2026-03-02T09:30:00+00:00", "ann.lee@acme.test", 429),
            ("2026-03-02T11:00:00+01:00", "bo.kim@acme.test", 200),
        ],
    )
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    assert _hours(workspace) == {("ann", "2026-03-02", 9): (2, 1), ("bo", "2026-03-02", 10): (1, 0)}
    later = tmp_path / "later"
    later.mkdir()
    # A later log (its newest day is later) restates Ann's 2 March: her row and hours are replaced whole;
    # Bo's 2 March, which it does not mention, keeps its row and its hour.
    _gateway_log(
        later,
        "march-02-03.csv",
        [
            ("2026-03-02T16:00:00Z", "ann.lee@acme.test", 200),
            ("2026-03-03T08:00:00Z", "ann.lee@acme.test", 200),
        ],
    )
    ingest([later], workspace=workspace, pseudonymizer=KEY)
    assert _hours(workspace) == {
        ("ann", "2026-03-02", 16): (1, 0),
        ("ann", "2026-03-03", 8): (1, 0),
        ("bo", "2026-03-02", 10): (1, 0),
    }
    assert _hours_add_up(workspace)


def test_when_a_daily_export_covers_days_of_events_then_their_hours_go_with_their_activity(raw, workspace):
    _cursor_events(
        raw,
        "usage-events.csv",
        [
            ("2026-03-02T09:00:00Z", "ann.lee@acme.test"),
            ("2026-03-02T14:30:00Z", "ann.lee@acme.test"),
            ("2026-03-02T09:15:00Z", "bo.kim@acme.test"),
            ("2026-03-05T10:00:00Z", "ann.lee@acme.test"),
        ],
    )
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    assert set(_hours(workspace)) == {
        ("ann", "2026-03-02", 9),
        ("ann", "2026-03-02", 14),
        ("bo", "2026-03-02", 9),
        ("ann", "2026-03-05", 10),
    }
    # The daily export is the full account of 2 March: the events' rows of that day (Ann's and Bo's) give
    # way to it, and so do their hours (it has none); 5 March keeps its events and its hour.
    _cursor_daily(raw, "daily-usage.json", "2026-03-02", {"ann.lee@acme.test": 5})
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    assert _events(workspace) == {"2026-03-02": 5, "2026-03-05": 1}
    assert _hours(workspace) == {("ann", "2026-03-05", 10): (1, None)}
    assert _hours_add_up(workspace)


def test_when_events_arrive_for_a_day_a_daily_export_covers_then_their_hours_are_not_kept(raw, workspace):
    _cursor_daily(raw, "daily-usage.json", "2026-03-02", {"ann.lee@acme.test": 5})
    _cursor_events(
        raw,
        "usage-events.csv",
        [("2026-03-02T09:00:00Z", "ann.lee@acme.test"), ("2026-03-03T09:00:00Z", "ann.lee@acme.test")],
    )
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    assert _events(workspace) == {"2026-03-02": 5, "2026-03-03": 1}
    assert _hours(workspace) == {("ann", "2026-03-03", 9): (1, None)}


def test_when_the_workspace_predates_the_hours_table_then_it_reads_empty_and_ingest_fills_it(
    raw, workspace, tmp_path
):
    _gateway_log(raw, "march-02.csv", [("2026-03-02T09:00:00Z", "bo.kim@acme.test", 200)])
    ingest([raw], workspace=workspace, pseudonymizer=KEY)
    (workspace / "activity_hours.parquet").unlink()  # as written by a kit without hours
    opened = Workspace.open(workspace)
    assert opened.table("activity_hours").empty
    assert list(opened.table("activity_hours").columns) == list(schema.SCHEMAS["activity_hours"].columns)
    assert opened.connect().execute("SELECT count(*) FROM activity_hours").fetchone() == (0,)
    later = tmp_path / "later"
    later.mkdir()
    _gateway_log(later, "march-03.csv", [("2026-03-03T10:00:00Z", "bo.kim@acme.test", 429)])
    ingest([later], workspace=workspace, pseudonymizer=KEY)
    assert _hours(workspace) == {("bo", "2026-03-03", 10): (1, 1)}  # 2 March's hours were never kept
    assert _events(workspace) == {"2026-03-02": 1, "2026-03-03": 1}
