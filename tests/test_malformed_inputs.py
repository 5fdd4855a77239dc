"""The malformed corpus (tests/malformed/): every bad file stops ingest with exit code 2 and a message naming
the file, the row and the column and saying what was expected; the workspace stays byte-for-byte as it was.
Odd but valid encodings (a BOM, Windows-1252 from an older export) are read, not refused."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit.cli import main
from adoption_kit.privacy.pseudonym import create_key_file

CORPUS = Path(__file__).parent / "malformed"

# fmt: off
MALFORMED = [
    # (file, what the message must say: row, column, expectation)
    ("chatgpt_missing_column.csv", ["column 'messages'", "expected a header with"]),
    ("chatgpt_renamed_column.csv", ["column 'user_status'"]),
    ("chatgpt_wrong_type.csv", ["row 3", "column 'messages'", "'lots'", "a whole number"]),
    ("chatgpt_dates_out_of_order.csv", ["row 3", "column 'period_end'", "on or after its start"]),
    ("chatgpt_duplicated_rows.csv", ["row 4", "column 'email'", "one row per user and period"]),
    ("chatgpt_negative_count.csv", ["row 3", "column 'messages'", "not negative"]),
    ("copilot_bad_date.ndjson", ["row 2", "column 'day'", "a date like"]),
    ("copilot_future_day.ndjson", ["row 2", "column 'day'", "not in the future"]),
    ("copilot_truncated.ndjson", ["row 2", "not valid JSON"]),
    ("copilot_seats_truncated.json", ["row", "not valid JSON", "a complete JSON document"]),
    ("seat_pools_unknown_tool.csv", ["row 3", "column 'tool'", "cannot use the value 'clippy'", "cursor"]),
    ("seat_requests_closed_before_opened.csv", ["row 3", "column 'closed_on'", "on or after requested_on"]),
    ("empty.csv", ["the file is empty"]),
    ("not_text.csv", ["not text", "UTF-8"]),
]
# fmt: on


def _fingerprint(folder: Path) -> dict[str, str]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture
def project(tmp_path) -> dict[str, Path]:
    """A workspace already ingested from a valid roster, and a key outside it."""
    key = create_key_file(tmp_path / "secrets" / "k.key")
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(CORPUS / "valid_roster.csv", raw / "roster.csv")
    workspace = tmp_path / "workspace"
    assert _ingest([raw], workspace, key) == 0
    return {"key": key, "workspace": workspace, "raw": raw}


def _ingest(paths: list[Path], workspace: Path, key: Path, *extra: str) -> int:
    return main(["ingest", *map(str, paths), "--workspace", str(workspace), "--key-file", str(key), *extra])


@pytest.mark.parametrize(("name", "says"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_when_a_file_is_malformed_then_ingest_exits_2_and_keeps_the_workspace(project, capsys, name, says):
    before = _fingerprint(project["workspace"])
    bad = CORPUS / name
    code = _ingest([project["raw"], bad], project["workspace"], project["key"])
    message = capsys.readouterr().err
    assert code == 2
    assert f"file {bad}" in message
    for fragment in says:
        assert fragment in message, message
    assert _fingerprint(project["workspace"]) == before


@pytest.mark.parametrize("name", ["chatgpt_bom.csv", "chatgpt_windows_1252.csv"])
def test_when_a_file_has_a_bom_or_an_older_encoding_then_it_is_read(project, name):
    assert _ingest([project["raw"], CORPUS / name], project["workspace"], project["key"]) == 0
    activity = pd.read_parquet(project["workspace"] / "activity.parquet")
    assert activity["events"].sum() == 12 + 3


def test_when_one_vendors_file_is_named_like_anothers_then_its_content_decides(project):
    disguised = CORPUS / "chatgpt weekly user report 2026-03-01.csv"  # GitHub Copilot NDJSON inside
    assert _ingest([project["raw"], disguised], project["workspace"], project["key"]) == 0
    activity = pd.read_parquet(project["workspace"] / "activity.parquet")
    assert set(activity["tool"]) == {"github_copilot"}


def test_when_a_wrong_source_is_forced_then_the_error_says_what_that_format_needs(project, capsys):
    disguised = CORPUS / "chatgpt weekly user report 2026-03-01.csv"
    before = _fingerprint(project["workspace"])
    code = _ingest([disguised], project["workspace"], project["key"], "--source", "chatgpt_user_report")
    assert code == 2 and "missing column" in capsys.readouterr().err
    assert _fingerprint(project["workspace"]) == before
