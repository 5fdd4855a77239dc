"""Deciding what the release gate hides: primary, extreme-rate and complementary suppressions.

Only decisions live here (a reason per row, never a changed value); :mod:`adoption_kit.privacy.release`
applies them. A run's tables are additive across departments for their count columns (each person belongs
to exactly one department, so the organisation row is the sum of the department rows for the same tool and
period), and ``volume.events`` is also additive across tools (tool ``any`` is the sum of the tools). Each such
sum is a *line*: a total cell and its member cells. A line with exactly one hidden member, or whose hidden
members add up to fewer than ``min_group_size``, would give a hidden value away by subtraction, so the
smallest visible member is hidden too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

PEOPLE = "people"
ORGANISATION = "ALL"
ANY_TOOL = "any"
PRIMARY = "primary"
COMPLEMENTARY = "complementary"
EXTREME_RATE = "extreme_rate"
ROW_REASONS = (PRIMARY, COMPLEMENTARY)

ADDITIVE = {
    "headcount": ("people",),
    "activation": ("seat_holders", "activated"),
    "weekly_active": ("wau",),
    "monthly_active": ("mau",),
    "volume": ("active_users", "events"),
}
ACROSS_TOOLS = {("volume", "events")}  # every event belongs to one tool: tool "any" is their sum
PERIOD_COLUMNS = ("week", "month")
# An extreme rate hides the rate and the count that reveals it; the row (and its headcount) stays.
EXTREME_RATES = {"activation": ("activation_rate", "activated", "seat_holders")}  # rate, count, out of
UPPER_BOUNDS = {("activation", "activated"): "seat_holders"}  # activated never exceeds seat holders


@dataclass(frozen=True)
class Line:
    """A published sum: ``total`` (a row position, or None when no total row exists) = sum of ``members``."""

    total: int | None
    members: np.ndarray


def hidden_cells(table: pd.DataFrame, reasons: pd.Series, name: str, column: str) -> np.ndarray:
    """True for each row whose ``column`` is not published under ``reasons``."""
    hidden = reasons.isin(ROW_REASONS).to_numpy().copy()
    if name in EXTREME_RATES and column in EXTREME_RATES[name][:2]:
        hidden = hidden | (reasons == EXTREME_RATE).to_numpy()
    return hidden


def primary(table: pd.DataFrame, *, name: str, min_group_size: int) -> pd.Series:
    """A reason per row: ``primary`` where it rests on fewer than ``min_group_size`` people, ``extreme_rate``
    where a rate of exactly 0 or 1 would tell every member's status, else empty."""
    people = table[PEOPLE]
    hide = people.isna() | (people < min_group_size)
    if name == "activation" and "activated" in table.columns:  # usage rests on the activated people
        activated = table["activated"]
        hide = hide | ((activated > 0) & (activated < min_group_size))
    reasons = pd.Series(np.where(hide.fillna(True).to_numpy(dtype=bool), PRIMARY, ""), index=table.index)
    if name in EXTREME_RATES and EXTREME_RATES[name][0] in table.columns:
        _, count, out_of = EXTREME_RATES[name]
        extreme = (table[count] == 0) | (table[count] == table[out_of])
        reasons = reasons.mask((reasons == "") & extreme.fillna(False).to_numpy(dtype=bool), EXTREME_RATE)
    return reasons


def plan(tables: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], list[Line]]:
    """The lines of every additive column of every table, by (table, column)."""
    return {
        (name, column): lines(table, name=name, column=column)
        for name, table in tables.items()
        for column in additive_columns(name, table)
    }


def lines(table: pd.DataFrame, *, name: str, column: str) -> list[Line]:
    """Every sum the published ``column`` of ``table`` satisfies (organisation = departments; tools)."""
    frame = _frame(table)
    is_organisation = (frame["group"] == ORGANISATION).to_numpy()
    is_any = (frame["tool"] == ANY_TOOL).to_numpy()
    found = []
    for grouping in frame.loc[~is_organisation, "group_by"].unique():  # each grouping adds up on its own
        sliced = is_organisation | (frame["group_by"] == grouping).to_numpy()
        found += _split(frame.loc[sliced], ["tool", "period"], is_organisation)
    if (name, column) in ACROSS_TOOLS:
        found += _split(frame, ["group_by", "group", "period"], is_any)
    return found


