"""What a run computes for the tables that are more than a metric's frame: days to first use beside seat
activation, team-to-team seat moves in whole steps, peak headroom per tool. Hand-built organisations, the
expected numbers worked out in the comments."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit.config import load_settings
from adoption_kit.publish import compute_frames, compute_tables
from adoption_kit.workspace import Workspace
from conftest import shared_demo

K = 5
AS_OF = date(2026, 10, 31)


def _people(teams: dict[str, int]) -> pd.DataFrame:
    """People of teams "<department> / <name>": sizes as given, employed long before the period."""
    rows = [
        {"person_id": f"{team}-{i}", "department": team.split(" / ")[0], "team": team}
        for team, size in teams.items()
        for i in range(size)
    ]
    return pd.DataFrame(rows).assign(
        location="L", job_function="F", employed_from=pd.Timestamp("2020-01-01"), employed_to=pd.NaT
    )


def _seats(holders: list[str], tool: str, assigned_on: str = "2026-09-01") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": pd.Series(holders, dtype="str"),
            "tool": tool,
            "assigned_on": pd.Timestamp(assigned_on),
            "removed_on": pd.NaT,
        }
    )


def _activity(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "day", "events"])
    return frame.assign(day=pd.to_datetime(frame["day"]), grain="day", surface="chat")


def _requests(people: list[str], tool: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"person_id": people, "tool": tool, "requested_on": pd.Timestamp("2026-10-01"), "closed_on": pd.NaT}
    )


def _organisation(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[frame["group_by"] == "organisation"].set_index("tool")


def test_when_seats_are_first_used_after_some_days_then_activation_carries_the_median_and_p75():
    # Ten seats given on 09-01, first used 0, 1, 2, ..., 9 days later: median 4.5, p75 6.75 days
    # (interpolated). Only four of the M365 seats were used: too few for a quantile, so it stays empty.
    people = _people({"Sales / East": 10})
    holders = people["person_id"].tolist()
    seats = pd.concat([_seats(holders, "chatgpt_enterprise"), _seats(holders, "m365_copilot")])
    used = [(p, "chatgpt_enterprise", f"2026-09-{1 + i:02d}", 3) for i, p in enumerate(holders)]
    used += [(p, "m365_copilot", "2026-10-02", 1) for p in holders[:4]]
    tables = compute_frames(people, seats, _activity(used), as_of=AS_OF, min_group_size=K)
    activation = _organisation(tables["activation"])
    assert activation.loc["chatgpt_enterprise", "median_days_to_first_use"] == pytest.approx(4.5)
    assert activation.loc["chatgpt_enterprise", "p75_days_to_first_use"] == pytest.approx(6.75)
    assert pd.isna(activation.loc["m365_copilot", "median_days_to_first_use"])
    assert activation.loc["m365_copilot", "activated"] == 4  # the count itself is the gate's to judge


def test_when_a_team_has_idle_seats_and_another_waits_then_the_move_is_rounded_down_to_whole_steps():
    # Finance / Tax holds 12 M365 seats nobody used; Sales / East has 7 people waiting on a request and
    # Sales / West 3. Idle seats go in team order: 7 to Sales / East (rounded down to 5), 3 to Sales / West
    # (under one step: left out).
    people = _people({"Finance / Tax": 12, "Sales / East": 9, "Sales / West": 6})
    tax = [p for p in people["person_id"] if p.startswith("Finance")]
    east = [p for p in people["person_id"] if p.startswith("Sales / East")][:7]
    west = [p for p in people["person_id"] if p.startswith("Sales / West")][:3]
    tables = compute_frames(
        people,
        _seats(tax, "m365_copilot"),
        _activity([]),
        seat_requests=_requests(east + west, "m365_copilot"),
        as_of=AS_OF,
        min_group_size=K,
    )
    moves = tables["seat_moves"]
    assert moves[["tool", "from_team", "to_team", "seats_to_move"]].to_dict("records") == [
        {"tool": "m365_copilot", "from_team": "Finance / Tax", "to_team": "Sales / East", "seats_to_move": 5}
    ]
    assert moves["people"].tolist() == [5]
    demand = tables["seat_use"].query("status == 'demand' and group_by == 'team'").set_index("group")
    assert demand.loc["Sales / Sales / East", "people"] == 7  # waiting without a seat: demand


def test_when_tools_peak_then_each_tool_gets_its_month_and_no_total_over_tools():
    # October only: Cursor 10 events on 10-05 and 40 on 10-06 (2 days; the 95th-percentile day is
    # 10 + 0.95 x 30 = 38.5); September's 500 are outside the run's month.
    people = _people({"Eng / Core": 6})
    core = people["person_id"].tolist()
    used = [(core[0], "cursor", "2026-09-20", 500), (core[1], "cursor", "2026-10-05", 10)]
    used += [(p, "cursor", "2026-10-06", 8) for p in core[1:]]
    tables = compute_frames(people, _seats([], "cursor"), _activity(used), as_of=AS_OF, min_group_size=K)
    peaks = _organisation(tables["peak_headroom"])
    assert list(peaks.index) == ["cursor"]  # events of different tools are never added up
    assert peaks.loc["cursor", "peak_events"] == 40 and peaks.loc["cursor", "days"] == 2
    assert peaks.loc["cursor", "percentile_events"] == pytest.approx(38.5)
    assert peaks.loc["cursor", "top_share"] == pytest.approx(16 / 40)  # two people of 8 on the peak day
    assert peaks.loc["cursor", "people"] == 5 and peaks.loc["cursor", "reference_percentile"] == 0.95


def test_when_the_workspace_is_read_in_place_then_every_table_equals_the_one_from_loaded_frames():
    """``compute_tables`` hands the engine the activity, hours and tasks as Parquet files; loaded into
    pandas first, they give the same tables."""
    project = shared_demo(run_reports=False)
    settings = load_settings(project.root)
    workspace = Workspace.open(project.workspace)
    options = {
        "as_of": pd.Period(workspace.manifest["last_day"][:7], freq="M").end_time.date(),
        "min_group_size": settings.min_group_size,
        "dominance": settings.dominance,
        "rules": settings.metrics,
        "groupings": settings.groupings,
    }
    in_place = compute_tables(workspace, **options)
    names = ("people", "seats", "seat_pools", "seat_requests", "activity_hours", "tasks")
    loaded = compute_frames(
        workspace.table("people"),
        workspace.table("seats"),
        workspace.table("activity"),
        **{name: workspace.table(name) for name in names[2:]},
        **options,
    )
    assert isinstance(workspace.source("activity"), Path)
    assert list(in_place) == list(loaded)
    for name, table in loaded.items():
        pd.testing.assert_frame_equal(in_place[name], table, obj=name)
