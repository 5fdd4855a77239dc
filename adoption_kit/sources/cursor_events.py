"""Cursor dashboard usage-events CSV, the team export: one row per request, with the requester's email.

FORMATS.md §5 (last bullet). Header: ``Date,User,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache
Write),Cache Read,Output Tokens,Total Tokens,Cost`` (newer exports add ``Cloud Agent ID`` and ``Automation
ID``). Per user and UTC day: requests as events on the "agent" surface ("cloud_agent" for cloud-agent runs),
input tokens (with and without cache write, cache reads) and output tokens, and the cost in dollars
("Free"/"Included" cost cells are an included quota, not a zero: they stay missing); the same requests per
UTC hour are ``activity_hours``. The personal export has no ``User`` column and cannot be attributed.
Exports are often filtered, so there is no coverage.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError
from adoption_kit.sources._canonical import utc_times
from adoption_kit.sources._hours import clock, per_hour
from adoption_kit.sources._tabular import head_text, parse_column, read_csv
from adoption_kit.sources.base import Extract, csv_header
from adoption_kit.sources.fields import Fields

NAME = "cursor_usage_events"
DESCRIPTION = "Cursor team usage-events CSV (dashboard export with a User column)"
TOOL = "cursor"
USER = "User"
TOKENS_IN = ("Input (w/ Cache Write)", "Input (w/o Cache Write)", "Cache Read")
TOKENS_OUT = "Output Tokens"
CLOUD_AGENT = "Cloud Agent ID"
REQUIRED = {"Date": "text", USER: "text", **dict.fromkeys(TOKENS_IN, "int"), TOKENS_OUT: "int"}
OPTIONAL = {"Cost": "text", CLOUD_AGENT: "text"}
FIELDS = Fields(
    identifiers=frozenset([USER]),
    passed=frozenset(
        [*REQUIRED, *OPTIONAL, "Kind", "Model", "Max Mode", "Total Tokens", "Automation ID", "Requests"]
    )
    - {USER},
    required=frozenset([USER]),
)
NO_COST = frozenset(["free", "included", "-"])
FIRST_ROW = 2  # the header is line 1
COLUMNS = ["identity", "tool", "day", "grain", "surface", "events", "tokens_in", "tokens_out", "cost_usd"]


def sniff(head: str) -> bool:
    """Usage events have a time, a kind and a model per row, and token counts."""
    header = csv_header(head)
    return {"Date", "Kind", "Model"} <= header and bool({TOKENS_OUT, "Total Tokens"} & header)


@FIELDS.checked
def read(path: Path) -> Extract:
    """Requests, tokens and cost per email and day."""
    header = csv_header(head_text(path, 4096))
    if USER not in header:
        raise InputFileError(
            "this is a personal usage-events export: it has no 'User' column, so its requests cannot be "
            "attributed to anyone",
            path=path,
            column=USER,
            expected="the team usage-events export of the Cursor admin dashboard, with a User column (email)",
        )
    frame = read_csv(path, required=REQUIRED, optional=OPTIONAL)
    missing = frame[USER].isna()
    if missing.any():
        raise InputFileError(
            "missing user",
            path=path,
            row=int(missing.to_numpy().argmax()) + FIRST_ROW,
            column=USER,
            expected="the requester's email on every row",
        )
    surface = (
        frame.get(CLOUD_AGENT, pd.Series(pd.NA, index=frame.index))
        .notna()
        .map({True: "cloud_agent", False: "agent"})
    )
    requests = pd.DataFrame(
        {
            "identity": frame[USER],
            **clock(utc_times(frame["Date"], path=path, column="Date", first_row=FIRST_ROW)),
            "surface": surface,
            "tokens_in": frame[list(TOKENS_IN)].sum(axis=1, min_count=1),
            "tokens_out": frame[TOKENS_OUT],
            "cost_usd": _cost(frame.get("Cost", pd.Series(pd.NA, index=frame.index, dtype="str")), path),
        }
    )
    return Extract(
        NAME,
        path,
        "email",
        len(frame),
        request_tables(requests),
        fields=tuple(header),
    )


def _cost(values: pd.Series, path: Path) -> pd.Series:
    """Dollars (a leading "$" is allowed); an included-quota label is no cost figure at all."""
    text = values.str.strip().str.lstrip("$")
    label = text.str.lower().isin(NO_COST).fillna(False).astype(bool)
    return parse_column(text.where(~label), "float", path=path, column="Cost").astype("float64")


def request_tables(requests: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``activity`` and ``activity_hours`` from one row per request (with its UTC ``day`` and ``hour``)."""
    return {"activity": per_day(requests), "activity_hours": per_hour(requests.assign(tool=TOOL))}


def per_day(requests: pd.DataFrame) -> pd.DataFrame:
    """One activity row per person, day and surface from one row per request: events count the requests."""
    groups = requests.groupby(["identity", "day", "surface"])
    daily = groups[["tokens_in", "tokens_out", "cost_usd"]].sum(min_count=1).assign(events=groups.size())
    return (
        daily.reset_index()
        .assign(tool=TOOL, grain="day")[COLUMNS]
        .astype({"events": "int64", "tokens_in": "Int64", "tokens_out": "Int64", "cost_usd": "float64"})
    )
