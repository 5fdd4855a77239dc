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
``everyone`` (the row counts every one of the people who could have done something: all seat holders
active, all active people power users),
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
EVERYONE = "everyone"
ROW_REASONS = (PRIMARY, EVERYONE, TURNOVER, REVISION, COMPLEMENTARY)
# The hierarchy's attribute columns, when a table has them.
ATTRIBUTES = ("department", "team", "location", "job_function", "level", "tenure_band")

ADDITIVE = {
    "headcount": ("people",),
    "activation": ("seat_holders", "activated"),
    "seat_use": ("people",),
    "weekly_active": ("wau", "events", "throttled"),
    "monthly_active": ("mau", "seat_cost", "usage_cost"),
    "power_users": ("power_users",),
    "tool_overlaps": ("people",),
    "tool_moves": ("people",),
    "stages": ("people",),
    "hourly_profile": ("people", "events"),
    "weekday_profile": ("people", "events"),
    "use_cases": ("people", "events"),
}
# Sums never mix periods (nor funnel stages, seat statuses, hours, weekdays, use cases).
PERIOD_COLUMNS = ("week", "month", "stage", "status", "hour", "weekday", "category")
# Counts of people that must be 0 or at least min_group_size, else the row is hidden (``primary``).
FLOORED = {"activation": ("activated",)}
# Counts of people behind a row that are not published but follow from it and another table: the row is
# hidden when one is under min_group_size, 0 included (people of one tool who did not use the other).
UNDERLYING = {"tool_overlaps": ("only_a", "only_b")}
# Where a table's rows for one group and period split a total row: monthly people by how many tools they
# used are the parts of tool ``any`` (the rows whose tool starts with the prefix).
PARTITIONS = {"monthly_active": (ANY_TOOL, "tools_used:")}
# Inputs the gate reads to decide; they are person-derived and never published.
TOP_SHARE = "top_share"
TOP_USAGE_SHARE = "top_usage_share"
ISOLATES_TURNOVER = "isolates_turnover"
ACTIVE_PEOPLE = "active_people"
SEAT_HOLDERS = "seat_holders_behind"
# A table whose one count is of the people who did something, out of a gate input counting everyone who
# could have: a count equal to everyone tells each one's status (a rate of 100%), so the row goes.
OUT_OF = {"seat_use": SEAT_HOLDERS, "power_users": ACTIVE_PEOPLE}


@dataclass(frozen=True)
class ExtremeRate:
    """A rate of exactly 0% or 100% tells each member's status: hide the rate and its count (the row and
    the people it rests on stay). ``out_of`` may be a gate input the table does not publish."""

    table: str
    rate: str
    count: str
    out_of: str
    reason: str = EXTREME_RATE

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for c in (self.rate, self.count) if c)

    def applies(self, table: pd.DataFrame, dominance: Dominance) -> pd.Series:
        return (table[self.count] == 0) | (table[self.count] == table[self.out_of])


@dataclass(frozen=True)
class Dominated:
    """The (n,k) rule: a total whose largest contributors make most of it is hidden with every figure
    derived from it; ``top_share`` (a gate input) is the share of those contributors."""

    table: str
    columns: tuple[str, ...]
    top_share: str = TOP_SHARE
    reason: str = DOMINANCE

    def applies(self, table: pd.DataFrame, dominance: Dominance) -> pd.Series:
        return table[self.top_share] > dominance.share


MAGNITUDE_COLUMNS = ("events", "events_per_user_mean", "events_per_user_median", "events_per_user_p90")
CELL_RULES = (
    ExtremeRate("activation", "activation_rate", "activated", "seat_holders"),
    Dominated("weekly_active", (*MAGNITUDE_COLUMNS, "throttled")),
    Dominated("monthly_active", ("usage_cost", "cost_per_active_user"), TOP_USAGE_SHARE),
    Dominated("benchmarks", ("observed",)),
    Dominated("hourly_profile", ("events",)),
    Dominated("weekday_profile", ("events",)),
    Dominated("peak_headroom", ("peak_events", "percentile_events", "peak_to_percentile")),
    Dominated("use_cases", ("events",)),
)
# Totals of use and money (not counts of people): an earlier run's value may move by any amount.
MAGNITUDES = {rule.table: rule.columns for rule in CELL_RULES if isinstance(rule, Dominated)}
GATE_INPUTS = (
    TOP_SHARE,
    TOP_USAGE_SHARE,
    ISOLATES_TURNOVER,
    ACTIVE_PEOPLE,
    SEAT_HOLDERS,
    *UNDERLYING["tool_overlaps"],
)
UPPER_BOUNDS = {("activation", "activated"): "seat_holders"}  # activated never exceeds seat holders
PRIOR, PUBLIC = "prior:", "public:"  # the gate's own columns for what earlier runs published
REASON_SEPARATOR = "+"  # a row hidden in part for two cell-level reasons lists both


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
    for rule in CELL_RULES:
        if rule.table == name and column in rule.columns:
            hidden |= has_reason(reasons, rule.reason) & _masks(rule, table)
    if f"{PUBLIC}{column}" in table.columns:
        hidden &= ~table[f"{PUBLIC}{column}"].to_numpy(dtype=bool)
    return hidden


