"""GitHub Copilot seat assignments: the ``/copilot/billing/seats`` response (JSON), FORMATS.md §1c."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError
from adoption_kit.sources._api_json import flat
from adoption_kit.sources._tabular import parse_column, read_json
from adoption_kit.sources.base import Extract
from adoption_kit.sources.fields import Fields

NAME = "github_copilot_seats"
DESCRIPTION = "GitHub Copilot seat assignments JSON (billing/seats API response)"
TOOL = "github_copilot"
# The assignee's and the assigning team's simple-user / team fields: the login is the seat's identity.
ASSIGNEE = ("login", "id", "node_id", "avatar_url", "html_url", "gravatar_id", "url", "email", "name")
FIELDS = Fields(
    identifiers=frozenset(f"assignee.{key}" for key in ASSIGNEE),
    passed=frozenset(
        ["created_at", "updated_at", "pending_cancellation_date", "last_activity_at", "last_activity_editor"]
        + ["last_authenticated_at", "plan_type", "assignee.type", "assignee.site_admin", "assigning_team"]
        + ["organization"]
    ),
    required=frozenset(["assignee.login"]),
)


def sniff(head: str) -> bool:
    """A seats response starts with its seat count or its list of seat assignments."""
    return '"total_seats"' in head or ('"seats"' in head and '"assignee"' in head)


@FIELDS.checked
def read(path: Path) -> Extract:
    """One seat per assignee login (the enterprise listing may repeat a user once per organisation)."""
    document = read_json(path)
    seats = document.get("seats") if isinstance(document, dict) else None
    if not isinstance(seats, list):
        raise InputFileError("no list of seats", path=path, column="seats", expected='{"seats": [...]}')
    frame = flat(seats) if seats else pd.DataFrame(columns=["assignee.login", "created_at"])
    for column in ("assignee.login", "created_at"):
        if column not in frame.columns or frame[column].isna().any():
            row = 1 if column not in frame.columns else int(frame[column].isna().to_numpy().argmax()) + 1
            raise InputFileError(
                "missing value",
                path=path,
                row=row,
                column=f"seats[].{column}",
                expected="every seat with an assignee login and a creation time",
            )
    assigned = parse_column(frame["created_at"], "date", path=path, column="seats[].created_at", row_offset=1)
    removed = parse_column(
        frame.get("pending_cancellation_date", pd.Series(pd.NA, index=frame.index, dtype="str")),
        "date",
        path=path,
        column="seats[].pending_cancellation_date",
        row_offset=1,
    )
    result = pd.DataFrame(
        {
            "identity": frame["assignee.login"].astype("str"),
            "tool": TOOL,
            "assigned_on": assigned,
            "removed_on": removed,
            "plan": frame.get("plan_type", pd.Series(pd.NA, index=frame.index)).astype("str"),
        }
    )
    result = result.sort_values("assigned_on").drop_duplicates("identity", keep="first")
    fields = {column.split(".")[0] if column.split(".")[0] != "assignee" else column for column in frame}
    return Extract(NAME, path, "github_login", len(seats), {"seats": result}, fields=tuple(fields))
