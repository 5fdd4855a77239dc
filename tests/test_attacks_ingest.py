"""Attacks on the ingest boundary: personal data smuggled into an export must not reach the workspace.

One row per attack, each an export that hides a person where a reader might let it through; after a real
ingest with the golden roster, the smuggled value is nowhere in the workspace (cells, column names, Parquet
metadata, manifest) and the person it names appears only as their pseudonym.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from adoption_kit.ingest import ingest
from tests.test_golden_sources import GOLDEN, KEY, ROSTER, ROSTER_TABLES, _everything_written

GPT_REPORT = GOLDEN / "chatgpt_gpt_report" / "Acme weekly gpt report 2026-03-01.csv"
GATEWAY_LOG = GOLDEN / "gateway_log" / "api-calls-2026-03.csv"
COPILOT_USERS = GOLDEN / "github_copilot_user_metrics" / "organization-users-1-day-2026-03-02.ndjson"


def _edited(source: Path, old: str, new: str) -> tuple[str, str]:
    text = source.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {source.name}: the attack would be vacuous"
    return source.name, text.replace(old, new)


ATTACKS = [
    pytest.param(
        _edited(GPT_REPORT, "SQL Buddy", "Dana Whitfield's budget bot"),
        ["dana whitfield", "whitfield"],
        "dana.whitfield@acme.test",
        id="a roster name inside a GPT name",
    ),
    pytest.param(
        _edited(GPT_REPORT, "SQL Buddy", "D. Whitfield forecasts"),
        ["whitfield"],
        "dana.whitfield@acme.test",
        id="a roster surname with an initial inside a GPT name",
    ),
    pytest.param(
        _edited(
            GATEWAY_LOG, "Summarise Cyrus Ng's incident notes", "Reply to dana.whitfield@acme.test about Q3"
        ),
        ["dana.whitfield@acme.test"],
        "dana.whitfield@acme.test",
        id="an email in a prompt title",
    ),
    pytest.param(
        _edited(
            GATEWAY_LOG, "Summarise Cyrus Ng's incident notes", "call Dana on +44 20 7946 0958 re E100237"
        ),
        ["7946 0958", "e100237"],
        "dana.whitfield@acme.test",
        id="a phone number and an employee id in a prompt",
    ),
    pytest.param(
        _edited(COPILOT_USERS, '"user_login": "cyrusng-gh"', '"user_login": "bokim-gh"'),
        ["bokim-gh"],
        "bo.kim@acme.test",
        id="a login that differs from the email",
    ),
]


@pytest.mark.parametrize(("export", "smuggled", "person"), ATTACKS)
def test_when_personal_data_is_smuggled_into_an_export_then_only_the_pseudonym_reaches_the_workspace(
    export, smuggled, person, tmp_path
):
    name, text = export
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / name).write_text(text, encoding="utf-8")
    workspace = tmp_path / "workspace"
    ingest([ROSTER, raw / name], workspace=workspace, pseudonymizer=KEY)
    written = _everything_written(workspace)
    for value in smuggled:
        assert value.lower() in text.lower(), "the export really carries it"
        assert value.lower() not in written, f"{value!r} reached the workspace"
    assert KEY.token(person) in _outside_the_roster(workspace), "the person is there, as their pseudonym"


def _outside_the_roster(workspace: Path) -> str:
    """Every cell of the tables the export fed (people and identities name everyone on the roster)."""
    tables = [pd.read_parquet(p) for p in workspace.glob("*.parquet") if p.stem not in ROSTER_TABLES]
    return "\n".join("\n".join(map(str, frame.to_numpy().ravel())) for frame in tables)
