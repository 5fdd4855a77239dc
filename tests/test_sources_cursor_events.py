"""Cursor usage-events CSV: the team export is read per user and day; the personal one is refused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import cursor_events

HEADER = (
    "Date,User,Cloud Agent ID,Kind,Model,Max Mode,Input (w/ Cache Write),Input (w/o Cache Write),Cache Read,"
    "Output Tokens,Total Tokens,Cost"
)
TEAM = [
    HEADER,
    '"2026-03-02T09:00:00.000Z","ann@acme.test","","Included","auto","No","100","0","1000","50","1150","0.10"',
    '"2026-03-02T23:59:59.999Z","ann@acme.test","","Usage-based","gpt-5","Yes","0","20","0","5","25","$0.25"',
    '"2026-03-03T00:00:00.000Z","ann@acme.test","","Included","auto","No","10","0","0","1","11","Included"',
    '"2026-03-02T22:00:00.000-03:00","bo@acme.test","bc-1","Included","auto","No","1","2","3","4","10","Free"',
]


def _write(folder: Path, lines: list[str], name: str = "usage-events-team.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_when_reading_the_team_export_then_requests_tokens_and_cost_add_up_per_user_day(tmp_path):
    extract = sources.read(_write(tmp_path, TEAM))
    assert extract.source == "cursor_usage_events" and extract.identity == "email"
    activity = extract.tables["activity"].set_index(["identity", "day"])
    # ann 2026-03-02: 2 requests; in = (100 + 0 + 1000) + (0 + 20 + 0) = 1120; out = 50 + 5; $0.10 + $0.25
    # ann 2026-03-03 (00:00Z is the next UTC day): 1 request, in 10, out 1, cost "Included": unknown
    # bo: 22:00 at -03:00 is 01:00Z on 2026-03-03; a cloud-agent run; in 1 + 2 + 3 = 6, out 4, cost "Free"
    expected = {
        ("ann@acme.test", pd.Timestamp("2026-03-02")): ("agent", 2, 1120, 55, 0.35),
        ("ann@acme.test", pd.Timestamp("2026-03-03")): ("agent", 1, 10, 1, None),
        ("bo@acme.test", pd.Timestamp("2026-03-03")): ("cloud_agent", 1, 6, 4, None),
    }
    columns = ["surface", "events", "tokens_in", "tokens_out", "cost_usd"]
    found = activity[columns].astype(object).where(activity[columns].notna(), None)
    assert {key: tuple(row) for key, row in found.iterrows()} == expected
    assert set(extract.tables["activity"]["tool"]) == {"cursor"}
    assert extract.coverage == ()  # a team export may be filtered: not the full account of any day
    assert extract.unknown_fields == ()


def test_when_reading_the_team_export_then_requests_add_up_per_user_utc_hour(tmp_path):
    extract = sources.read(_write(tmp_path, TEAM))
    hours = extract.tables["activity_hours"]
    # ann: 09:00Z and 23:59:59.999Z on 03-02, 00:00Z on 03-03; bo: 22:00 at -03:00 is 01:00Z on 03-03
    assert sorted(hours[["identity", "tool", "day", "hour", "events"]].astype(str).values.tolist()) == [
        ["ann@acme.test", "cursor", "2026-03-02", "23", "1"],
        ["ann@acme.test", "cursor", "2026-03-02", "9", "1"],
        ["ann@acme.test", "cursor", "2026-03-03", "0", "1"],
        ["bo@acme.test", "cursor", "2026-03-03", "1", "1"],
    ]
    assert "throttled" not in hours  # Cursor does not say which requests were rate-limited
    per_day = ["identity", "tool", "day"]
    activity = extract.tables["activity"].groupby(per_day)["events"].sum()
    assert hours.groupby(per_day)["events"].sum().equals(activity)


@pytest.mark.parametrize(
    "name", ["usage-events-2025-12-02-auto.csv", "usage-events-2025-12-02-composer-1.csv"]
)
def test_when_reading_a_personal_export_then_the_error_asks_for_the_team_export(formats, name):
    path = formats / "cursor" / name
    assert sources.detect(path) is cursor_events  # recognised, so the message can say what is missing
    with pytest.raises(InputFileError, match="team usage-events export") as caught:
        cursor_events.read(path)
    assert (caught.value.path, caught.value.column) == (path, "User")


# fmt: off
BAD = [
    # (what is wrong, the file's lines, the row and column the error must name)
    ("no output tokens column", [HEADER.replace(",Output Tokens", ""), TEAM[1].replace('"50",', "")],
     None, "Output Tokens"),
    ("tokens that are not a number", [HEADER, TEAM[1], TEAM[2].replace('"20"', '"lots"')],
     3, "Input (w/o Cache Write)"),
    ("a cost that is not a number", [HEADER, TEAM[1], TEAM[2].replace('"$0.25"', '"cheap"')], 3, "Cost"),
    ("a row without a user", [HEADER, TEAM[1], TEAM[2].replace('"ann@acme.test"', '""')], 3, "User"),
    ("a date that is not a time", [HEADER, TEAM[1], TEAM[2].replace("2026-03-02T23:59:59.999Z", "soon")],
     3, "Date"),
]
# fmt: on


@pytest.mark.parametrize(("case", "lines", "row", "column"), BAD, ids=[b[0] for b in BAD])
def test_when_the_team_export_is_bad_then_the_error_names_its_row_and_column(
    tmp_path, case, lines, row, column
):
    path = _write(tmp_path, lines)
    with pytest.raises(InputFileError) as caught:
        cursor_events.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, row, column)
