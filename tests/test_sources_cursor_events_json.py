"""Cursor Admin API filtered usage events: requests per email and UTC day, with tokens and cost."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import cursor_events_json

SAMPLE = "cursor/docs_examples/filtered_usage_events_example.json"
MARCH_2 = 1772409600000  # 2026-03-02T00:00:00Z in epoch milliseconds
HOUR_MS = 3_600_000


def _event(email: str, timestamp: object, *, cents: object = None, **tokens: object) -> dict:
    event = {"timestamp": str(timestamp), "model": "auto", "kind": "Included in Business", "userEmail": email}
    if cents is not None or tokens:
        usage = {"inputTokens": 1, "outputTokens": 1, "cacheWriteTokens": 0, "cacheReadTokens": 0}
        event["tokenUsage"] = usage | tokens | ({"totalCents": cents} if cents is not None else {})
    return event


def _write(folder: Path, events: list[dict]) -> Path:
    path = folder / "cursor.json"
    path.write_text(json.dumps({"totalUsageEventsCount": len(events), "usageEvents": events}))
    return path


def test_when_reading_the_docs_example_then_each_requester_has_one_agent_request(formats):
    extract = sources.read(formats / SAMPLE)
    assert extract.source == "cursor_usage_events_api" and extract.identity == "email"
    activity = extract.tables["activity"].set_index("identity")
    # 1750979225854 ms = 2025-06-26T23:07:05Z and 1750978339901 ms = 22:52:19Z: both on 2025-06-26
    assert set(activity["day"]) == {pd.Timestamp("2025-06-26")}
    assert set(activity["surface"]) == {"agent"} and set(activity["grain"]) == {"day"}
    # developer: tokens in 126 input + 6112 cache writes + 11964 cache reads = 18202, out 450,
    # 20.18232 cents = $0.2018232; admin: an included request with no token usage (empty, not zero)
    developer = activity.loc["developer@company.com"]
    assert (developer["events"], developer["tokens_in"], developer["tokens_out"]) == (1, 18202, 450)
    assert developer["cost_usd"] == pytest.approx(0.2018232)
    admin = activity.loc["admin@company.com"]
    assert admin["events"] == 1
    assert pd.isna(admin["tokens_in"]) and pd.isna(admin["tokens_out"]) and pd.isna(admin["cost_usd"])
    assert extract.coverage == () and extract.rows_read == 2
    assert extract.unknown_fields == ()


def test_when_requests_fall_on_two_utc_days_then_each_day_adds_up_its_own(tmp_path):
    events = [
        _event("ann@acme.test", MARCH_2 + HOUR_MS, cents=10, inputTokens=100, outputTokens=20),
        _event("ann@acme.test", MARCH_2 + 23 * HOUR_MS, cents="5.5", cacheReadTokens=50),
        _event("ann@acme.test", MARCH_2 + 25 * HOUR_MS),  # 1am on 3 March, no token usage
    ]
    activity = cursor_events_json.read(_write(tmp_path, events)).tables["activity"].set_index("day")
    # 2 March: 2 requests, tokens in 100 + (1 + 50) = 151, out 20 + 1 = 21, (10 + 5.5) cents = $0.155
    march_2 = activity.loc[pd.Timestamp("2026-03-02")]
    assert (march_2["events"], march_2["tokens_in"], march_2["tokens_out"]) == (2, 151, 21)
    assert march_2["cost_usd"] == pytest.approx(0.155)
    assert activity.loc[pd.Timestamp("2026-03-03"), "events"] == 1


def test_when_requests_fall_on_two_utc_days_then_their_hours_add_up_to_each_day(tmp_path):
    events = [
        _event("ann@acme.test", MARCH_2 + HOUR_MS),
        _event("ann@acme.test", MARCH_2 + HOUR_MS + 59 * 60_000),
        _event("ann@acme.test", MARCH_2 + 23 * HOUR_MS),
        _event("ann@acme.test", MARCH_2 + 25 * HOUR_MS),
    ]
    extract = cursor_events_json.read(_write(tmp_path, events))
    hours = extract.tables["activity_hours"]
    # 01:00Z and 01:59Z on 2 March: hour 1, 2 requests; 23:00Z: hour 23; 25 hours in: 01:00Z on 3 March
    assert hours[["day", "hour", "events"]].astype(str).values.tolist() == [
        ["2026-03-02", "1", "2"],
        ["2026-03-02", "23", "1"],
        ["2026-03-03", "1", "1"],
    ]
    activity = extract.tables["activity"].groupby("day")["events"].sum()
    assert hours.groupby("day")["events"].sum().equals(activity)


# fmt: off
BAD = [
    # (what is wrong, the second event as given, the column the error must name)
    ("no email", {"timestamp": str(MARCH_2)}, "usageEvents[].userEmail"),
    ("no timestamp", {"userEmail": "bo@acme.test"}, "usageEvents[].timestamp"),
    ("a timestamp that is not epoch ms", _event("bo@acme.test", "yesterday"), "usageEvents[].timestamp"),
    ("tokens that are not a number", _event("bo@acme.test", MARCH_2, inputTokens="lots"),
     "usageEvents[].tokenUsage.inputTokens"),
    ("a negative cost", _event("bo@acme.test", MARCH_2, cents=-1), "usageEvents[].tokenUsage.totalCents"),
]
# fmt: on


@pytest.mark.parametrize(("case", "event", "column"), BAD, ids=[b[0] for b in BAD])
def test_when_an_event_is_bad_then_the_error_names_its_row_and_column(tmp_path, case, event, column):
    path = _write(tmp_path, [_event("ann@acme.test", MARCH_2), event])
    with pytest.raises(InputFileError) as caught:
        cursor_events_json.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, 2, column)
