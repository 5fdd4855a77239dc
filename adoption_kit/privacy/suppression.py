"""Deciding what the release gate hides: primary, cell-level and complementary suppressions.

Only decisions live here (a reason per row, never a changed value); :mod:`adoption_kit.privacy.release`
applies them. A run's tables are additive over its hierarchy of groups for their count columns: each
person belongs to one department, team and location, so the organisation is the sum of its departments
(and of its locations), a department the sum of its teams (and of its department x location cells), a
location the sum of its department x location cells, for the same tool and period. Each such sum is a
*line*: a total cell and its member cells. A line with exactly one hidden member, or whose hidden members
add up to fewer than ``min_group_size``, would give a hidden value away by subtraction, so the smallest
visible member is hidden too.

Reasons for hiding a whole row: ``primary`` (fewer than ``min_group_size`` people behind it),
``turnover`` (the week's or month's active people differ from the previous period's only by a few joiners
or leavers, so the change would be theirs), ``revision`` (an earlier run published this cell with a value
that differs by fewer than ``min_group_size``: the difference would be a few people) and ``complementary``.
Reasons for hiding some cells of a row: ``extreme_rate`` (a rate of exactly 0% or 100% tells every member's
status) and ``dominance`` (one or two people make most of a total, the (n,k) rule).
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
TURNOVER = "turnover"
REVISION = "revision"
EXTREME_RATE = "extreme_rate"
DOMINANCE = "dominance"
ROW_REASONS = (PRIMARY, TURNOVER, REVISION, COMPLEMENTARY)
# The hierarchy's attribute columns, when a table has them.
ATTRIBUTES = ("department", "team", "location", "job_function")

ADDITIVE = {
    "headcount": ("people",),
    "activation": ("seat_holders", "activated"),
    "weekly_active": ("wau", "events"),
    "monthly_active": ("mau",),
    "stages": ("people",),
}
PERIOD_COLUMNS = ("week", "month", "stage")  # sums never mix periods (or funnel stages)
# Cell-level reasons hide these columns of a row; the row (and the people it rests on) stays.
EXTREME_RATES = {"activation": ("activation_rate", "activated", "seat_holders")}  # rate, count, out of
MAGNITUDES = {
    "weekly_active": ("events", "events_per_user_mean", "events_per_user_median", "events_per_user_p90")
}
CELL_MASKS = {
    (EXTREME_RATE, "activation"): EXTREME_RATES["activation"][:2],
    (DOMINANCE, "weekly_active"): MAGNITUDES["weekly_active"],
}
UPPER_BOUNDS = {("activation", "activated"): "seat_holders"}  # activated never exceeds seat holders
# Inputs the gate reads to decide; they are person-derived and never published.
TOP_SHARE = "top_share"
ISOLATES_TURNOVER = "isolates_turnover"
GATE_INPUTS = (TOP_SHARE, ISOLATES_TURNOVER)
PRIOR, PUBLIC = "prior:", "public:"  # the gate's own columns for what earlier runs published


@dataclass(frozen=True)
class Dominance:
    """The (n,k) rule: a total is dominated when its ``contributors`` largest make more than ``share``."""

    contributors: int = 2
    share: float = 0.85

    def __post_init__(self) -> None:
        whole = isinstance(self.contributors, int) and self.contributors >= 1
        fraction = isinstance(self.share, int | float) and 0 < self.share <= 1
        if not (whole and fraction):
            raise ValueError(
                f"contributors {self.contributors!r}, share {self.share!r}: contributors must be a whole "
                "number of at least 1 and share a fraction in (0, 1]"
            )


@dataclass(frozen=True)
class Line:
    """A published sum: ``total`` (a row position, or None when no total row exists) = sum of ``members``."""

    total: int | None
    members: np.ndarray


def hidden_cells(table: pd.DataFrame, reasons: pd.Series, name: str, column: str) -> np.ndarray:
    """True for each row whose ``column`` an attacker does not know under ``reasons``: not published in
    this run, and not published with the same value by an earlier run (a ``public:`` column, see
    :func:`with_prior`)."""
    hidden = reasons.isin(ROW_REASONS).to_numpy().copy()
    for (reason, table_name), columns in CELL_MASKS.items():
        if table_name == name and column in columns:
            hidden |= (reasons == reason).to_numpy()
    if f"{PUBLIC}{column}" in table.columns:
        hidden &= ~table[f"{PUBLIC}{column}"].to_numpy(dtype=bool)
    return hidden


def with_prior(
    table: pd.DataFrame, prior: pd.DataFrame | None, *, name: str, keys: Sequence[str]
) -> pd.DataFrame:
    """``table`` with, per additive column, what earlier runs published for the same cell: ``prior:<col>``
    (the value, or empty) and ``public:<col>`` (True where that value equals today's, so hiding it today
    hides nothing)."""
    columns = additive_columns(name, table)
    if prior is None or prior.empty or not columns:
        return table
    earlier = prior.drop_duplicates(list(keys), keep="last").set_index(list(keys))
    index = pd.MultiIndex.from_frame(table[list(keys)].astype("str"))
    earlier.index = pd.MultiIndex.from_frame(earlier.index.to_frame().astype("str"))
    extra = {}
    for column in columns:
        before = (
            earlier[column].reindex(index).to_numpy(dtype=float, na_value=np.nan)
            if column in earlier.columns
            else np.full(len(table), np.nan)
        )
        now = table[column].to_numpy(dtype=float, na_value=np.nan)
        extra[f"{PRIOR}{column}"] = before
        extra[f"{PUBLIC}{column}"] = before == now
    return table.assign(**extra)


def revisions(table: pd.DataFrame, *, name: str, min_group_size: int) -> pd.Series:
    """True for rows where an earlier run published a count that today's differs from by 1..k-1 people."""
    small = pd.Series(False, index=table.index)
    for column in additive_columns(name, table):
        if f"{PRIOR}{column}" in table.columns and column not in MAGNITUDES.get(name, ()):
            change = (table[column].astype(float) - table[f"{PRIOR}{column}"]).abs()
            small |= ((change > 0) & (change < min_group_size)).fillna(False)
    return small


