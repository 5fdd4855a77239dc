"""Tasks through ingest: vendor rows settle like their export's activity; prompt rows are rebuilt."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from adoption_kit.ingest import ingest
from adoption_kit.use_cases import UseCaseRules
from adoption_kit.workspace import Workspace
from tests.test_ingest_incremental import KEY, ROSTER, _chatgpt_week

GATEWAY = """timestamp,user,model,tokens_in,tokens_out,status,prompt
2026-03-02T09:00:00Z,bo.kim@acme.test,gpt-4o,10,5,200,Explain this SQL error
2026-03-02T09:05:00Z,bo.kim@acme.test,gpt-4o,10,5,200,Draft the release notes
2026-03-03T09:05:00Z,cy.ng@acme.test,gpt-4o,10,5,200,Plan the team offsite
"""


@pytest.fixture
def raw(tmp_path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "roster.csv").write_text(ROSTER)
    return folder


def _tasks(workspace: Path) -> list[tuple]:
    frame = Workspace.open(workspace).table("tasks")
    frame = frame.assign(day=frame["day"].dt.date.astype("str"), person=frame["person_id"].map(_names()))
    columns = ["person", "tool", "day", "category", "events", "source"]
    return sorted(frame[columns].itertuples(index=False, name=None))


def _names() -> dict[str, str]:
    return {KEY.token(f"{name}@acme.test"): name.split(".")[0] for name in ("ann.lee", "bo.kim", "cy.ng")}


def test_when_a_later_report_restates_a_week_then_its_tool_messages_replace_the_earlier_ones(raw, tmp_path):
    workspace = tmp_path / "workspace"
    people = {"ann.lee@acme.test": 9, "bo.kim@acme.test": 4}
    first = _chatgpt_week(raw, "w1.csv", "2026-03-01", people, {"tool_to_messages": ["{'Search': 5}", ""]})
    ingest([raw / "roster.csv", first], workspace=workspace, pseudonymizer=KEY)
    later = _chatgpt_week(raw, "w2.csv", "2026-03-08", people, {"tool_to_messages": ["", "{'Python': 1}"]})
    ingest([raw / "roster.csv", first, later], workspace=workspace, pseudonymizer=KEY)
    assert _tasks(workspace) == [  # the next week adds to the first
        ("ann", "chatgpt_enterprise", "2026-03-01", "research", 5, "vendor"),
        ("bo", "chatgpt_enterprise", "2026-03-08", "data_analysis", 1, "vendor"),
    ]
    restated = {"tool_to_messages": ["{'Canvas': 2}", "{'Image Gen': 1}"]}
    again = _chatgpt_week(raw, "w1-again.csv", "2026-03-01", people, restated)
    ingest([raw / "roster.csv", first, later, again], workspace=workspace, pseudonymizer=KEY)
    # a later export of the first week is its full account: its rows replace that week's, the other week stays
    assert _tasks(workspace) == [
        ("ann", "chatgpt_enterprise", "2026-03-01", "writing", 2, "vendor"),
        ("bo", "chatgpt_enterprise", "2026-03-01", "image", 1, "vendor"),
        ("bo", "chatgpt_enterprise", "2026-03-08", "data_analysis", 1, "vendor"),
    ]


def test_when_the_rules_change_then_the_next_ingest_classifies_every_stored_prompt_again(raw, tmp_path):
    workspace = tmp_path / "workspace"
    (raw / "gateway.csv").write_text(GATEWAY)
    ingest([raw / "roster.csv", raw / "gateway.csv"], workspace=workspace, pseudonymizer=KEY)
    assert _tasks(workspace) == [
        ("bo", "openai_api", "2026-03-02", "coding", 1, "prompt_rules"),  # SQL, error
        ("bo", "openai_api", "2026-03-02", "writing", 1, "prompt_rules"),  # draft
        ("cy", "openai_api", "2026-03-03", "other", 1, "prompt_rules"),
    ]
    week = _chatgpt_week(
        raw, "week1.csv", "2026-03-01", {"ann.lee@acme.test": 3}, {"tool_to_messages": ["{'Image Gen': 3}"]}
    )
    rules = UseCaseRules.from_mapping({"research": ["plan", "explain"]})
    ingest(
        [raw / "roster.csv", raw / "gateway.csv", week],
        workspace=workspace,
        pseudonymizer=KEY,
        use_cases=rules,
    )
    # the gateway log was ingested before (skipped now), yet its prompts follow the new rules
    assert _tasks(workspace) == [
        ("ann", "chatgpt_enterprise", "2026-03-01", "image", 3, "vendor"),
        ("bo", "openai_api", "2026-03-02", "other", 1, "prompt_rules"),
        ("bo", "openai_api", "2026-03-02", "research", 1, "prompt_rules"),
        ("cy", "openai_api", "2026-03-03", "research", 1, "prompt_rules"),
    ]


def test_when_a_workspace_was_written_before_tasks_then_it_reads_empty_and_the_next_ingest_fills_it(
    raw, tmp_path
):
    workspace = tmp_path / "workspace"
    (raw / "gateway.csv").write_text(GATEWAY)
    ingest([raw / "roster.csv", raw / "gateway.csv"], workspace=workspace, pseudonymizer=KEY)
    (workspace / "tasks.parquet").unlink()  # as an older kit wrote it
    assert Workspace.open(workspace).table("tasks").empty
    week = _chatgpt_week(
        raw, "week1.csv", "2026-03-01", {"ann.lee@acme.test": 3}, {"tool_to_messages": ["{'Search': 3}"]}
    )
    ingest([raw / "roster.csv", raw / "gateway.csv", week], workspace=workspace, pseudonymizer=KEY)
    sources = pd.Series([row[-1] for row in _tasks(workspace)]).value_counts().to_dict()
    assert sources == {"prompt_rules": 3, "vendor": 1}
