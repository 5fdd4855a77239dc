"""GitHub Copilot's oldest usage API (``/copilot/usage``, retired before the metrics API), FORMATS.md §1b.

A JSON array of days ``{day, total_suggestions_count, total_acceptances_count, total_lines_suggested,
total_lines_accepted, total_active_users, total_chat_acceptances, total_chat_turns, total_active_chat_users,
breakdown[]}``. The day totals become aggregates under their own names; the per-language and per-editor
breakdown repeats them and is not read. The response does not name its organisation or enterprise.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources._canonical import UNNAMED, aggregates
from adoption_kit.sources.base import Extract
from adoption_kit.sources.fields import Fields

NAME = "github_copilot_legacy_usage"
DESCRIPTION = "GitHub Copilot legacy /copilot/usage API response (JSON)"
TOOL = "github_copilot"
METRICS = (
    "total_suggestions_count",
    "total_acceptances_count",
    "total_lines_suggested",
    "total_lines_accepted",
    "total_active_users",
    "total_chat_acceptances",
    "total_chat_turns",
    "total_active_chat_users",
)
KNOWN = frozenset(["day", "breakdown", *METRICS])
FIELDS = Fields(passed=KNOWN)


def sniff(head: str) -> bool:
    """Only the oldest usage API counts suggestions under ``total_suggestions_count``."""
    return api_json.is_json(head) and '"total_suggestions_count"' in head


@FIELDS.checked
def read(path: Path) -> Extract:
    """One aggregates row per day and metric, for an unnamed organisation."""
    frame = api_json.flat(api_json.records(api_json.documents(path), key="data", path=path))
    api_json.require(frame, ["day"], path=path, prefix="")
    values = pd.DataFrame(
        {metric: api_json.parse(frame, metric, "int", path=path, prefix="") for metric in METRICS},
        index=frame.index,
    )
    group = values.assign(
        tool=TOOL,
        scope="organisation",
        scope_id=UNNAMED,
        day=api_json.parse(frame, "day", "day", path=path, prefix=""),
        grain="day",
    ).drop_duplicates(["day"], keep="last")  # pages that overlap repeat a day
    return Extract(
        NAME,
        path,
        None,
        len(frame),
        {"aggregates": aggregates(group, {metric: metric for metric in METRICS})},
        fields=tuple(frame.columns),
    )
