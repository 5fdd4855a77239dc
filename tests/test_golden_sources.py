"""Golden files per source: personal data goes in, pseudonyms and scrubbed text come out, nothing else.

Each ``tests/golden/<source>/`` holds a tiny export with real-looking personal data (emails, names, logins,
employee ids, a roster name inside free text) and an extra ``manager_email`` field the kit does not know,
``case.json`` (whose pseudonym must appear, which strings must vanish) and ``expected.json``: the
workspace tables after ingesting it with ``tests/golden/roster.csv`` under a fixed key. After a deliberate
change of output, rewrite the expected files with ``python -m tests.test_golden_sources --regenerate``
and review the diff; the tests never rewrite them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from adoption_kit import schema, sources
from adoption_kit.ingest import IngestReport, ingest
from adoption_kit.privacy.pseudonym import Pseudonymizer

GOLDEN = Path(__file__).parent / "golden"
ROSTER = GOLDEN / "roster.csv"
CASE, EXPECTED = "case.json", "expected.json"
KEY = Pseudonymizer(bytes(range(100, 132)))
REFUSED = {"github_copilot_download_links"}  # never read: refusing it is tested in its own module
LEDGER = "exports"  # holds ingest times: not compared
ROSTER_TABLES = ("people", "identities")  # name everyone on the roster, whatever the source
CASES = sorted(path.name for path in GOLDEN.iterdir() if path.is_dir())


def _ingest(source: str, workspace: Path) -> IngestReport:
    """The case's files with the golden roster (the roster case brings its own)."""
    files = sorted(p for p in (GOLDEN / source).iterdir() if p.name not in (CASE, EXPECTED))
    rosters = [] if source == sources.SOURCES["hr_roster"].NAME else [ROSTER]
    return ingest([*rosters, *files], workspace=workspace, pseudonymizer=KEY)


def _tables(workspace: Path) -> dict[str, list[dict]]:
    """Every non-empty table but the ledger, rows sorted, as JSON values."""
    found = {}
    for name in schema.TABLES:
        frame = pd.read_parquet(workspace / f"{name}.parquet")
        if name != LEDGER and len(frame):
            ordered = frame.sort_values(list(frame.columns)).reset_index(drop=True)
            found[name] = json.loads(ordered.to_json(orient="records", date_format="iso"))
    return found


def _everything_written(workspace: Path) -> str:
    """Cells, column names and Parquet metadata of every table, and the manifest, lower-cased."""
    parts = [(workspace / "manifest.json").read_text(encoding="utf-8")]
    for path in sorted(workspace.glob("*.parquet")):
        frame = pd.read_parquet(path)
        metadata = pq.read_metadata(path).metadata or {}
        parts += [*frame.columns, *frame.astype("str").fillna("").to_numpy().ravel().tolist()]
        parts += [f"{key.decode()}={value.decode()}" for key, value in metadata.items()]
    return "\n".join(parts).lower()


def _roster_identifiers() -> set[str]:
    roster = pd.read_csv(ROSTER, dtype="str")
    columns = ["email", "aliases", "full_name", "github_login", "employee_id"]
    values = roster[columns].stack().dropna().str.split(";").explode().str.strip().str.lower()
    return set(values) - {""}


@pytest.fixture(scope="module", params=CASES)
def golden(request, tmp_path_factory) -> tuple[str, dict, IngestReport, Path]:
    source = request.param
    workspace = tmp_path_factory.mktemp(source) / "workspace"
    report = _ingest(source, workspace)
    return source, json.loads((GOLDEN / source / CASE).read_text()), report, workspace


def test_when_the_kit_reads_every_format_then_each_has_a_golden_case():
    assert set(CASES) == set(sources.SOURCES) - REFUSED


def test_when_a_fixture_is_read_then_it_holds_the_personal_data_the_case_says_must_vanish(golden):
    source, case, _, _ = golden
    fixture = "\n".join(p.read_text() for p in (GOLDEN / source).iterdir() if p.name not in (CASE, EXPECTED))
    assert case["personal"] and all(value in fixture for value in case["personal"])
    assert case["unknown"] in fixture


def test_when_a_fixture_is_ingested_then_no_identifier_remains_in_any_column_or_metadata(golden):
    _, case, _, workspace = golden
    written = _everything_written(workspace)
    leaked = {value for value in _roster_identifiers() | set(case["personal"]) if value.lower() in written}
    assert not leaked


def test_when_a_fixture_names_a_person_then_their_pseudonym_is_in_the_output(golden):
    source, case, _, workspace = golden
    if case["person"] is None:
        pytest.skip("the source has group-level data only")
    ignored = () if source == sources.SOURCES["hr_roster"].NAME else ROSTER_TABLES
    tables = [pd.read_parquet(p) for p in workspace.glob("*.parquet") if p.stem not in ignored]
    people = {person for frame in tables if "person_id" in frame for person in frame["person_id"].dropna()}
    assert KEY.token(case["person"]) in people


def test_when_a_fixture_has_an_unknown_field_then_it_is_reported_and_dropped(golden):
    """Its name is reported (the manifest says so too); its value, a manager's email, is in ``personal``."""
    source, case, report, workspace = golden
    line = next(r for r in report.sources if r.source == source)
    assert case["unknown"] in line.unknown_fields.split(", ")
    assert all(case["unknown"] not in pd.read_parquet(p).columns for p in workspace.glob("*.parquet"))


def test_when_a_fixture_is_ingested_then_the_tables_are_the_expected_ones(golden):
    source, _, _, workspace = golden
    expected = GOLDEN / source / EXPECTED
    assert expected.is_file(), f"no {expected}: run python -m tests.test_golden_sources --regenerate"
    assert _tables(workspace) == json.loads(expected.read_text())


def regenerate(folder: Path) -> None:
    """Rewrite every case's expected tables from what ingest writes now."""
    for source in CASES:
        workspace = folder / source
        _ingest(source, workspace)
        (GOLDEN / source / EXPECTED).write_text(
            json.dumps(_tables(workspace), indent=1, sort_keys=True) + "\n"
        )
        print(f"wrote {GOLDEN / source / EXPECTED}")


if __name__ == "__main__":
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regenerate", action="store_true", help="rewrite tests/golden/*/expected.json")
    if parser.parse_args().regenerate:
        with tempfile.TemporaryDirectory() as scratch:
            regenerate(Path(scratch))
    else:
        parser.print_help()
