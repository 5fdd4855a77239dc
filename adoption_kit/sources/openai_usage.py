"""OpenAI API organisation usage and costs: ``/v1/organization/usage/*`` and ``/v1/organization/costs`` (§7).

A response page ``{object: "page", data: [buckets], has_more, next_page}`` or a JSON array of pages; each
bucket ``{start_time, end_time, results: [...]}`` counts from its start's UTC day. Usage results grouped by
``user_id`` are a person's activity on the "api" surface (model requests as events, input and output
tokens). Results without a user are aggregates of their project, else their API key, else the (unnamed)
organisation; in a response grouped by user they are the requests no user is known for. Cost results are
aggregates (``cost_usd``) of their project or the organisation. No coverage: buckets need not be whole days.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources._canonical import UNNAMED, aggregates, utc_days
from adoption_kit.sources.base import Extract
from adoption_kit.sources.fields import Fields

NAME = "openai_usage"
DESCRIPTION = "OpenAI API organisation usage or costs response (JSON)"
TOOL = "openai_api"
SURFACE = "api"
PREFIX = "data[].results[]."
COSTS = "organization.costs.result"
USAGE_COUNTS = {
    "num_model_requests": "num_model_requests",
    "input_tokens": "input_tokens",
    "output_tokens": "output_tokens",
    "input_cached_tokens": "input_cached_tokens",
}
KNOWN = frozenset(
    [
        "bucket_start",
        "object",
        "project_id",
        "user_id",
        "api_key_id",
        "model",
        "batch",
        "service_tier",
        "line_item",
        "quantity",
        "amount.value",
        "amount.currency",
        "input_audio_tokens",
        "output_audio_tokens",
        *USAGE_COUNTS,
    ]
)
IDENTIFIERS = frozenset(["user_id"])
FIELDS = Fields(identifiers=IDENTIFIERS, passed=KNOWN - IDENTIFIERS)
ACTIVITY = ["identity", "tool", "day", "grain", "surface", "events", "tokens_in", "tokens_out"]


def sniff(head: str) -> bool:
    """Pages of time buckets whose results are organisation usage or costs."""
    markers = ('"organization.usage.' in head, f'"{COSTS}"' in head, '"bucket"' in head and '"page"' in head)
    return api_json.is_json(head) and any(markers)


@FIELDS.checked
def read(path: Path) -> Extract:
    """Users' activity; projects', API keys' and the organisation's usage and costs as aggregates."""
    buckets = api_json.records(api_json.documents(path), key="data", path=path)
    results = [
        {"bucket_start": bucket.get("start_time"), **result}
        for bucket in buckets
        for result in (bucket.get("results") or [])
        if isinstance(result, dict)
    ]
    frame = api_json.flat(results)
    day = utc_days(frame["bucket_start"], path=path, column="data[].start_time", unit="s", first_row=1)
    is_cost = frame.get("object", pd.Series(pd.NA, index=frame.index)).eq(COSTS).fillna(False).astype(bool)
    is_cost |= frame.get("amount.value", pd.Series(pd.NA, index=frame.index)).notna()
    usage, costs = frame.loc[~is_cost], frame.loc[is_cost]
    api_json.require(usage, ["num_model_requests"], path=path, prefix=PREFIX)
    api_json.require(costs, ["amount.value"], path=path, prefix=PREFIX)
    counts = pd.DataFrame(
        {column: api_json.parse(usage, column, "int", path=path, prefix=PREFIX) for column in USAGE_COUNTS},
        index=usage.index,
    )
    user = usage.get("user_id", pd.Series(pd.NA, index=usage.index))
    tables = {
        "activity": _activity(user.loc[user.notna()], day, counts.loc[user.notna()]),
        "aggregates": pd.concat(
            [
                aggregates(_groups(usage.loc[user.isna()], day).join(counts), USAGE_COUNTS),
                aggregates(
                    _groups(costs, day).assign(cost_usd=_dollars(costs, path)), {"cost_usd": "cost_usd"}
                ),
            ],
            ignore_index=True,
        ),
    }
    return Extract(
        NAME,
        path,
        "openai_user_id" if len(tables["activity"]) else None,
        len(frame),
        tables,
        fields=tuple(frame.columns),
    )


def _activity(user: pd.Series, day: pd.Series, counts: pd.DataFrame) -> pd.DataFrame:
    """A user's day: model requests as events, input and output tokens."""
    requests = pd.DataFrame(
        {
            "identity": user.astype("str"),
            "day": day.reindex(user.index),
            "events": counts["num_model_requests"],
            "tokens_in": counts["input_tokens"],
            "tokens_out": counts["output_tokens"],
        }
    )
    daily = requests.groupby(["identity", "day"], as_index=False).sum(min_count=1)
    return daily.assign(tool=TOOL, grain="day", surface=SURFACE)[ACTIVITY].astype(
        {"events": "int64", "tokens_in": "Int64", "tokens_out": "Int64"}
    )


def _groups(results: pd.DataFrame, day: pd.Series) -> pd.DataFrame:
    """Each result's group: its project, else its API key, else the organisation (left unnamed)."""
    project = results.get("project_id", pd.Series(pd.NA, index=results.index)).astype("object")
    key = results.get("api_key_id", pd.Series(pd.NA, index=results.index)).astype("object")
    scope = (
        pd.Series("organisation", index=results.index)
        .mask(key.notna(), "api_key")
        .mask(project.notna(), "project")
    )
    scope_id = project.where(project.notna(), key).fillna(UNNAMED).astype("str")
    return pd.DataFrame(
        {
            "tool": TOOL,
            "scope": scope,
            "scope_id": scope_id,
            "day": day.reindex(results.index),
            "grain": "day",
        },
        index=results.index,
    )


def _dollars(costs: pd.DataFrame, path: Path) -> pd.Series:
    """Cost amounts in US dollars (a string, or negative for a credit); another currency is refused."""
    currency = costs.get("amount.currency", pd.Series(pd.NA, index=costs.index))
    other = currency.notna() & (currency.astype("str").str.lower() != "usd")
    api_json.fail_first(
        currency, other, path=path, column=f"{PREFIX}amount.currency", expected="costs in usd"
    )
    return api_json.parse(costs, "amount.value", "number", path=path, prefix=PREFIX).astype("float64")
