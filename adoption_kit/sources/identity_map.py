"""An identity map (CSV): which roster email is behind a tool's own user id, for sources without emails.

The kit's own format, one link per row::

    kind,identifier,email
    github_login,cy-codes,cy.ng@acme.test
    cursor_user_id,user_7Qx2,ann.lee@acme.test

* ``kind``: the kind of identifier, one of github_login, employee_id, cursor_user_id, openai_user_id
  (``adoption_kit.schema.IDENTITY_KINDS`` without email, which needs no map, and hashed_upn, which is
  concealed on purpose and must stay unmatched).
* ``identifier``: the id as the tool's export writes it (matched without regard to case).
* ``email``: the person's email as the HR roster has it (ingest refuses emails the roster does not know).

The reader yields an ``identity_map`` table (kind, identifier, email) in the clear: ingest turns each link
into keyed tokens and never writes the table itself. One identifier may link to only one email.
"""

from __future__ import annotations

from pathlib import Path

from adoption_kit.errors import InputFileError
from adoption_kit.schema import IDENTITY_KINDS
from adoption_kit.sources._tabular import read_csv
from adoption_kit.sources.base import Extract, csv_fields, csv_header
from adoption_kit.sources.fields import Fields

NAME = "identity_map"
DESCRIPTION = "identity map CSV with kind, identifier, email"
REQUIRED = {"kind": "text", "identifier": "text", "email": "text"}
FIELDS = Fields(
    identifiers=frozenset(["identifier", "email"]), passed=frozenset(["kind"]), required=frozenset(["email"])
)
KINDS = tuple(kind for kind in IDENTITY_KINDS if kind not in ("email", "hashed_upn"))


def sniff(head: str) -> bool:
    """An identity map links an identifier of some kind (to an email, checked when it is read)."""
    return {"kind", "identifier"} <= csv_header(head)


@FIELDS.checked
def read(path: Path) -> Extract:
    """The links as they are, one row per line of the file."""
    frame = read_csv(path, required=REQUIRED)
    kind = frame["kind"].str.lower()
    links = frame.assign(kind=kind).apply(lambda column: column.str.lower())  # ingest ignores case too
    conflicting = links.drop_duplicates().duplicated(["kind", "identifier"])
    checks = (
        ("kind", ~kind.isin(KINDS), "unknown kind", f"one of {', '.join(KINDS)}"),
        ("identifier", frame["identifier"].isna(), "empty cell", "an identifier on every row"),
        ("email", frame["email"].isna(), "empty cell", "an email on every row"),
        (
            "identifier",
            conflicting.reindex(frame.index, fill_value=False),
            "linked to two emails",
            "one email per identifier",
        ),
    )
    for column, bad, problem, expected in checks:
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise InputFileError(
                f"{problem} ({frame[column].iloc[row]!r})",
                path=path,
                row=row + 2,
                column=column,
                expected=expected,
            )
    tables = {"identity_map": frame.assign(kind=kind)}
    return Extract(NAME, path, None, len(frame), tables, fields=csv_fields(path))
