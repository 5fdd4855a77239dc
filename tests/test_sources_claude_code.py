"""Claude Code Analytics usage report: users' days as activity, API keys and tool actions as aggregates."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import claude_code
from adoption_kit.sources._canonical import hashed
from adoption_kit.sources.base import Coverage

SAMPLE = "anthropic/docs_examples/claude_code_usage_report_example.json"


def _record(
    day: str, actor: dict, *, sessions: object = 1, added: int = 10, models: list | None = None
) -> dict:
    return {
        "date": day,
        "actor": actor,
        "organization_id": "org-1",
        "customer_type": "api",
        "terminal_type": "vscode",
        "core_metrics": {
            "num_sessions": sessions,
            "lines_of_code": {"added": added, "removed": 1},
            "commits_by_claude_code": 1,
            "pull_requests_by_claude_code": 0,
        },
        "tool_actions": {"edit_tool": {"accepted": 3, "rejected": 1}},
        "model_breakdown": models if models is not None else [],
    }


def _model(tokens_in: int, cache_read: int, output: int, cents: object) -> dict:
    return {
        "model": "claude-sonnet-4",
        "tokens": {"input": tokens_in, "output": output, "cache_read": cache_read, "cache_creation": 0},
        "estimated_cost": {"amount": cents, "currency": "USD"},
    }


def _user(email: str) -> dict:
    return {"type": "user_actor", "email_address": email}


def _key(name: str) -> dict:
    return {"type": "api_actor", "api_key_name": name}


def _write(folder: Path, document: object, name: str = "claude.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(document))
    return path


def test_when_reading_the_docs_example_then_totals_match_the_file(formats):
    extract = sources.read(formats / SAMPLE)
    activity = extract.tables["activity"]
    assert extract.source == "claude_code_usage" and extract.identity == "email"
    # 1 record: user@emaildomain.com on 2025-08-08, 15 sessions, 342 lines added.
    # tokens in = (45230 + 8790 + 2340) + (23100 + 3420 + 890) = 83770; out = 12450 + 5680 = 18130;
    # cost = (186 + 42) cents = $2.28.
    assert activity.drop(columns=["tool", "grain"]).to_dict("records") == [
        {
            "identity": "user@emaildomain.com",
            "day": pd.Timestamp("2025-08-08"),
            "surface": "agent",
            "events": 15,
            "sessions": 15,
            "lines_accepted": 342,
            "tokens_in": 83770,
            "tokens_out": 18130,
            "cost_usd": 2.28,
        }
    ]
    organisation = extract.tables["aggregates"].set_index("metric")
    assert set(organisation["scope_id"]) == {"12345678-1234-5678-1234-567812345678"}
    assert organisation["value"].to_dict() == {
        "commits": 8,
        "edit_tool_accepted": 25,
        "edit_tool_rejected": 3,
        "multi_edit_tool_accepted": 12,
        "multi_edit_tool_rejected": 1,
        "notebook_edit_tool_accepted": 5,
        "notebook_edit_tool_rejected": 2,
        "pull_requests": 2,
        "write_tool_accepted": 8,
        "write_tool_rejected": 0,
    }
    assert extract.coverage == ()  # has_more is true: more actors of that day are on the next page
    assert extract.unknown_fields == () and extract.dropped == {}


def test_when_pages_end_with_has_more_false_then_api_keys_are_hashed_aggregates_and_days_covered(tmp_path):
    pages = [
        {
            "data": [
                _record("2026-03-02", _user("ann@acme.test"), sessions=2, models=[_model(100, 50, 20, 150)]),
                _record("2026-03-02T00:00:00Z", _user("ann@acme.test"), sessions="3", added=5),
            ],
            "has_more": True,
            "next_page": "page_2",
        },
        {
            "data": [
                _record("2026-03-03", _key("ci-bot of ann"), sessions=4, models=[_model(7, 0, 1, "12.5")])
            ],
            "has_more": False,
            "next_page": None,
        },
    ]
    extract = claude_code.read(_write(tmp_path, pages))
    activity = extract.tables["activity"]
    # ann's two records of 2026-03-02 add up: 2 + 3 sessions, 10 + 5 lines, one model: 150 tokens in, $1.50
    assert activity[
        ["identity", "events", "lines_accepted", "tokens_in", "tokens_out", "cost_usd"]
    ].values.tolist() == [["ann@acme.test", 5, 15, 150, 20, 1.5]]
    keys = extract.tables["aggregates"].query("scope == 'api_key'").set_index("metric")["value"]
    assert set(extract.tables["aggregates"].query("scope == 'api_key'")["scope_id"]) == {
        hashed("ci-bot of ann")
    }
    assert keys[["sessions", "tokens_in", "tokens_out", "cost_usd"]].to_dict() == {
        "sessions": 4,
        "tokens_in": 7,
        "tokens_out": 1,
        "cost_usd": 0.125,
    }
    assert "ci-bot of ann" not in extract.tables["aggregates"].to_string()
    edits = extract.tables["aggregates"].query("metric == 'edit_tool_accepted'")
    assert edits.set_index("day")["value"].to_dict() == {
        pd.Timestamp("2026-03-02"): 6,
        pd.Timestamp("2026-03-03"): 3,
    }
    assert extract.dropped == {claude_code.API_KEYS_DROPPED: 1}
    assert extract.coverage == (
        Coverage("claude_code", "day", pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-03")),
    )


def test_when_records_come_one_per_line_then_they_are_read_without_coverage(tmp_path):
    lines = [_record("2026-03-02", _user("ann@acme.test")), _record("2026-03-02", _user("bo@acme.test"))]
    path = tmp_path / "claude.ndjson"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    extract = sources.read(path)
    assert extract.source == "claude_code_usage"
    assert sorted(extract.tables["activity"]["identity"]) == ["ann@acme.test", "bo@acme.test"]
    assert extract.tables["activity"]["tokens_in"].isna().all()  # no model breakdown: unknown, not zero
    assert extract.coverage == ()


def test_when_a_record_has_new_keys_then_they_are_listed_and_new_tools_are_counted(tmp_path):
    record = _record("2026-03-02", _user("ann@acme.test")) | {"new_dimension": "x"}
    record["tool_actions"]["bash_tool"] = {"accepted": 2, "rejected": 0}
    record["model_breakdown"] = [_model(1, 1, 1, 1) | {"speed": "fast"}]
    extract = claude_code.read(_write(tmp_path, {"data": [record], "has_more": False}))
    assert extract.unknown_fields == ("model_breakdown.speed", "new_dimension")
    assert "bash_tool_accepted" in set(extract.tables["aggregates"]["metric"])


# fmt: off
BAD = [
    # (what is wrong, the record as changed, the row and column the error must name)
    ("no actor type", lambda r: r["actor"].pop("type"), 2, "data[].actor.type"),
    ("a user without an email", lambda r: r["actor"].pop("email_address"), 2, "data[].actor.email_address"),
    ("no session count", lambda r: r["core_metrics"].pop("num_sessions"), 2,
     "data[].core_metrics.num_sessions"),
    ("sessions that are not a number", lambda r: r["core_metrics"].update(num_sessions="many"), 2,
     "data[].core_metrics.num_sessions"),
    ("tokens that are not a number", lambda r: r["model_breakdown"][0]["tokens"].update(output="n/a"), 2,
     "data[].model_breakdown[].tokens.output"),
    ("a cost in euros", lambda r: r["model_breakdown"][0]["estimated_cost"].update(currency="EUR"), 2,
     "data[].model_breakdown[].estimated_cost.currency"),
    ("a day that is not a date", lambda r: r.update(date="08/08/2025"), 2, "data[].date"),
]
# fmt: on


@pytest.mark.parametrize(("case", "change", "row", "column"), BAD, ids=[b[0] for b in BAD])
def test_when_a_record_is_bad_then_the_error_names_its_row_and_column(tmp_path, case, change, row, column):
    records = [
        _record("2026-03-02", _user(f"{name}@acme.test"), models=[_model(1, 1, 1, 1)]) for name in "ab"
    ]
    change(records[1])
    path = _write(tmp_path, {"data": records, "has_more": False})
    with pytest.raises(InputFileError) as caught:
        claude_code.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, row, column)


def test_when_a_claude_ai_analytics_row_is_given_then_this_reader_does_not_claim_it():
    head = json.dumps(
        {"data": [{"user": {"email_address": "a@b.c"}, "claude_code_metrics": {"core_metrics": {}}}]}
    )
    assert not claude_code.sniff(head)
