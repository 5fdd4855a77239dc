"""Seat pools: how many seats of each tool a department bought, at what monthly price."""

from __future__ import annotations

from pathlib import Path

from adoption_kit.schema import TOOLS
from adoption_kit.sources._tabular import check_rows, read_csv
from adoption_kit.sources.base import Extract, csv_fields, csv_header
from adoption_kit.sources.fields import Fields

NAME = "seat_pools"
DESCRIPTION = "seat pools CSV with tool, department, seats_purchased, monthly_price_usd, start_date"
REQUIRED = {
    "tool": "text",
    "department": "text",
    "seats_purchased": "int",
    "monthly_price_usd": "float",
    "start_date": "date",
}
OPTIONAL = {"end_date": "date"}

FIELDS = Fields(passed=frozenset([*REQUIRED, *OPTIONAL]))


def sniff(head: str) -> bool:
    """Seat pools carry purchased seats and a price."""
    return {"tool", "seats_purchased"} <= csv_header(head)


@FIELDS.checked
def read(path: Path) -> Extract:
    """One row per (tool, department, contract period)."""
    frame = read_csv(path, required=REQUIRED, optional=OPTIONAL)
    check_rows(frame, [("tool", ~frame["tool"].isin(TOOLS), f"one of {', '.join(TOOLS)}")], path=path)
    pools = frame.rename(
        columns={
            "seats_purchased": "purchased",
            "monthly_price_usd": "unit_cost",
            "start_date": "valid_from",
            "end_date": "valid_to",
        }
    )
    return Extract(NAME, path, None, len(frame), {"seat_pools": pools}, fields=csv_fields(path))
