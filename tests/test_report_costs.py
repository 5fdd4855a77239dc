"""Cost and seat use as a report tells them: totals, shares and idle seats from shown numbers only."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import report_costs
from adoption_kit.publish import PublishedRun
from tests.published_fixture import write_published_fixture, write_tables

OCTOBER = pd.Timestamp("2026-10-01")
COST_COLUMNS = ["seat_cost", "usage_cost", "cost_per_active_user"]


def _monthly(rows: list[tuple[str, int | None, float | None, float | None, float | None]]) -> pd.DataFrame:
    """The organisation's monthly_active rows for October: (tool, mau, seat, usage, cost per active)."""
    frame = pd.DataFrame(rows, columns=["tool", "mau", *COST_COLUMNS])
    return frame.assign(
        group_by="organisation",
        group="ALL",
        month=OCTOBER,
        mau=frame["mau"].astype("Int64"),
        people=frame["mau"].astype("Int64"),
        suppressed=frame["mau"].isna(),
    ).astype({column: "float64" for column in COST_COLUMNS})


def _run(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> PublishedRun:
    return PublishedRun.open(write_tables(tmp_path, tables))


def test_when_every_tool_cost_is_shown_then_all_tools_divides_their_sum_by_the_any_tool_mau(tmp_path):
    monthly = _monthly(
        [
            ("any", 200, None, None, None),
            ("chatgpt_enterprise", 150, 9000.0, 0.0, 60.0),
            ("openai_api", 50, 0.0, 1000.0, 20.0),
            ("tools_used:1", 120, None, None, None),  # not a tool: never costed
        ]
    )
    run = _run(tmp_path, {"monthly_active": monthly})
    costs = report_costs.cost_per_tool(run).set_index("tool")
    assert costs.index.tolist() == ["chatgpt_enterprise", "openai_api", "all tools"]
    assert costs.loc["all tools", "cost"] == 10_000
    assert costs.loc["all tools", "cost_per_active_user"] == 50  # 10,000 dollars / 200 active people
    assert report_costs.cost_sentence(run) == (
        "In October 2026 the AI tools cost $10,000 for 200 active people: $50 per active person."
    )


def test_when_a_tool_cost_is_hidden_then_no_cost_per_active_user_for_all_tools(tmp_path):
    monthly = _monthly(
        [
            ("any", 200, None, None, None),
            ("chatgpt_enterprise", 150, 9000.0, 0.0, 60.0),
            ("openai_api", 50, 0.0, None, None),  # usage cost blanked by the gate (two big spenders)
        ]
    )
    run = _run(tmp_path, {"monthly_active": monthly})
    costs = report_costs.cost_per_tool(run).set_index("tool")
    assert pd.isna(costs.loc["openai_api", "cost"])
    assert costs.loc["all tools", "cost"] == 9000  # the shown tools only
    assert pd.isna(costs.loc["all tools", "cost_per_active_user"])
    assert "1 tool(s) have a hidden cost" in report_costs.cost_sentence(run)


def _seat_tables(rows: list[tuple[str, str, int | None, int | None, int | None]]) -> dict[str, pd.DataFrame]:
    """activation and seat_use rows: (group_by, group, seat holders, active seats, demand), ChatGPT."""
    frame = pd.DataFrame(rows, columns=["group_by", "group", "seat_holders", "active", "demand"])
    frame = frame.assign(tool="chatgpt_enterprise")
    activation = frame[["group_by", "group", "tool", "seat_holders"]].assign(
        seat_holders=frame["seat_holders"].astype("Int64"),
        people=frame["seat_holders"].astype("Int64"),
        suppressed=frame["seat_holders"].isna(),
    )
    use = frame.melt(
        id_vars=["group_by", "group", "tool"], value_vars=["active", "demand"], var_name="status"
    )
    seat_use = use.drop(columns="value").assign(
        people=use["value"].astype("Int64"), suppressed=use["value"].isna()
    )
    return {"activation": activation, "seat_use": seat_use}


def test_when_holders_and_active_seats_are_shown_then_idle_seats_and_efficiency_follow(tmp_path):
    run = _run(tmp_path, _seat_tables([("organisation", "ALL", 80, 60, 7)]))
    row = report_costs.seat_use(run, "ALL").iloc[0]
    assert (row["seat_holders"], row["active_seats"], row["idle_seats"], row["demand"]) == (80, 60, 20, 7)
    assert row["license_efficiency"] == 0.75  # 60 of 80 seats used in the last 30 days
    assert report_costs.seat_sentence(report_costs.seat_use(run, "ALL"), "ALL") == (
        "Of 80 seats in the whole organisation whose use is shown, 20 were not used in the last 30 days."
    )


def test_when_the_active_count_is_hidden_then_idle_seats_and_efficiency_stay_empty(tmp_path):
    run = _run(tmp_path, _seat_tables([("department", "Legal", 80, None, 7)]))
    row = report_costs.seat_use(run, "Legal").iloc[0]
    assert row["seat_holders"] == 80 and row["demand"] == 7
    assert pd.isna(row["active_seats"]) and pd.isna(row["idle_seats"]) and pd.isna(row["license_efficiency"])


def test_when_seat_moves_are_published_then_the_shown_ones_are_the_reallocation_table(tmp_path):
    moves = pd.DataFrame(
        {
            "group_by": "organisation",
            "group": "ALL",
            "tool": "m365_copilot",
            "from_team": ["Finance / Tax", "Legal / Contracts"],
            "to_team": ["Sales / East", "Sales / East"],
            "seats_to_move": pd.array([10, None], dtype="Int64"),  # the second hidden by the gate
            "people": pd.array([10, None], dtype="Int64"),
            "suppressed": [False, True],
        }
    )
    table = report_costs.seat_reallocation(_run(tmp_path, {"seat_moves": moves}))
    assert table.to_dict("records") == [
        {"tool": "m365_copilot", "from_team": "Finance / Tax", "to_team": "Sales / East", "seats_to_move": 10}
    ]


def test_when_the_run_has_no_seat_moves_then_the_reallocation_table_is_empty(tmp_path):
    table = report_costs.seat_reallocation(_run(tmp_path, {"headcount": pd.DataFrame({"people": [9]})}))
    assert table.empty and list(table.columns) == ["tool", "from_team", "to_team", "seats_to_move"]


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory) -> PublishedRun:
    return PublishedRun.open(write_published_fixture(tmp_path_factory.mktemp("published")))


def test_when_the_published_fixture_is_read_then_the_small_department_has_no_seat_numbers(fixture_run):
    seats = report_costs.seat_use(fixture_run, "Executive Office")
    assert seats[["seat_holders", "active_seats", "idle_seats", "demand"]].isna().all().all()