def _split(frame: pd.DataFrame, by: list[str], is_total: np.ndarray) -> list[Line]:
    """One line per group of ``by``: its total row (if any) and its other rows, in key order."""
    found = []
    row_of = frame["row"].to_numpy()
    for positions in frame.groupby(by, sort=False).indices.values():
        rows = row_of[positions]
        members = rows[~is_total[rows]]
        if len(members):
            totals = rows[is_total[rows]]
            found.append(Line(int(totals[0]) if len(totals) else None, members))
    return found


def complementary(
    tables: Mapping[str, pd.DataFrame],
    reasons: dict[str, pd.Series],
    *,
    min_group_size: int,
    found_lines: Mapping[tuple[str, str], list[Line]] | None = None,
) -> dict[str, pd.Series]:
    """Add ``complementary`` row suppressions until no line gives a hidden cell away by subtraction."""
    reasons = {name: r.copy() for name, r in reasons.items()}
    found_lines = plan(tables) if found_lines is None else found_lines
    for name, table in tables.items():
        plans = [(column, found_lines[(name, column)]) for column in additive_columns(name, table)]
        changed = True
        while changed:
            changed = False
            for column, found in plans:
                values = table[column].to_numpy(dtype=float, na_value=np.nan)
                hidden = hidden_cells(table, reasons[name], name, column)
                for line in found:
                    pick = _unsafe_pick(line, hidden, values, min_group_size)
                    if pick is not None:
                        reasons[name].iloc[pick] = COMPLEMENTARY
                        hidden[pick] = True
                        changed = True
    return reasons


def widen(
    table: pd.DataFrame, reasons: pd.Series, found: Sequence[Line], *, name: str, column: str, row: int
) -> bool:
    """Hide one more cell in a line through ``row`` (the smallest visible member, else the total)."""
    values = table[column].to_numpy(dtype=float, na_value=np.nan)
    hidden = hidden_cells(table, reasons, name, column)
    for line in found:
        if row not in line.members and row != line.total:
            continue
        pick = _smallest_visible(line, hidden, values)
        if pick is not None:
            reasons.iloc[pick] = COMPLEMENTARY
            return True
    return False


def _unsafe_pick(line: Line, hidden: np.ndarray, values: np.ndarray, min_group_size: int) -> int | None:
    if line.total is None or hidden[line.total]:
        return None
    members = line.members[hidden[line.members]]
    if len(members) == 0:
        return None
    if len(members) >= 2 and np.nansum(values[members]) >= min_group_size:
        return None
    return _smallest_visible(line, hidden, values)


def _smallest_visible(line: Line, hidden: np.ndarray, values: np.ndarray) -> int | None:
    visible = line.members[~hidden[line.members]]
    if len(visible):
        return int(visible[np.argmin(values[visible])])  # members are in key order: ties go to the first
    if line.total is not None and not hidden[line.total]:
        return line.total
    return None


def additive_columns(name: str, table: pd.DataFrame) -> Sequence[str]:
    return [column for column in ADDITIVE.get(name, ()) if column in table.columns]


def _frame(table: pd.DataFrame) -> pd.DataFrame:
    """Keys of ``table`` in one shape: group_by, group, tool, period, and the row position."""
    period = pd.Series("", index=table.index, dtype="str")
    for column in PERIOD_COLUMNS:
        if column in table.columns:
            period = table[column].astype("str")
    return pd.DataFrame(
        {
            "group_by": table["group_by"].astype("str") if "group_by" in table.columns else "",
            "group": table["group"].astype("str"),
            "tool": table["tool"].astype("str") if "tool" in table.columns else ANY_TOOL,
            "period": period.to_numpy(),
            "row": np.arange(len(table)),
        }
    )
