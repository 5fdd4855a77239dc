"""No roster email, name or raw id appears anywhere past the ingest boundary, free text included."""

from __future__ import annotations

import pandas as pd
import pytest

from adoption_kit import schema
from conftest import shared_demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project():
    return shared_demo(run_reports=True)


@pytest.fixture(scope="module")
def identifiers(project) -> dict[str, set[str]]:
    """Names and employee ids as written; emails and logins in lower case (they are case-insensitive)."""
    roster = pd.read_csv(project.raw / "hr" / "roster.csv", dtype="str")
    exact = pd.concat([roster["full_name"], roster["employee_id"]]).dropna().str.strip()
    folded = pd.concat([roster["email"], roster["github_login"]]).dropna().str.strip().str.lower()
    assert len(exact) + len(folded) > 1000
    return {"exact": set(exact), "folded": set(folded)}


def _text(path) -> str:
    """Everything a reader of the file could see: cells and column names of Parquet, or the raw text."""
    if path.suffix != ".parquet":
        return path.read_text(encoding="utf-8")
    frame = pd.read_parquet(path)
    cells = frame.astype(str).fillna("").to_numpy().ravel().tolist()
    return "\n".join([*frame.columns, *cells, path.read_bytes().decode("latin-1")])


@pytest.mark.parametrize("tier", ["workspace", "published", "reports"])
def test_when_a_tier_is_scanned_then_no_identifier_of_the_roster_appears(project, identifiers, tier):
    files = [p for p in getattr(project, tier).rglob("*") if p.is_file()]
    assert files
    for path in files:
        text = _text(path)
        lowered = text.lower()
        leaked = {v for v in identifiers["exact"] if v in text} | {
            v for v in identifiers["folded"] if v in lowered
        }
        assert not leaked, f"{path} holds {sorted(leaked)[:5]}"


def test_when_the_workspace_is_scanned_then_every_canonical_table_is_among_its_files(project):
    assert set(schema.TABLES) <= {path.stem for path in project.workspace.glob("*.parquet")}
    assert len(pd.read_parquet(project.workspace / "activity_hours.parquet"))  # hours scanned: not vacuous


def test_when_the_demo_free_text_names_people_then_texts_keeps_it_scrubbed(project, identifiers):
    """The raw prompts, comments and GPT names name employees; the texts table has tokens in their place."""
    raw = pd.concat(
        [
            pd.read_csv(path, dtype="str")[column]
            for folder, column in (("gateway", "prompt"), ("survey", "comment"), ("chatgpt", "gpt_name"))
            for path in sorted((project.raw / folder).glob("*.csv"))
            if column in pd.read_csv(path, dtype="str", nrows=0).columns
        ]
    ).dropna()
    names = "|".join(sorted(identifiers["exact"]))
    assert raw.str.contains(names, regex=True).any()  # not vacuous: the inputs do name people
    texts = pd.read_parquet(project.workspace / "texts.parquet")
    assert {"prompt", "survey_comment", "gpt_name"} <= set(texts["kind"])
    assert not texts["text"].str.contains(names, regex=True).any()
    assert texts["text"].str.contains(r"<PERSON:p[0-9a-f]{4}_[0-9a-f]{24}>", regex=True).any()
    assert texts.loc[texts["kind"] == "survey_comment", "person_id"].isna().all()  # answers stay anonymous
