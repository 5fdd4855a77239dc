"""Ingest over time: the same file twice changes nothing, new weeks append, overlaps go to the later export,
and people are found through emails, aliases, logins and identity maps, or counted when they are not."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit.errors import InputFileError
from adoption_kit.ingest import ingest
from adoption_kit.privacy.pseudonym import Pseudonymizer
from adoption_kit.sources.chatgpt_users import CURRENT_HEADER, FIELDS

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
