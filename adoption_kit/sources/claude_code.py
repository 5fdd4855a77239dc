"""Anthropic Claude Code Analytics Admin API: ``/v1/organizations/usage_report/claude_code`` (FORMATS.md §4a).

One record per actor and day: a response page ``{data: [...], has_more, next_page}``, a JSON array of
pages, or one record per line. A user's day is activity on the "agent" surface (sessions as events, lines
added, tokens over every model, the estimated cost: cents in the file, dollars here). API-key actors are
not people: their days become ``api_key`` aggregates under a hash of the key's name. Accepted and rejected
tool proposals, commits and pull requests are organisation-level aggregates per day.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources._canonical import UNNAMED, aggregates, hashed
from adoption_kit.sources.base import Coverage, Extract
from adoption_kit.sources.fields import Fields

NAME = "claude_code_usage"
DESCRIPTION = "Anthropic Claude Code Analytics API usage report (JSON pages or NDJSON)"
TOOL = "claude_code"
SURFACE = "agent"
PREFIX = "data[]."
MODELS = "data[].model_breakdown[]."
USER, API_KEY = "user_actor", "api_actor"
API_KEYS_DROPPED = "API-key actors (not people: kept as api_key aggregates)"
OTHER_DROPPED = "actors that are neither users nor API keys"
CENTS_PER_DOLLAR = 100
COUNTS = {
    "core_metrics.num_sessions": "sessions",
    "core_metrics.lines_of_code.added": "lines_added",
    "core_metrics.commits_by_claude_code": "commits",
    "core_metrics.pull_requests_by_claude_code": "pull_requests",
}
TOKENS_IN = ("tokens.input", "tokens.cache_read", "tokens.cache_creation")
TOOL_ACTION = re.compile(r"tool_actions\.(\w+)\.(accepted|rejected)")
KNOWN = frozenset(
    [
        "date",
        "actor.type",
        "actor.email_address",
        "actor.api_key_name",
        "organization_id",
        "customer_type",
        "subscription_type",
        "terminal_type",
        "core_metrics.lines_of_code.removed",
        "model_breakdown",
        *COUNTS,
    ]
)
KNOWN_MODEL_KEYS = frozenset(
    ["model", "tokens.output", "estimated_cost.amount", "estimated_cost.currency", *TOKENS_IN]
)
TOOL_ACTIONS = "tool_actions.<tool>.<accepted|rejected>"  # one field for every tool's counts
IDENTIFIERS = frozenset(["actor.email_address", "actor.api_key_name"])
FIELDS = Fields(
    identifiers=IDENTIFIERS,
    passed=KNOWN - IDENTIFIERS | {f"model_breakdown.{key}" for key in KNOWN_MODEL_KEYS} | {TOOL_ACTIONS},
)


def sniff(head: str) -> bool:
    """Claude Code records name their actor type or session counts (the claude.ai analytics do not)."""
    markers = ('"user_actor"', '"api_actor"', '"num_sessions"', '"commits_by_claude_code"')
    return api_json.is_json(head) and any(m in head for m in markers) and '"claude_code_metrics"' not in head


@FIELDS.checked
def read(path: Path) -> Extract:
    """Users' activity; API keys', tool actions' and the organisation's daily aggregates."""
    pages = api_json.documents(path)
    frame = api_json.flat(api_json.records(pages, key="data", path=path))
    api_json.require(frame, ["date", "actor.type", "core_metrics.num_sessions"], path=path, prefix=PREFIX)
    actor = frame["actor.type"]
    api_json.require(frame.loc[actor == USER], ["actor.email_address"], path=path, prefix=PREFIX)
    api_json.require(frame.loc[actor == API_KEY], ["actor.api_key_name"], path=path, prefix=PREFIX)
    items = _model_items(frame)
    days = _days(frame, items, path)
    tables = {
        "activity": _activity(days.loc[actor == USER]),
        "aggregates": pd.concat(
            [_api_keys(days.loc[actor == API_KEY]), _organisation(frame, days, path)], ignore_index=True
        ),
    }
    dropped = {
        API_KEYS_DROPPED: int((actor == API_KEY).sum()),
        OTHER_DROPPED: int((~actor.isin([USER, API_KEY])).sum()),
    }
    model_columns = items.columns
    return Extract(
        NAME,
        path,
        "email" if len(tables["activity"]) else None,
        len(frame),
        tables,
        coverage=_coverage(pages, days),
        fields=tuple(TOOL_ACTION.sub(TOOL_ACTIONS, column) for column in frame.columns)
        + tuple(f"model_breakdown.{column}" for column in model_columns),
        dropped={reason: rows for reason, rows in dropped.items() if rows},
    )


def _days(frame: pd.DataFrame, items: pd.DataFrame, path: Path) -> pd.DataFrame:
    """One row per record: who, which day, and the record's counts, tokens and cost."""
    counts = {
        name: api_json.parse(frame, column, "int", path=path, prefix=PREFIX)
        for column, name in COUNTS.items()
    }
    return pd.DataFrame(
        {
            "day": api_json.parse(frame, "date", "day", path=path, prefix=PREFIX),
            "email": frame.get("actor.email_address"),
            "key": frame.get("actor.api_key_name"),
            "organisation": frame.get("organization_id", pd.Series(UNNAMED, index=frame.index)).fillna(
                UNNAMED
            ),
            **counts,
        },
        index=frame.index,
    ).join(_models(frame, items, path))


