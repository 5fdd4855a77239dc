"""`adoption-kit rekey` on the small demo project: every pseudonym replaced, nothing else changed, the old
key no longer needed, and nothing touched when a raw export is missing or the key comes from the
environment. Each test that changes something works on its own copy of the re-keyed project."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from adoption_kit import cli, metrics
from adoption_kit.privacy.pseudonym import Pseudonymizer, pending_key_path, retired_key_path
from adoption_kit.schema import TABLES
from adoption_kit.workspace import Workspace, write_workspace
from tests.demo_project import SMALL_DEMO, DemoProject, new_project

SECOND_BATCH = Path("chatgpt") / "Acme weekly user report 2026-07-19.csv"
AFTER_REKEY = Path("chatgpt") / "Acme weekly user report 2026-07-26.csv"
MISSING = Path("cursor") / "daily-usage-2026-05-01.json"
AS_OF = date(2026, 7, 31)


def _key_id(path: Path) -> str:
    return Pseudonymizer.from_hex(path.read_text(encoding="ascii"), origin=str(path)).key_id


def _old_key_id(before: dict) -> str:
    return Pseudonymizer.from_hex(before["key"].decode("ascii"), origin="the old key").key_id


def _tables(workspace: Path) -> dict[str, pd.DataFrame]:
    opened = Workspace.open(workspace)
    return {name: opened.table(name) for name in TABLES}


def _metrics(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    activity, people, seats = tables["activity"], tables["people"], tables["seats"]
    return {
        "headcount": metrics.headcount(people, by="team", as_of=AS_OF),
        "seat_activation": metrics.seat_activation(seats, activity, people, by="department", as_of=AS_OF),
        "weekly_active_users": metrics.weekly_active_users(activity, people, by="department", until=AS_OF),
        "monthly_active_users": metrics.monthly_active_users(activity, people, by="location", until=AS_OF),
        "events_per_active_user": metrics.events_per_active_user(activity, people, by=None, until=AS_OF),
    }


def _bytes(*folders: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


def _copy(project: DemoProject, tmp_path: Path) -> DemoProject:
    shutil.copytree(project.root, tmp_path / "project")
    return DemoProject(tmp_path / "project")


@pytest.fixture(scope="module")
def before(tmp_path_factory) -> dict:
    """A demo project ingested in two batches, one export held back for after rekey; what it held before."""
    project = new_project(tmp_path_factory.mktemp("rekey") / "project")
    project.kit("demo", *SMALL_DEMO)
    (project.root / "later").mkdir()
    for held_back in (SECOND_BATCH, AFTER_REKEY):
        (project.raw / held_back).rename(project.root / "later" / held_back.name)
    project.kit("ingest")
    (project.root / "later" / SECOND_BATCH.name).rename(project.raw / SECOND_BATCH)
    project.kit("ingest")
    key_file = project.root / "outputs" / "demo" / "secrets" / "pseudonym.key"
    tables = _tables(project.workspace)
    state = {"tables": tables, "metrics": _metrics(tables), "key": key_file.read_bytes()}
    result = project.kit("rekey")
    return state | {"project": project, "key_file": key_file, "stdout": result.stdout}


@pytest.fixture(scope="module")
def project(before) -> DemoProject:
    return before["project"]


def test_when_rekeyed_then_no_token_of_the_old_key_remains_anywhere_in_the_workspace(before, project):
    old_id, new_id = _old_key_id(before), _key_id(before["key_file"])
    assert old_id != new_id
    old_token, new_token = re.compile(f"p{old_id}_"), f"p{new_id}_"
    for parquet in project.workspace.glob("*.parquet"):
        frame = pd.read_parquet(parquet)
        text_columns = frame.select_dtypes(include=["object", "string", "str"])
        assert not text_columns.apply(lambda c: c.astype("str").str.contains(old_token).any()).any(), parquet
        assert old_token.search(str(pq.read_metadata(parquet).to_dict())) is None, parquet
        assert old_token.search(str(pq.read_schema(parquet).metadata)) is None, parquet
    manifest = (project.workspace / "manifest.json").read_text()
    assert old_token.search(manifest) is None
    assert json.loads(manifest)["key_id"] == new_id
    assert (project.workspace / "people.parquet").is_file()
    assert pd.read_parquet(project.workspace / "people.parquet")["person_id"].str.startswith(new_token).all()
    assert not list(project.workspace.parent.glob(".workspace*")), "staging folders were left behind"


def test_when_rekeyed_then_people_rows_and_every_metric_are_unchanged(before, project):
    after = _tables(project.workspace)
    assert {n: len(f) for n, f in after.items()} == {n: len(f) for n, f in before["tables"].items()}
    assert after["people"]["person_id"].nunique() == before["tables"]["people"]["person_id"].nunique() == 400
    for name, expected in before["metrics"].items():
        pd.testing.assert_frame_equal(_metrics(after)[name], expected, obj=name)
    assert before["tables"]["exports"]["ingested_at"].nunique() == 2  # two ingests replayed in order
    pd.testing.assert_frame_equal(after["exports"], before["tables"]["exports"])


def test_when_the_raw_files_are_ingested_afresh_with_the_new_key_then_the_pseudonyms_are_the_same(project):
    project.kit("ingest", "--workspace", "outputs/fresh")
    fresh, rekeyed = _tables(project.root / "outputs" / "fresh"), _tables(project.workspace)
    for name in ("people", "identities", "seats", "activity"):
        columns = list(rekeyed[name].columns)
        pd.testing.assert_frame_equal(
            fresh[name].sort_values(columns).reset_index(drop=True),
            rekeyed[name].sort_values(columns).reset_index(drop=True),
            obj=name,
        )


def test_when_a_new_export_arrives_then_the_new_key_ingests_it_and_the_old_key_is_refused(
    before, project, tmp_path
):
    copy = _copy(project, tmp_path)
    key_file = copy.root / "outputs" / "demo" / "secrets" / "pseudonym.key"
    retired = retired_key_path(key_file, key_id=_old_key_id(before))
    assert retired.read_bytes() == before["key"]
    assert retired.stat().st_mode & 0o777 == 0o600
    (copy.root / "later" / AFTER_REKEY.name).rename(copy.raw / AFTER_REKEY)
    refused = copy.kit("ingest", "--key-file", str(retired), check=False)
    assert refused.returncode == 2 and "another key" in refused.stderr
    copy.kit("ingest")
    assert len(_tables(copy.workspace)["exports"]) == len(before["tables"]["exports"]) + 1
    assert "no longer needed" in before["stdout"]


def test_when_a_raw_export_is_missing_then_rekey_names_it_and_changes_nothing(project, tmp_path):
    copy = _copy(project, tmp_path)
    (copy.raw / MISSING).unlink()
    secrets = copy.root / "outputs" / "demo" / "secrets"
    unchanged = _bytes(copy.workspace, secrets)
    result = copy.kit("rekey", check=False)
    assert result.returncode == 2
    assert "cursor_daily_usage" in result.stderr and "2026-05-01 to 2026-05-30" in result.stderr
    assert _bytes(copy.workspace, secrets) == unchanged


def test_when_the_key_comes_from_the_environment_then_rekey_is_refused(project, monkeypatch, capsys):
    secrets = project.root / "outputs" / "demo" / "secrets"
    unchanged = _bytes(project.workspace, secrets)
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("ADOPTION_KIT_KEY", (project.root / "outputs/demo/secrets/pseudonym.key").read_text())
    assert cli.main(["rekey"]) == 2
    assert "$ADOPTION_KIT_KEY" in capsys.readouterr().err
    assert _bytes(project.workspace, secrets) == unchanged


def test_when_a_rekey_was_interrupted_after_the_swap_then_commands_stop_and_a_rerun_finishes(
    before, project, tmp_path
):
    copy = _copy(project, tmp_path)
    key_file = copy.root / "outputs" / "demo" / "secrets" / "pseudonym.key"
    new_key = key_file.read_bytes()
    key_file.rename(pending_key_path(key_file))  # the state between the workspace swap and the key's
    for retired in key_file.parent.glob("*.retired-*"):
        retired.unlink()
    key_file.write_bytes(before["key"])
    stopped = copy.kit("ingest", check=False)
    assert stopped.returncode == 2 and "adoption-kit rekey" in stopped.stderr
    finished = copy.kit("rekey")
    assert "Finished an interrupted" in finished.stdout
    assert key_file.read_bytes() == new_key and not pending_key_path(key_file).exists()
    assert next(key_file.parent.glob("*.retired-*")).read_bytes() == before["key"]
    copy.kit("ingest")


def test_when_a_new_key_file_is_given_and_the_old_key_destroyed_then_the_given_key_replaces_it(
    project, tmp_path
):
    copy = _copy(project, tmp_path)
    key_file = copy.root / "outputs" / "demo" / "secrets" / "pseudonym.key"
    replaced, files_before = _key_id(key_file), sorted(p.name for p in key_file.parent.iterdir())
    given = tmp_path / "given.key"
    copy.kit("keygen", "--key-file", str(given))
    pending_key_path(key_file).write_text("half-written by a crash before the workspace swap")
    copy.kit("rekey", "--new-key-file", str(given), "--destroy-old-key")
    assert key_file.read_bytes() == given.read_bytes()
    assert Workspace.open(copy.workspace).manifest["key_id"] == _key_id(given)
    assert not retired_key_path(key_file, key_id=replaced).exists()
    assert sorted(p.name for p in key_file.parent.iterdir()) == files_before


def test_when_the_workspace_differs_from_what_the_raw_files_give_then_rekey_refuses_and_changes_nothing(
    project, tmp_path
):
    copy = _copy(project, tmp_path)
    tampered = _tables(copy.workspace)
    tampered["people"].loc[0, "department"] = "Nowhere"  # a person whose roster row says otherwise
    write_workspace(copy.workspace, tampered, Workspace.open(copy.workspace).manifest)
    secrets = copy.root / "outputs" / "demo" / "secrets"
    unchanged = _bytes(copy.workspace, secrets)
    result = copy.kit("rekey", check=False)
    assert result.returncode == 2
    assert (
        "does not reproduce the workspace: people: same 400 rows, other values in department" in result.stderr
    )
    assert _bytes(copy.workspace, secrets) == unchanged
