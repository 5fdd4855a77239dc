"""Cursor Admin API: the ``/teams/filtered-usage-events`` response (FORMATS.md §5), one record per request.

``{totalUsageEventsCount, pagination, usageEvents: [...], period}`` or a JSON array of such pages. As in the
dashboard's usage-events CSV (``cursor_events``): per requester's email and UTC day, requests are events on
the "agent" surface, with input tokens (plain, cache writes, cache reads), output tokens and the cost in
dollars (``tokenUsage.totalCents`` / 100); the same requests per UTC hour are ``activity_hours``. Requests
without ``tokenUsage`` (included in the plan) count as events with no tokens or cost: empty, not zero.
Responses are filtered by user or paginated, so there is no coverage.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources._canonical import utc_times
from adoption_kit.sources._hours import clock
from adoption_kit.sources.base import Extract
from adoption_kit.sources.cursor_events import request_tables
from adoption_kit.sources.fields import Fields

NAME = "cursor_usage_events_api"
DESCRIPTION = "Cursor Admin API filtered usage events (teams/filtered-usage-events JSON)"
SURFACE = "agent"
KEY = "usageEvents"
PREFIX = f"{KEY}[]."
CENTS_PER_DOLLAR = 100
TOKENS_IN = ("tokenUsage.inputTokens", "tokenUsage.cacheWriteTokens", "tokenUsage.cacheReadTokens")
TOKENS_OUT = "tokenUsage.outputTokens"
CENTS = "tokenUsage.totalCents"
KNOWN = frozenset(
    [
        "timestamp",
        "userEmail",
        "model",
        "kind",
        "maxMode",
        "requestsCosts",
        "isTokenBasedCall",
        "isFreeBugbot",
        "isChargeable",
        "isHeadless",
        *TOKENS_IN,
        TOKENS_OUT,
        CENTS,
    ]
)
IDENTIFIERS = frozenset(["userEmail"])
FIELDS = Fields(identifiers=IDENTIFIERS, passed=KNOWN - IDENTIFIERS, required=frozenset(["userEmail"]))


def sniff(head: str) -> bool:
    """A page of usage events (the daily-usage response has ``data`` rows instead)."""
    return api_json.is_json(head) and f'"{KEY}"' in head


@FIELDS.checked
def read(path: Path) -> Extract:
    """Requests, tokens and cost per email and day."""
    frame = api_json.flat(api_json.records(api_json.documents(path), key=KEY, path=path))
    api_json.require(frame, ["timestamp", "userEmail"], path=path, prefix=PREFIX)
    tokens = {
        column: api_json.parse(frame, column, "int", path=path, prefix=PREFIX)
        for column in (*TOKENS_IN, TOKENS_OUT)
    }
    requests = pd.DataFrame(
        {
            "identity": frame["userEmail"].astype("str"),
            **clock(
                utc_times(
                    frame["timestamp"],
                    path=path,
                    column=f"{PREFIX}timestamp",
                    unit="ms",
                    first_row=api_json.FIRST_RECORD,
                )
            ),
            "surface": SURFACE,
            "tokens_in": pd.concat([tokens[c] for c in TOKENS_IN], axis=1).sum(axis=1, min_count=1),
            "tokens_out": tokens[TOKENS_OUT],
            "cost_usd": api_json.parse(frame, CENTS, "float", path=path, prefix=PREFIX) / CENTS_PER_DOLLAR,
        },
        index=frame.index,
    )
    return Extract(
        NAME,
        path,
        "email",
        len(frame),
        request_tables(requests),
        fields=tuple(frame.columns),
    )
