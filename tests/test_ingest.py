"""Ingest: the workspace it writes, and bad input that must leave the previous workspace untouched."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit.config import load_settings
from adoption_kit.errors import InputFileError
from adoption_kit.ingest import ingest
from adoption_kit.privacy.pseudonym import Pseudonymizer
from adoption_kit.schema import PSEUDONYM_PATTERN, TABLES
from adoption_kit.workspace import Workspace
from conftest import shared_demo
from tests.demo_project import DemoProject, new_project

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path) -> DemoProject:
    """A private copy of the ingested demo (raw files, key and workspace) that a test may break."""
    shared = shared_demo(run_reports=False)
    copy = new_project(tmp_path / "project")
    shutil.copytree(shared.root / "outputs" / "demo", copy.root / "outputs" / "demo")
    shutil.copytree(shared.workspace, copy.workspace)
    return copy


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _first(folder: Path, pattern: str) -> Path:
    return sorted(folder.glob(pattern))[0]


def _user_report(raw: Path) -> Path:
    return _first(raw / "chatgpt", "* weekly user report *.csv")


def _drop_column(path: Path, column: str) -> None:
    frame = pd.read_csv(path, dtype="str", keep_default_na=False)
    frame.drop(columns=column).to_csv(path, index=False)


def _set_cell(path: Path, column: str, row: int, value: str) -> None:
    frame = pd.read_csv(path, dtype="str", keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(path, index=False)


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


UNDECODABLE = b"\x81\x8d\x8f\x90\x9d" * 50  # bytes that are neither UTF-8 nor Windows-1252

# fmt: off
BAD_INPUT = [
    # (what is broken, how, the file it names, what the message must also say)
    ("roster without a team column", lambda raw: _drop_column(raw / "hr" / "roster.csv", "team"),
     "roster.csv", ["column 'team'"]),
    ("ChatGPT report without messages", lambda raw: _drop_column(_user_report(raw), "messages"),
     ".csv", ["column 'messages'"]),
    ("unparseable date in a ChatGPT report",
     lambda raw: _set_cell(_user_report(raw), "period_start", 2, "31/12/2026"),
     ".csv", ["row 4", "column 'period_start'", "2026-05-31"]),
    ("negative seat count in seat pools",
     lambda raw: _set_cell(raw / "hr" / "seat_pools.csv", "seats_purchased", 0, "-3"),
     "seat_pools.csv", ["row 2", "column 'seats_purchased'"]),
    ("truncated seats JSON", lambda raw: _truncate(_first(raw / "github_copilot", "copilot-seats-*.json")),
     ".json", ["not valid JSON"]),
    ("unreadable bytes", lambda raw: (raw / "chatgpt" / "broken.csv").write_bytes(UNDECODABLE),
     "broken.csv", ["not text"]),
    ("empty file", lambda raw: (raw / "kpis" / "empty.csv").write_text(""), "empty.csv", ["empty"]),
]
# fmt: on


@pytest.mark.parametrize(("case", "breaks", "names_file", "says"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_when_input_is_bad_then_ingest_exits_2_naming_the_place_and_keeps_the_workspace(
    project, case, breaks, names_file, says
):
    before = _fingerprint(project.workspace)
    breaks(project.raw)
    result = project.kit("ingest", check=False)
    assert result.returncode == 2, result.stderr
    assert names_file in result.stderr and str(project.raw) in result.stderr
    for fragment in says:
        assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert _fingerprint(project.workspace) == before


def test_when_ingest_succeeds_then_people_are_pseudonyms_and_the_report_has_a_line_per_source(project):
    result = project.kit("ingest")
    for source in ("hr_roster", "chatgpt_user_report", "github_copilot_user_metrics", "github_copilot_seats"):
        assert source in result.stdout
    people = pd.read_parquet(project.workspace / "people.parquet")
    assert people["person_id"].str.fullmatch(PSEUDONYM_PATTERN.strip("^$")).all()
    assert not [c for c in people.columns if c in {"email", "full_name", "employee_id", "github_login"}]


def test_when_the_same_inputs_are_ingested_twice_then_the_tables_are_identical(project):
    project.kit("ingest")
    first = {name: pd.read_parquet(project.workspace / f"{name}.parquet") for name in ("people", "activity")}
    project.kit("ingest")
    for name, frame in first.items():
        pd.testing.assert_frame_equal(pd.read_parquet(project.workspace / f"{name}.parquet"), frame)


def test_when_no_key_exists_then_ingest_refuses_instead_of_making_one(project):
    (project.root / "outputs" / "demo" / "secrets" / "pseudonym.key").unlink()
    before = _fingerprint(project.workspace)
    result = project.kit("ingest", check=False)
    assert result.returncode == 2 and "no pseudonymization key" in result.stderr
    assert _fingerprint(project.workspace) == before


def _ingest_with_readers(project: DemoProject, workspace: Path, readers: int) -> None:
    settings = load_settings(project.root)
    ingest(
        [project.raw],
        workspace=workspace,
        pseudonymizer=Pseudonymizer.load(settings.key_file, workspace=workspace),
        free_text=settings.free_text,
        use_cases=settings.use_cases,
        readers=readers,
    )


def test_when_two_processes_read_the_files_then_the_workspace_is_the_one_a_single_reader_writes(project):
    """Worker processes read the files of a large ingest: each file's tables, ledger rows, report counts
    and scrubbed texts must come out exactly as when one process reads them all in order."""
    _ingest_with_readers(project, project.root / "one", readers=1)
    _ingest_with_readers(project, project.root / "two", readers=2)
    one, two = Workspace.open(project.root / "one"), Workspace.open(project.root / "two")
    for name in TABLES:
        left, right = one.table(name), two.table(name)
        if name == "exports":
            left, right = left.drop(columns="ingested_at"), right.drop(columns="ingested_at")
        pd.testing.assert_frame_equal(left, right, obj=name)
    assert len(one.table("activity")) > 1000 and len(one.table("texts")) > 100
    assert one.manifest["sources"] == two.manifest["sources"]
    assert not list(project.root.glob(".*intake-*"))  # the spilled tables are gone


def test_when_a_file_is_bad_and_two_processes_read_then_it_is_named_and_the_workspace_is_kept(project):
    before = _fingerprint(project.workspace)
    _set_cell(_user_report(project.raw), "period_start", 2, "31/12/2026")
    with pytest.raises(InputFileError) as raised:
        _ingest_with_readers(project, project.workspace, readers=2)
    error = raised.value
    assert (error.path, error.row, error.column) == (_user_report(project.raw), 4, "period_start")
    assert _fingerprint(project.workspace) == before
    assert not list(project.workspace.parent.glob(".*intake-*"))
