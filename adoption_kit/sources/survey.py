"""A self-reported AI-use survey (CSV): how often people use tools that have no admin export.

The kit's own format, one row per answer, the header line naming the columns in any order::

    submitted_on,department,tool,frequency,comment
    2026-05-04,Sales,gemini,weekly,
    2026-05-06,Sales,gemini,Daily,"drafts every proposal"

* ``submitted_on``: the day the answer was given (YYYY-MM-DD); answers count toward its calendar month.
* ``department``: the answering person's department, as the roster names it.
* ``tool``: one of the kit's tools (``adoption_kit.schema.TOOLS``), e.g. ``slack_ai``, ``gemini``.
* ``frequency``: daily, weekly, monthly, rarely or never (any case).
* ``comment`` (optional): free text; never read.

Answers are anonymous: no column names a person, and the reader keeps only the count of answers per month,
department, tool and frequency (the ``survey`` table).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError
from adoption_kit.schema import FREQUENCIES, TOOLS
from adoption_kit.sources._tabular import read_csv, read_text
from adoption_kit.sources.base import Extract, csv_header

NAME = "ai_use_survey"
DESCRIPTION = "AI-use survey CSV with submitted_on, department, tool, frequency"
REQUIRED = {"submitted_on": "date", "department": "text", "tool": "text", "frequency": "text"}
KNOWN_COLUMNS = frozenset([*REQUIRED, "comment"])


def sniff(head: str) -> bool:
    """Survey answers carry the day they were submitted, and a tool or a frequency of use."""
    header = csv_header(head)
    return "submitted_on" in header and bool({"tool", "frequency"} & header)


def read(path: Path) -> Extract:
    """Answers counted per month, department, tool and frequency."""
    frame = read_csv(path, required=REQUIRED)
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
    unknown = tuple(sorted(csv_header(read_text(path)[:4096]) - KNOWN_COLUMNS))
    return Extract(NAME, path, None, len(frame), {"survey": survey}, unknown_fields=unknown)