def _model_items(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per model of a record (indexed by the record), flattened."""
    if "model_breakdown" not in frame.columns:
        return pd.DataFrame(index=pd.Index([], dtype="int64"))
    items = frame["model_breakdown"].explode()
    items = items.loc[items.map(lambda item: isinstance(item, dict))]
    return api_json.flat(items.tolist(), index=items.index)


def _models(frame: pd.DataFrame, items: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Per record, over its models: tokens in (input and cache), tokens out, estimated cost in dollars."""
    currency = items.get("estimated_cost.currency", pd.Series(pd.NA, index=items.index, dtype="str"))
    not_usd = currency.notna() & (currency.astype("str").str.upper() != "USD")
    api_json.fail_first(
        currency, not_usd, path=path, column=f"{MODELS}estimated_cost.currency", expected="costs in USD"
    )
    parsed = pd.DataFrame(
        {
            column: api_json.parse(items, column, "int", path=path, prefix=MODELS)
            for column in (*TOKENS_IN, "tokens.output")
        }
        | {"cost": api_json.parse(items, "estimated_cost.amount", "float", path=path, prefix=MODELS)},
        index=items.index,
    )
    per_item = pd.DataFrame(
        {
            "tokens_in": parsed[list(TOKENS_IN)].sum(axis=1, min_count=1),
            "tokens_out": parsed["tokens.output"],
            "cents": parsed["cost"],
        },
        index=items.index,
    )
    per_record = per_item.groupby(level=0).sum(min_count=1).reindex(frame.index)
    return per_record.assign(cost_usd=per_record.pop("cents") / CENTS_PER_DOLLAR)


def _activity(users: pd.DataFrame) -> pd.DataFrame:
    """A user's day: sessions as events, lines added as lines accepted, tokens and cost."""
    sums = ["sessions", "lines_added", "tokens_in", "tokens_out", "cost_usd"]
    daily = users.groupby(["email", "day"], as_index=False)[sums].sum(min_count=1)
    return pd.DataFrame(
        {
            "identity": daily["email"],
            "tool": TOOL,
            "day": daily["day"],
            "grain": "day",
            "surface": SURFACE,
            "events": daily["sessions"].astype("int64"),
            "sessions": daily["sessions"].astype("Int64"),
            "lines_accepted": daily["lines_added"].astype("Int64"),
            "tokens_in": daily["tokens_in"].astype("Int64"),
            "tokens_out": daily["tokens_out"].astype("Int64"),
            "cost_usd": daily["cost_usd"].astype("float64"),
        }
    )


def _api_keys(keys: pd.DataFrame) -> pd.DataFrame:
    """An API key's day, under a hash of its name (a key's name may be a person's)."""
    group = keys.assign(tool=TOOL, scope="api_key", scope_id=keys["key"].map(hashed), grain="day")
    metrics = ["sessions", "lines_added", "commits", "pull_requests", "tokens_in", "tokens_out", "cost_usd"]
    return aggregates(group, {name: name for name in metrics})


def _organisation(frame: pd.DataFrame, days: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Per organisation and day over every actor: tool proposals accepted and rejected, commits, PRs."""
    actions = {
        column: f"{match[1]}_{match[2]}"
        for column in frame.columns
        if (match := TOOL_ACTION.fullmatch(column))
    }
    parsed = {
        name: api_json.parse(frame, column, "int", path=path, prefix=PREFIX)
        for column, name in actions.items()
    }
    group = pd.DataFrame(
        {
            "tool": TOOL,
            "scope": "organisation",
            "scope_id": days["organisation"],
            "day": days["day"],
            "grain": "day",
            "commits": days["commits"],
            "pull_requests": days["pull_requests"],
            **parsed,
        },
        index=frame.index,
    )
    return aggregates(group, {name: name for name in ["commits", "pull_requests", *parsed]})


def _coverage(pages: list[object], days: pd.DataFrame) -> tuple[Coverage, ...]:
    """The days of a response read to its last page (has_more false); a lone page or NDJSON may be partial."""
    last = pages[-1] if pages else None
    complete = isinstance(last, dict) and "data" in last and last.get("has_more") is False
    if not complete or days.empty:
        return ()
    return (Coverage(TOOL, "day", pd.Timestamp(days["day"].min()), pd.Timestamp(days["day"].max())),)