def primary(
    table: pd.DataFrame, *, name: str, min_group_size: int, dominance: Dominance | None = None
) -> pd.Series:
    """A reason per row before complementary suppression (see the module's docstring), else empty."""
    people = table[PEOPLE]
    hide = people.isna() | (people < min_group_size)
    if name == "activation" and "activated" in table.columns:  # usage rests on the activated people
        activated = table["activated"]
        hide = hide | ((activated > 0) & (activated < min_group_size))
    reasons = pd.Series(np.where(hide.fillna(True).to_numpy(dtype=bool), PRIMARY, ""), index=table.index)
    if ISOLATES_TURNOVER in table.columns:
        reasons = _add(reasons, table[ISOLATES_TURNOVER], TURNOVER)
    reasons = _add(reasons, revisions(table, name=name, min_group_size=min_group_size), REVISION)
    if name in EXTREME_RATES and EXTREME_RATES[name][0] in table.columns:
        _, count, out_of = EXTREME_RATES[name]
        reasons = _add(reasons, (table[count] == 0) | (table[count] == table[out_of]), EXTREME_RATE)
    if TOP_SHARE in table.columns:
        limit = (dominance or Dominance()).share
        reasons = _add(reasons, table[TOP_SHARE] > limit, DOMINANCE)
    return reasons


def _add(reasons: pd.Series, where: pd.Series, reason: str) -> pd.Series:
    """``reason`` for the rows ``where`` holds that have no reason yet."""
    return reasons.mask((reasons == "") & where.fillna(False).to_numpy(dtype=bool), reason)


def plan(tables: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], list[Line]]:
    """The lines of every additive column of every table, by (table, column)."""
    return {
        (name, column): lines(table, name=name, column=column)
        for name, table in tables.items()
        for column in additive_columns(name, table)
    }


def lines(table: pd.DataFrame, *, name: str, column: str) -> list[Line]:
    """Every sum the published ``column`` of ``table`` satisfies: each group is the sum of the groups one
    attribute finer, for the same tool and period. (No column is published as a sum over tools: tool
    ``any`` counts people once whatever they used, and has no events total.)"""
    frame = _frame(table).loc[table[column].notna().to_numpy()]  # an empty cell is no published number
    attributes = [c for c in frame.columns if c.startswith("attr:")]
    finer = frame["level"].to_numpy()
    level_of_row = np.full(len(table), -1)  # _split looks totals up by row position
    level_of_row[frame["row"].to_numpy()] = finer
    found = []
    for level in np.unique(finer):
        level_attributes = [a for i, a in enumerate(attributes) if level & (1 << i)]
        for dropped in level_attributes:
            parent_level = level & ~(1 << attributes.index(dropped))
            parent_attributes = [a for a in level_attributes if a != dropped]
            if not (finer == parent_level).any():
                continue  # e.g. teams alone are not published: only teams within departments
            involved = (finer == level) | (finer == parent_level)
            found += _split(
                frame.loc[involved], [*parent_attributes, "tool", "period"], level_of_row == parent_level
            )
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
    """Hide one more cell next to ``row``: the smallest visible member of any line through it (finer cells
    and siblings before totals, so a repair never climbs the hierarchy while a small cell can do), else
    the smallest visible total."""
    values = table[column].to_numpy(dtype=float, na_value=np.nan)
    hidden = hidden_cells(table, reasons, name, column)
    through = [line for line in found if row == line.total or row in line.members]
    members = np.unique(np.concatenate([line.members for line in through] or [np.array([], dtype=int)]))
    candidates = members[~hidden[members]]
    if not len(candidates):
        totals = np.array([line.total for line in through if line.total is not None], dtype=int)
        candidates = totals[~hidden[totals]]
    if not len(candidates):
        return False
    pick = int(candidates[np.lexsort((candidates, values[candidates]))[0]])  # smallest, then first
    reasons.iloc[pick] = COMPLEMENTARY
    return True


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
    """Keys of ``table`` in one shape: an ``attr:`` column per hierarchy attribute, the row's ``level`` (a
    bit per attribute it is split by; 0 is the organisation), tool, period, and the row position.

    Without attribute columns, ``group`` is the one attribute (the organisation row is ``ALL``)."""
    attributes = [c for c in ATTRIBUTES if c in table.columns]
    if attributes:
        values = {f"attr:{c}": table[c].fillna("").astype("str").to_numpy() for c in attributes}
    else:
        group = table["group"].astype("str")
        values = {"attr:group": group.where(group != ORGANISATION, "").to_numpy()}
    level = np.zeros(len(table), dtype=int)
    for i, column in enumerate(values.values()):
        level |= (column != "").astype(int) << i
    period = pd.Series("", index=table.index, dtype="str")
    for column in PERIOD_COLUMNS:
        if column in table.columns:
            period = period + "|" + table[column].astype("str")
    return pd.DataFrame(
        {
            **values,
            "level": level,
            "tool": table["tool"].astype("str").to_numpy() if "tool" in table.columns else ANY_TOOL,
            "period": period.to_numpy(),
            "row": np.arange(len(table)),
        }
    )
