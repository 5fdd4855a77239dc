"""The HR roster: who works where. The only source of group attributes and of identity links."""

from __future__ import annotations

from pathlib import Path

from adoption_kit.privacy.pseudonym import normalize_email
from adoption_kit.sources._tabular import check_rows, read_csv
from adoption_kit.sources.base import Extract, csv_fields, csv_header
from adoption_kit.sources.fields import Fields

NAME = "hr_roster"
DESCRIPTION = "HR roster CSV with employee_id, email, department, team, job_function, location"
REQUIRED = {
    "employee_id": "text",
    "email": "text",
    "department": "text",
    "team": "text",
    "job_function": "text",
    "location": "text",
}
OPTIONAL = {
    "full_name": "text",
    "github_login": "text",
    "level": "text",
    "hire_date": "date",
    "termination_date": "date",
    "aliases": "text",  # other emails of the same person, separated by ";"
}

IDENTIFIERS = frozenset(["employee_id", "email", "full_name", "github_login", "aliases"])
FIELDS = Fields(
    identifiers=IDENTIFIERS,
    passed=frozenset([*REQUIRED, *OPTIONAL]) - IDENTIFIERS,
    required=frozenset(["employee_id", "email"]),
)


def sniff(head: str) -> bool:
    """A roster lists employees by id and email (its other columns are checked when it is read)."""
    return {"employee_id", "email"} <= csv_header(head)


@FIELDS.checked
def read(path: Path) -> Extract:
    """The roster, one row per person; ``identity`` is the email."""
    frame = read_csv(path, required=REQUIRED, optional=OPTIONAL)
    required_values = [
        (column, frame[column].isna(), f"a {column.replace('_', ' ')} for every person")
        for column in ("email", "employee_id", "department", "team")
    ]
    duplicated = ("email", normalize_email(frame["email"]).duplicated(), "one row per person")
    check_rows(frame, [*required_values, duplicated], path=path)
    roster = frame.rename(columns={"email": "identity"})
    return Extract(NAME, path, "email", len(frame), {"roster": roster}, fields=csv_fields(path))
