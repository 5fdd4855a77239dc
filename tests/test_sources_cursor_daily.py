"""Cursor Admin API daily usage: active user-days split into completion, chat and agent surfaces."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import cursor_daily
from adoption_kit.sources.base import Coverage

SAMPLE = "cursor/docs_examples/daily_usage_data_example.json"
MARCH_2 = 1772409600000  # 2026-03-02T00:00:00Z in epoch milliseconds
DAY_MS = 86_400_000


def _row(email: str, date: object, *, active: object = True, **counts: object) -> dict:
    zeros = dict.fromkeys(cursor_daily.COUNTS, 0)
    return {"date": date, "userId": "user_1", "email": email, "isActive": active, **zeros, **counts}


def _write(folder: Path, document: object) -> Path:
    path = folder / "cursor.json"
    path.write_text(json.dumps(document))
    return path


def test_when_reading_the_docs_example_then_totals_match_the_file(formats):
    extract = sources.read(formats / SAMPLE)
    activity = extract.tables["activity"]
    assert extract.source == "cursor_daily_usage" and extract.identity == "email"
    # one person, 2 active days (2024-03-18 and -19).
    # day 1: agent 12 + 45 composer = 57; chat 128 + 67 cmd-K = 195; tabs accepted 289; accepted lines 1102
    # day 2: agent 23 + 67 = 90; chat 156 + 89 = 245; tabs 398; accepted lines 1876
    by_day = activity.pivot_table(index="day", columns="surface", values="events", aggfunc="sum")
    assert by_day.to_dict("index") == {
        pd.Timestamp("2024-03-18"): {"agent": 57, "code_completion": 289, "ide_chat": 195},
        pd.Timestamp("2024-03-19"): {"agent": 90, "code_completion": 398, "ide_chat": 245},
    }
    assert activity["events"].sum() == 57 + 195 + 289 + 90 + 245 + 398  # 1274
    assert activity.groupby("day")["lines_accepted"].sum().to_dict() == {
        pd.Timestamp("2024-03-18"): 1102,
        pd.Timestamp("2024-03-19"): 1876,
    }
    assert activity["lines_accepted"].notna().sum() == 2  # once per user-day, on the agent row
    assert set(activity["identity"]) == {"developer@company.com"}
    # period 1710720000000..1710892800000 = 2024-03-18T00:00Z to 2024-03-20T00:00Z (end exclusive)
    assert extract.coverage == (
        Coverage("cursor", "day", pd.Timestamp("2024-03-18"), pd.Timestamp("2024-03-19")),
    )
    assert extract.unknown_fields == ()


def test_when_users_are_inactive_or_idle_then_only_active_days_count(tmp_path):
    rows = [
        _row("ann@acme.test", MARCH_2, totalTabsAccepted=4, acceptedLinesAdded=9),
        _row("bo@acme.test", MARCH_2, active=False, chatRequests=3),  # inactive: no activity at all
        _row("cy@acme.test", str(MARCH_2 + DAY_MS)),  # active, but nothing counted: a day of use
        _row("dee@acme.test", "2026-03-04", agentRequests=2),  # the `day`-style ISO date
    ]
    extract = cursor_daily.read(_write(tmp_path, {"data": rows}))
    activity = extract.tables["activity"].set_index("identity")
    assert activity[["day", "surface", "events", "lines_accepted"]].to_dict("index") == {
        "ann@acme.test": {
            "day": pd.Timestamp("2026-03-02"),
            "surface": "code_completion",
            "events": 4,
            "lines_accepted": 9,
        },
        "cy@acme.test": {
            "day": pd.Timestamp("2026-03-03"),
            "surface": "other",
            "events": 0,
            "lines_accepted": 0,
        },
        "dee@acme.test": {
            "day": pd.Timestamp("2026-03-04"),
            "surface": "agent",
            "events": 2,
            "lines_accepted": 0,
        },
    }
    # no period: the file covers its first to last day
    assert extract.coverage == (
        Coverage("cursor", "day", pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-04")),
    )


def test_when_the_response_is_one_page_of_several_then_it_covers_nothing(tmp_path):
    page = {
        "data": [_row("ann@acme.test", MARCH_2, chatRequests=1)],
        "period": {"startDate": MARCH_2, "endDate": MARCH_2 + DAY_MS},
        "pagination": {"page": 1, "pageSize": 1, "totalPages": 2, "hasNextPage": True},
    }
    assert cursor_daily.read(_write(tmp_path, page)).coverage == ()


# fmt: off
PERIODS = [
    # (startDate, endDate, first and last whole day covered)
    (MARCH_2, MARCH_2 + DAY_MS, ("2026-03-02", "2026-03-02")),  # midnight to midnight: one day
    (MARCH_2 + 3_600_000, MARCH_2 + 2 * DAY_MS - 1, ("2026-03-03", "2026-03-03")),  # from 1am: day 1 partial
    (MARCH_2, MARCH_2 + DAY_MS + 3_600_000, ("2026-03-02", "2026-03-02")),  # ends at 1am: day 2 partial
]
# fmt: on


@pytest.mark.parametrize(("start", "end", "days"), PERIODS)
def test_when_the_period_has_partial_days_then_only_whole_days_are_covered(tmp_path, start, end, days):
    page = {
        "data": [_row("ann@acme.test", MARCH_2, chatRequests=1)],
        "period": {"startDate": start, "endDate": end},
    }
    first, last = map(pd.Timestamp, days)
    assert cursor_daily.read(_write(tmp_path, page)).coverage == (Coverage("cursor", "day", first, last),)


# fmt: off
BAD = [
    # (what is wrong, the row as changed, the column the error must name)
    ("no email", lambda r: r.pop("email"), "data[].email"),
    ("no date", lambda r: r.pop("date"), "data[].date"),
    ("a date that is not a date", lambda r: r.update(date="yesterday"), "data[].date"),
    ("chat requests that are not a number", lambda r: r.update(chatRequests="lots"), "data[].chatRequests"),
    ("a negative count", lambda r: r.update(totalTabsAccepted=-1), "data[].totalTabsAccepted"),
    ("an activity flag that is not a boolean", lambda r: r.update(isActive="yes"), "data[].isActive"),
]
# fmt: on


@pytest.mark.parametrize(("case", "change", "column"), BAD, ids=[b[0] for b in BAD])
def test_when_a_row_is_bad_then_the_error_names_its_row_and_column(tmp_path, case, change, column):
    rows = [_row("ann@acme.test", MARCH_2), _row("bo@acme.test", MARCH_2)]
    change(rows[1])
    path = _write(tmp_path, {"data": rows})
    with pytest.raises(InputFileError) as caught:
        cursor_daily.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, 2, column)
