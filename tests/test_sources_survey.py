"""The AI-use survey: anonymous answers counted per month, department, tool and frequency."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.schema import TOOLS
from adoption_kit.sources import survey

ANSWERS = """submitted_on,department,tool,frequency,comment
2026-05-04,Sales,gemini,weekly,
2026-05-06,Sales,gemini,Weekly,"drafts every proposal, Ann"
2026-05-31,Sales,slack_ai,daily,
2026-06-01,Sales,gemini,weekly,
2026-05-12,Engineering,GEMINI,never,too slow
"""


def _write(folder: Path, text: str, name: str = "survey.csv") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_when_reading_answers_then_they_are_counted_per_month_department_tool_and_frequency(tmp_path):
    extract = sources.read(_write(tmp_path, ANSWERS))
    # May: Sales gemini weekly 2 (one written "Weekly"), Sales slack_ai daily 1, Engineering gemini never 1
    # (written "GEMINI"); June: Sales gemini weekly 1. 5 answers in 4 cells.
    assert extract.source == "ai_use_survey"
    assert extract.identity is None and extract.rows_read == 5
    table = extract.tables["survey"]
    assert sorted(table.astype(str).itertuples(index=False, name=None)) == [
        ("2026-05-01", "Engineering", "gemini", "never", "1"),
        ("2026-05-01", "Sales", "gemini", "weekly", "2"),
        ("2026-05-01", "Sales", "slack_ai", "daily", "1"),
        ("2026-06-01", "Sales", "gemini", "weekly", "1"),
    ]
    assert list(table.columns) == ["period", "department", "tool", "frequency", "responses"]
    assert table["period"].dtype == "datetime64[s]"
    assert "proposal" not in table.to_string() and "Ann" not in table.to_string()  # the comment is dropped


def test_when_the_file_has_an_unknown_column_then_it_is_reported(tmp_path):
    text = "submitted_on,department,tool,frequency,name\n2026-05-04,Sales,gemini,weekly,Ann Lee\n"
    extract = survey.read(_write(tmp_path, text))
    assert extract.unknown_fields == ("name",)
    assert "Ann Lee" not in extract.tables["survey"].to_string()


# fmt: off
BAD = [
    # (content, row, column, words of the message)
    ("submitted_on,department,tool\n2026-05-04,Sales,gemini\n", None, "frequency",
     "missing column"),                                             # no frequency
    ("submitted_on,department,tool,frequency\n2026-05-04,Sales,gemini,weekly\n2026-05-04,Sales,clippy,daily\n",
     3, "tool", "unknown tool 'clippy'"),                           # a tool the kit does not know
    ("submitted_on,department,tool,frequency\n2026-05-04,Sales,gemini,a few times a week\n", 2,
     "frequency", "unknown frequency"),                             # not one of the five answers
    ("submitted_on,department,tool,frequency\n4 May 2026,Sales,gemini,weekly\n", 2, "submitted_on",
     "'4 May 2026'"),                                               # not an ISO date
    ("submitted_on,department,tool,frequency\n2026-05-04,,gemini,weekly\n", 2, "department",
     "empty cell"),                                                 # no department
]
# fmt: on


@pytest.mark.parametrize(("text", "row", "column", "says"), BAD, ids=[b[3] for b in BAD])
def test_when_the_file_is_bad_then_the_error_names_file_row_and_column(tmp_path, text, row, column, says):
    path = _write(tmp_path, text)
    assert sources.detect(path) is survey
    with pytest.raises(InputFileError) as caught:
        survey.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, row, column)
    assert says in str(caught.value)


def test_when_a_tool_is_unknown_then_the_error_lists_the_known_ones(tmp_path):
    path = _write(tmp_path, "submitted_on,department,tool,frequency\n2026-05-04,Sales,clippy,daily\n")
    with pytest.raises(InputFileError) as caught:
        survey.read(path)
    assert all(tool in str(caught.value) for tool in TOOLS)


def test_when_detecting_then_only_the_survey_module_claims_a_survey(tmp_path):
    path = _write(tmp_path, ANSWERS)
    head = path.read_text()[: sources.SNIFF_CHARACTERS]
    assert [module.NAME for module in sources.SOURCES.values() if module.sniff(head)] == ["ai_use_survey"]
    assert pd.Timestamp("2026-05-01") in set(survey.read(path).tables["survey"]["period"])


def test_when_answers_carry_comments_then_they_are_texts_with_department_and_day_and_no_person(tmp_path):
    text = (
        "submitted_on,department,tool,frequency,comment\n"
        "2026-05-04,Sales,gemini,weekly,Ask Ann Lee about prompts\n"
        "2026-05-05,Sales,gemini,weekly,\n"
    )
    texts = survey.read(_write(tmp_path, text)).tables["texts"]
    assert texts[["kind", "department", "text"]].values.tolist() == [
        ["survey_comment", "Sales", "Ask Ann Lee about prompts"]  # scrubbed later, by ingest
    ]
    assert texts["day"].tolist() == [pd.Timestamp("2026-05-04")] and "identity" not in texts
