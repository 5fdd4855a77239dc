"""Tools per person, pairs, moves, power users and throttling as a report tells them: shares from shown
parts and wholes only, a hidden cell never taken as zero."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit import report_tools
from adoption_kit.publish import PublishedRun
from tests.published_fixture import write_tables

OCTOBER, SEPTEMBER = pd.Timestamp("2026-10-01"), pd.Timestamp("2026-09-01")


def _counts(column: str, rows: list[tuple], *, group: str = "ALL") -> pd.DataFrame:
    """Rows (tool, month, count) of a published table whose count column is ``column`` (None: hidden)."""
    frame = pd.DataFrame(rows, columns=["tool", "month", column])
    count = frame[column].astype("Int64")
    return frame.assign(
        group_by="organisation" if group == "ALL" else "department",
        group=group,
        **{column: count, "people": count},
        suppressed=count.isna(),
    )


def _run(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> PublishedRun:
    return PublishedRun.open(write_tables(tmp_path, tables))


def test_when_tool_counts_are_shown_then_each_is_a_share_of_the_any_tool_mau(tmp_path):
    monthly = _counts(
        "mau",
        [
            ("any", OCTOBER, 200),
            ("tools_used:1", OCTOBER, 120),
            ("tools_used:2", OCTOBER, 70),
            ("tools_used:3+", OCTOBER, None),  # hidden: 10 people, never computed back
            ("tools_used:1", SEPTEMBER, 90),  # another month
        ],
    )
    tools = report_tools.tools_per_person(_run(tmp_path, {"monthly_active": monthly}))
    assert tools["tools"].tolist() == ["1", "2", "3+"]
    assert tools["share"].tolist()[:2] == [0.6, 0.35]  # 120 / 200, 70 / 200
    assert pd.isna(tools["people"].iloc[2]) and pd.isna(tools["share"].iloc[2])


def test_when_a_pair_is_shown_then_it_is_a_share_of_each_shown_tool_mau(tmp_path):
    monthly = _counts("mau", [("chatgpt_enterprise", OCTOBER, 100), ("cursor", OCTOBER, None)])
    pairs = _counts("people", [("chatgpt_enterprise & cursor", OCTOBER, 20)])
    result = report_tools.tool_pairs(_run(tmp_path, {"monthly_active": monthly, "tool_overlaps": pairs}))
    row = result.iloc[0]
    assert (row["tool_a"], row["tool_b"], row["people"], row["share_of_a"]) == (
        "chatgpt_enterprise",
        "cursor",
        20,
        0.2,
    )
    assert pd.isna(row["share_of_b"])  # Cursor's MAU is hidden


def test_when_moves_are_read_then_hidden_ones_are_left_out_and_the_largest_comes_first(tmp_path):
    moves = _counts(
        "people",
        [
            ("chatgpt_enterprise -> cursor", OCTOBER, 6),
            ("cursor -> chatgpt_enterprise", OCTOBER, None),
            ("gemini -> cursor", OCTOBER, 9),
            ("gemini -> cursor", SEPTEMBER, 30),  # last month's move
        ],
    )
    result = report_tools.tool_moves(_run(tmp_path, {"tool_moves": moves}))
    assert result.to_dict("list") == {
        "from_tool": ["gemini", "chatgpt_enterprise"],
        "to_tool": ["cursor", "cursor"],
        "people": [9, 6],
    }


def test_when_power_users_and_mau_are_shown_then_their_share_follows_and_a_hidden_mau_gives_none(tmp_path):
    power = _counts("power_users", [("cursor", SEPTEMBER, 10), ("cursor", OCTOBER, 12)], group="Legal")
    monthly = _counts("mau", [("cursor", SEPTEMBER, 40), ("cursor", OCTOBER, None)], group="Legal")
    shares = report_tools.power_user_share(
        _run(tmp_path, {"power_users": power, "monthly_active": monthly}), "Legal"
    )
    assert shares["share"].iloc[0] == 0.25  # 10 of 40
    assert shares["power_users"].iloc[1] == 12 and pd.isna(shares["share"].iloc[1])


def test_when_a_tool_reports_throttling_then_its_share_of_events_is_given_where_both_are_shown(tmp_path):
    weeks = pd.to_datetime(["2026-10-05", "2026-10-12"])
    weekly = pd.DataFrame(
        {
            "group_by": "organisation",
            "group": "ALL",
            "tool": ["openai_api", "openai_api", "cursor", "cursor"],
            "week": [*weeks, *weeks],
            "wau": pd.array([50, 60, 30, 30], dtype="Int64"),
            "events": [2000.0, float("nan"), 900.0, 800.0],  # the second week's events are blanked
            "throttled": [50.0, 70.0, float("nan"), float("nan")],  # Cursor does not report throttling
            "people": pd.array([50, 60, 30, 30], dtype="Int64"),
            "suppressed": False,
        }
    )
    shares = report_tools.throttled_share(_run(tmp_path, {"weekly_active": weekly}))
    assert shares["tool"].unique().tolist() == ["openai_api"]
    assert shares["share"].iloc[0] == 0.025  # 50 of 2,000 requests
    assert pd.isna(shares["share"].iloc[1])
