"""A corporate API gateway's log of AI API calls (CSV): the kit's own format, one row per request.

Header (any order; other columns are listed as unknown and ignored)::

    timestamp,user,model,tokens_in,tokens_out,status[,latency_ms,endpoint,provider,prompt]

- ``timestamp``: ISO-8601 with a UTC offset or ``Z`` (a time without one is read as UTC);
- ``user``: the caller's email; ``model``: the model asked for;
- ``tokens_in``, ``tokens_out``: whole numbers, empty when the gateway did not see them;
- ``status``: the HTTP status of the answer (429 = throttled by the provider or the gateway);
- ``provider`` (optional): whose API was called, one of ``PROVIDERS``; without the column, or with an
  empty cell, it is OpenAI. ``latency_ms`` and ``endpoint`` are known but not read;
- ``prompt`` (optional): the prompt's text or title, kept in ``texts`` (kind ``prompt``) once ingest has
  scrubbed it, or dropped by configuration; ``client_ip`` identifies a device and is never read.

Per user and UTC day this is activity on the "api" surface: every request is an event (failed ones too:
they are still use), ``throttled`` counts the 429s, tokens are summed. The same requests per UTC hour are
``activity_hours``.
A log is one gateway's view, not the full account of a tool, so it has no coverage.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError
from adoption_kit.sources._canonical import free_texts, utc_times
from adoption_kit.sources._hours import clock, per_hour
from adoption_kit.sources._tabular import head_text, read_csv
from adoption_kit.sources.base import Extract, csv_header
from adoption_kit.sources.fields import Fields

NAME = "gateway_log"
DESCRIPTION = "AI API gateway log CSV (timestamp,user,model,tokens_in,tokens_out,status)"
PROVIDERS = {"openai": "openai_api", "azure_openai": "openai_api", "anthropic": "anthropic_api"}
DEFAULT_PROVIDER = "openai"
SURFACE = "api"
THROTTLED = 429
REQUIRED = {
    "timestamp": "text",
    "user": "text",
    "model": "text",
    "tokens_in": "int",
    "tokens_out": "int",
    "status": "int",
}
TEXTS = {"prompt": "prompt"}
OPTIONAL = {"provider": "text", **dict.fromkeys(TEXTS, "text")}
FIELDS = Fields(
    identifiers=frozenset(["user", "client_ip"]),
    free_text=TEXTS,
    passed=frozenset([*REQUIRED, "provider", "latency_ms", "endpoint"]) - {"user"},
    required=frozenset(["user"]),
)
FIRST_ROW = 2  # the header is line 1
COLUMNS = ["identity", "tool", "day", "grain", "surface", "events", "tokens_in", "tokens_out", "throttled"]


def sniff(head: str) -> bool:
    """A gateway log has a timestamp, a user and a model per request, and its tokens or HTTP status."""
    header = csv_header(head)
    return {"timestamp", "user", "model"} <= header and bool({"tokens_in", "tokens_out", "status"} & header)


@FIELDS.checked
def read(path: Path) -> Extract:
    """Requests, throttled requests and tokens per user, tool and day (and per hour); prompts as texts."""
    frame = read_csv(path, required=REQUIRED, optional=OPTIONAL)
    provider = frame.get("provider", pd.Series(pd.NA, index=frame.index, dtype="str"))
    provider = provider.str.lower().fillna(DEFAULT_PROVIDER)
    checks = (
        ("user", frame["user"].isna(), "the caller's email on every row"),
        (
            "status",
            ~frame["status"].between(100, 599).fillna(False),
            "an HTTP status (100 to 599) on every row",
        ),
        ("provider", ~provider.isin(PROVIDERS), f"one of the providers {', '.join(PROVIDERS)}"),
    )
    for column, bad, expected in checks:
        if bad.any():
            position = int(bad.to_numpy(dtype=bool).argmax())
            raise InputFileError(
                f"cannot use the value {frame.get(column, provider).iloc[position]!r}",
                path=path,
                row=position + FIRST_ROW,
                column=column,
                expected=expected,
            )
    requests = pd.DataFrame(
        {
            "identity": frame["user"],
            "tool": provider.map(PROVIDERS),
            **clock(utc_times(frame["timestamp"], path=path, column="timestamp", first_row=FIRST_ROW)),
            "tokens_in": frame["tokens_in"],
            "tokens_out": frame["tokens_out"],
            "throttled": frame["status"].eq(THROTTLED).astype("int64"),
        }
    )
    groups = requests.groupby(["identity", "tool", "day"])
    daily = groups[["tokens_in", "tokens_out", "throttled"]].sum(min_count=1).assign(events=groups.size())
    activity = (
        daily.reset_index()
        .assign(grain="day", surface=SURFACE)[COLUMNS]
        .astype({"events": "int64", "tokens_in": "Int64", "tokens_out": "Int64", "throttled": "Int64"})
    )
    texts = free_texts(frame, TEXTS, context=requests[["identity", "tool", "day"]])
    header = tuple(csv_header(head_text(path, 4096)))
    tables = {"activity": activity, "activity_hours": per_hour(requests), "texts": texts}
    return Extract(NAME, path, "email", len(frame), tables, fields=header)
