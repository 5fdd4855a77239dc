"""GitHub Copilot usage-metrics user-teams report (NDJSON, one row per user, day and team), FORMATS.md §1a.

People's teams come from the HR roster, so logins are not kept here: the file gives, per GitHub team and
day, how many Copilot users the team had (GitHub leaves out teams under 5 seated users).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError
from adoption_kit.sources._tabular import parse_column, read_ndjson
from adoption_kit.sources.base import Extract
from adoption_kit.sources.fields import Fields

NAME = "github_copilot_user_teams"
DESCRIPTION = "GitHub Copilot usage-metrics user-teams report (user-teams-1-day NDJSON)"
TOOL = "github_copilot"
REQUIRED = ("user_id", "day", "slug")
FIELDS = Fields(
    identifiers=frozenset(["user_id", "user_login"]),
    passed=frozenset(["day", "slug", "team_id", "organization_id", "enterprise_id"]),
    required=frozenset(["user_id"]),
)


def sniff(head: str) -> bool:
    """The first record links a user to a team slug on a day."""
    try:
        first = json.loads(head.lstrip("\ufeff").splitlines()[0])
    except (json.JSONDecodeError, IndexError):
        return False
    return isinstance(first, dict) and {"day", "team_id", "slug"} <= first.keys()


@FIELDS.checked
def read(path: Path) -> Extract:
    """Members per team and day, as group-level aggregates."""
    records = pd.DataFrame(read_ndjson(path))
    for column in REQUIRED:
        missing = records[column].isna() if column in records else pd.Series(True, index=records.index)
        if missing.any():
            raise InputFileError(
                "missing key", path=path, row=int(missing.to_numpy().argmax()) + 1, column=column,
                expected="a user id, a day and a team slug in every record",
            )  # fmt: skip
    records["day"] = parse_column(records["day"], "day", path=path, column="day", row_offset=1)
    members = records.groupby(["slug", "day"], as_index=False)["user_id"].nunique()
    aggregates = pd.DataFrame(
        {
            "tool": TOOL,
            "scope": "team",
            "scope_id": members["slug"].astype("str"),
            "day": members["day"],
            "grain": "day",
            "metric": "copilot_users",
            "value": members["user_id"].astype(float),
        }
    )
    return Extract(NAME, path, None, len(records), {"aggregates": aggregates}, fields=tuple(records.columns))