def has_reason(reasons: pd.Series, reason: str) -> np.ndarray:
    """True where ``reason`` is among a row's reasons."""
    labels = [label for label in reasons.unique() if reason in str(label).split(REASON_SEPARATOR)]
    return reasons.isin(labels).to_numpy(dtype=bool)


def _masks(rule: ExtremeRate | Dominated, table: pd.DataFrame) -> np.ndarray:
    """Rows a cell rule hides, given that its reason was recorded for them: a table has at most one
    dominance rule (its reason says it all), an extreme rate is told by the row's own numbers."""
    if isinstance(rule, Dominated):
        return np.ones(len(table), dtype=bool)
    return rule.applies(table, Dominance()).fillna(False).to_numpy(dtype=bool)


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
    for count in [c for c in FLOORED.get(name, ()) if c in table.columns]:  # a few people doing something
        hide = hide | ((table[count] > 0) & (table[count] < min_group_size))
    for count in [c for c in UNDERLYING.get(name, ()) if c in table.columns]:
        hide = hide | (table[count] < min_group_size)
    reasons = pd.Series(np.where(hide.fillna(True).to_numpy(dtype=bool), PRIMARY, ""), index=table.index)
    if OUT_OF.get(name) in table.columns:
        reasons = _add(reasons, table[PEOPLE] == table[OUT_OF[name]], EVERYONE)
    if ISOLATES_TURNOVER in table.columns:
        reasons = _add(reasons, table[ISOLATES_TURNOVER], TURNOVER)
    reasons = _add(reasons, revisions(table, name=name, min_group_size=min_group_size), REVISION)
    for rule in CELL_RULES:
        needed = [*rule.columns, getattr(rule, "out_of", ""), getattr(rule, "top_share", "")]
        if rule.table == name and set(filter(None, needed)) <= set(table.columns):
            reasons = _add_cell(reasons, rule.applies(table, dominance or Dominance()), rule.reason)
    return reasons


def _add(reasons: pd.Series, where: pd.Series, reason: str) -> pd.Series:
    """``reason`` for the rows ``where`` holds that have no reason yet."""
    return reasons.mask((reasons == "") & where.fillna(False).to_numpy(dtype=bool), reason)


def _add_cell(reasons: pd.Series, where: pd.Series, reason: str) -> pd.Series:
    """A cell-level ``reason`` for the rows ``where`` holds that are not hidden whole."""
    where = where.fillna(False).to_numpy(dtype=bool) & ~reasons.isin(ROW_REASONS).to_numpy()
    joined = reasons.where(reasons == "", reasons + REASON_SEPARATOR) + reason
    return reasons.mask(where & ~has_reason(reasons, reason), joined)


def plan(tables: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], list[Line]]:
    """The lines of every additive column of every table, by (table, column)."""
    return {
        (name, column): lines(table, name=name, column=column)
        for name, table in tables.items()
        for column in additive_columns(name, table)
    }


def lines(table: pd.DataFrame, *, name: str, column: str) -> list[Line]:
    """Every sum the published ``column`` of ``table`` satisfies: each group is the sum of the groups one
    attribute finer, for the same tool and period; and a total row is the sum of its parts (see
    ``PARTITIONS``). (No column is published as a sum over tools: tool ``any`` counts people once whatever
    they used, and has no events total.)"""
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
    if name in PARTITIONS:
        total, prefix = PARTITIONS[name]
        tools = frame["tool"].astype("str")
        parts = frame.loc[(tools == total) | tools.str.startswith(prefix)]
        is_total = np.zeros(len(table), dtype=bool)
        is_total[frame.loc[tools == total, "row"].to_numpy()] = True
        found += _split(parts, [*attributes, "period"], is_total)
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
