"""Anthropic Usage & Cost Admin API: ``usage_report/messages`` and ``cost_report`` responses (FORMATS.md §4b).

A response page ``{data: [buckets], has_more, next_page}`` or a JSON array of pages; each bucket
``{starting_at, ending_at, results: [...]}`` counts on its start's UTC day. This is Claude API (platform) use,
tool "anthropic_api", and no result is a person's (an ``account_id`` is a Console account the kit has no
identity kind for), so every figure is an aggregate of a workspace or of the organisation. Messages usage
gives tokens (uncached input, cache creation over both lifetimes, cache reads, output) and web searches;
cost results give ``cost_usd`` (the file's amount is a decimal string in cents). ``workspace_id`` is null for
the default workspace and whenever the response is not grouped by workspace: a response naming any workspace
is grouped, so its nulls are the workspace "default"; otherwise every result is the (unnamed) organisation's.
No coverage: there is no person-level activity here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources._canonical import UNNAMED, aggregates, utc_days
from adoption_kit.sources.base import Extract
from adoption_kit.sources.fields import Fields

NAME = "anthropic_usage_cost"
DESCRIPTION = "Anthropic Admin API messages usage report or cost report (JSON)"
TOOL = "anthropic_api"
PREFIX = "data[].results[]."
DEFAULT_WORKSPACE = "default"
CENTS_PER_DOLLAR = 100
TOKENS = {
    "uncached_input_tokens": "uncached_input_tokens",
    "cache_read_input_tokens": "cache_read_input_tokens",
    "output_tokens": "output_tokens",
    "server_tool_use.web_search_requests": "web_search_requests",
}
CACHE_CREATION = ("cache_creation.ephemeral_1h_input_tokens", "cache_creation.ephemeral_5m_input_tokens")
USAGE_METRICS = {name: name for name in [*TOKENS.values(), "cache_creation_input_tokens"]}
KNOWN = frozenset(
    [
        *TOKENS,
        *CACHE_CREATION,
        "amount",
        "currency",
        "cost_type",
        "token_type",
        "description",
        "model",
        "api_key_id",
        "workspace_id",
        "account_id",
        "service_account_id",
        "service_tier",
        "context_window",
        "inference_geo",
        "speed",
    ]
)
IDENTIFIERS = frozenset(["account_id", "service_account_id"])
FIELDS = Fields(identifiers=IDENTIFIERS, passed=KNOWN - IDENTIFIERS | {"_bucket"})
MARKERS = ('"uncached_input_tokens"', '"cache_read_input_tokens"', '"cost_type"', '"token_type"')


def sniff(head: str) -> bool:
    """Buckets starting at a time whose results count Claude tokens or price them by cost type."""
    return api_json.is_json(head) and '"starting_at"' in head and any(m in head for m in MARKERS)


@FIELDS.checked
def read(path: Path) -> Extract:
    """Tokens, web searches and costs per workspace (or organisation) and day."""
    buckets = api_json.records(api_json.documents(path), key="data", path=path)
    starts = pd.Series([bucket.get("starting_at") for bucket in buckets], dtype="object")
    bucket_days = utc_days(starts, path=path, column="data[].starting_at", first_row=api_json.FIRST_RECORD)
    results = [
        {**result, "_bucket": number}
        for number, bucket in enumerate(buckets)
        for result in (bucket.get("results") or [])
        if isinstance(result, dict)
    ]
    frame = api_json.flat(results)
    is_cost = frame.get("amount", pd.Series(pd.NA, index=frame.index)).notna()
    is_cost |= frame.get("cost_type", pd.Series(pd.NA, index=frame.index)).notna()
    usage, costs = frame.loc[~is_cost], frame.loc[is_cost]
    api_json.require(usage, ["uncached_input_tokens", "output_tokens"], path=path, prefix=PREFIX)
    api_json.require(costs, ["amount"], path=path, prefix=PREFIX)
    groups = _groups(frame, bucket_days)
    tables = {
        "aggregates": pd.concat(
            [
                aggregates(groups.loc[usage.index].join(_tokens(usage, path)), USAGE_METRICS),
                aggregates(
                    groups.loc[costs.index].assign(cost_usd=_dollars(costs, path)), {"cost_usd": "cost_usd"}
                ),
            ],
            ignore_index=True,
        )
    }
    return Extract(
        NAME,
        path,
        None,
        len(frame),
        tables,
        fields=tuple(frame.columns),
    )


def _groups(results: pd.DataFrame, bucket_days: pd.Series) -> pd.DataFrame:
    """Each result's workspace (the default one when grouped by workspace), else the organisation."""
    workspace = results.get("workspace_id", pd.Series(pd.NA, index=results.index, dtype="object"))
    grouped = bool(workspace.notna().any())
    return pd.DataFrame(
        {
            "tool": TOOL,
            "scope": "workspace" if grouped else "organisation",
            "scope_id": workspace.fillna(DEFAULT_WORKSPACE if grouped else UNNAMED).astype("str"),
            "day": bucket_days.reindex(results.get("_bucket", pd.Series(dtype="int64"))).to_numpy(),
            "grain": "day",
        },
        index=results.index,
    )


def _tokens(usage: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Token counts and web searches per result; cache creation adds its 1-hour and 5-minute tokens."""
    parsed = {
        column: api_json.parse(usage, column, "int", path=path, prefix=PREFIX)
        for column in (*TOKENS, *CACHE_CREATION)
    }
    return pd.DataFrame(
        {name: parsed[column] for column, name in TOKENS.items()}
        | {
            "cache_creation_input_tokens": pd.concat([parsed[c] for c in CACHE_CREATION], axis=1).sum(
                axis=1, min_count=1
            )
        },
        index=usage.index,
    )


def _dollars(costs: pd.DataFrame, path: Path) -> pd.Series:
    """Cost amounts in US dollars (the file gives cents, as a decimal string); another currency is refused."""
    currency = costs.get("currency", pd.Series(pd.NA, index=costs.index, dtype="object"))
    other = currency.notna() & (currency.astype("str").str.upper() != "USD")
    api_json.fail_first(currency, other, path=path, column=f"{PREFIX}currency", expected="costs in USD")
    cents = api_json.parse(costs, "amount", "number", path=path, prefix=PREFIX)
    return (cents / CENTS_PER_DOLLAR).astype("float64")
