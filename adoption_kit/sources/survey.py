"""A self-reported AI-use survey (CSV): how often people use tools that have no admin export.

The kit's own format, one row per answer, the header line naming the columns in any order::

    submitted_on,department,tool,frequency,comment
    2026-05-04,Sales,gemini,weekly,
    2026-05-06,Sales,gemini,Daily,"drafts every proposal"

* ``submitted_on``: the day the answer was given (YYYY-MM-DD); answers count toward its calendar month.
* ``department``: the answering person's department, as the roster names it.
* ``tool``: one of the kit's tools (``adoption_kit.schema.TOOLS``), e.g. ``slack_ai``, ``gemini``.
* ``frequency``: daily, weekly, monthly, rarely or never (any case).
* ``comment`` (optional): free text, kept in ``texts`` (kind ``survey_comment``, with the department and
  the day) once ingest has scrubbed it, or dropped by configuration.

Answers are anonymous: no column names a person, and the reader keeps only the count of answers per month,
department, tool and frequency (the ``survey`` table) and the comments without any person.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError
from adoption_kit.schema import FREQUENCIES, TOOLS
from adoption_kit.sources._canonical import free_texts
from adoption_kit.sources._tabular import head_text, read_csv
from adoption_kit.sources.base import Extract, csv_header
from adoption_kit.sources.fields import Fields

NAME = "ai_use_survey"
DESCRIPTION = "AI-use survey CSV with submitted_on, department, tool, frequency"
REQUIRED = {"submitted_on": "date", "department": "text", "tool": "text", "frequency": "text"}
TEXTS = {"comment": "survey_comment"}
FIELDS = Fields(free_text=TEXTS, passed=frozenset(REQUIRED))


def sniff(head: str) -> bool:
    """Survey answers carry the day they were submitted, and a tool or a frequency of use."""
    header = csv_header(head)
    return "submitted_on" in header and bool({"tool", "frequency"} & header)


@FIELDS.checked
def read(path: Path) -> Extract:
    """Answers counted per month, department, tool and frequency; the comments as anonymous texts."""
    frame = read_csv(path, required=REQUIRED, optional=dict.fromkeys(TEXTS, "text"))
    tool, frequency = frame["tool"].str.lower(), frame["frequency"].str.lower()
    checks = (
        ("submitted_on", frame["submitted_on"].isna(), "empty cell", "a submission date on every row"),
        ("department", frame["department"].isna(), "empty cell", "a department on every row"),
        ("tool", ~tool.isin(TOOLS), "unknown tool", f"one of {', '.join(TOOLS)}"),
        ("frequency", ~frequency.isin(FREQUENCIES), "unknown frequency", f"one of {', '.join(FREQUENCIES)}"),
    )
    for column, bad, problem, expected in checks:
        if bad.any():
            row = int(bad.to_numpy().argmax())
            value = frame[column].iloc[row]
            raise InputFileError(
                problem if pd.isna(value) else f"{problem} {value!r}",
                path=path,
                row=row + 2,
                column=column,
                expected=expected,
            )
    answers = pd.DataFrame(
        {
            "period": frame["submitted_on"].dt.to_period("M").dt.start_time.astype("datetime64[s]"),
            "department": frame["department"],
            "tool": tool,
            "frequency": frequency,
        }
    )
    survey = (
        answers.groupby(list(answers.columns), as_index=False).size().rename(columns={"size": "responses"})
    )
    context = pd.DataFrame(
        {"tool": tool, "day": frame["submitted_on"], "department": frame["department"]}, index=frame.index
    )
    tables = {"survey": survey, "texts": free_texts(frame, TEXTS, context=context)}
    header = tuple(csv_header(head_text(path, 4096)))
    return Extract(NAME, path, None, len(frame), tables, fields=header)
