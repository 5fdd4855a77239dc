"""The release gate: the only way a table reaches a report or a dashboard.

Deciding what to hide and hiding it are separate steps. :mod:`adoption_kit.privacy.suppression` decides:
rows resting on fewer than ``min_group_size`` people (``primary``), rates of exactly 0% or 100% that would
tell every member's status (``extreme_rate``), and, over every table of a run together, the extra rows that
stop a hidden value being recovered by subtraction (``complementary``). :mod:`adoption_kit.privacy.lp_audit`
then bounds every hidden cell as an attacker would and the gate refuses the run if any bound is tighter than
``min_group_size``. :func:`release_run` (and :func:`release` for one table) apply the decision and return
each table with its suppression record, which never holds a hidden value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

import pandas as pd

from adoption_kit.config import SMALLEST_ALLOWED_GROUP
from adoption_kit.errors import ReleaseError
from adoption_kit.privacy import lp_audit, suppression
from adoption_kit.privacy.suppression import GATE_INPUTS, PEOPLE, ROW_REASONS, Dominance, hidden_cells

SUPPRESSED = "suppressed"
MAX_REPAIRS = 200
DEFAULT_DOMINANCE = Dominance()


@dataclass(frozen=True)
class Released:
    """A table that passed the gate, and the record of what the gate hid in it."""

    name: str
    table: pd.DataFrame
    suppressions: pd.DataFrame


def primary_suppressions(table: pd.DataFrame, *, min_group_size: int) -> pd.Series:
    """True for each row resting on fewer than ``min_group_size`` people (or on an unknown number)."""
    people = table[PEOPLE]
    return (people.isna() | (people < min_group_size)).astype(bool)


def release(
    table: pd.DataFrame,
    *,
    name: str,
    keys: Sequence[str],
    min_group_size: int,
) -> Released:
    """Gate one ``table`` on its own (see :func:`release_run` for a run's tables together)."""
    (released,) = release_run({name: table}, keys={name: keys}, min_group_size=min_group_size)
    return released


def release_run(
    tables: Mapping[str, pd.DataFrame],
    *,
    keys: Mapping[str, Sequence[str]],
    min_group_size: int,
    dominance: Dominance = DEFAULT_DOMINANCE,
    prior: Mapping[str, pd.DataFrame] | None = None,
) -> list[Released]:
    """Gate every table of a run together: decide, prove, then blank what was decided.

    Each table must have a ``people`` column counting the distinct people behind each row's numbers; it
    may carry the gate's inputs ``top_share`` (for the (n,k) ``dominance`` rule) and ``isolates_turnover``,
    which are never published. ``prior`` holds what earlier runs published per table (the release ledger):
    a cell they showed is known to the attacker, and a count that moved by fewer than ``min_group_size``
    since is withheld. A hidden row loses every value column; a cell-level reason loses its cells only.
    Each returned table gains a boolean ``suppressed`` column (the row is hidden); each record lists the
    hidden rows and cells by their keys and reason. Raises :class:`ReleaseError` naming the table and cell
    when an attacker could still pin a hidden cell to an interval narrower than ``min_group_size``.
    """
    _check(tables, min_group_size)
    known = {
        name: suppression.with_prior(
            table.reset_index(drop=True), (prior or {}).get(name), name=name, keys=keys[name]
        )
        for name, table in tables.items()
    }
    reasons = decide(known, min_group_size=min_group_size, dominance=dominance)
    return [_apply(table, reasons[name], name=name, keys=keys[name]) for name, table in tables.items()]


def decide(
    tables: Mapping[str, pd.DataFrame], *, min_group_size: int, dominance: Dominance = DEFAULT_DOMINANCE
) -> dict[str, pd.Series]:
    """A reason per row of every table (empty: published), proven safe by the LP attacker."""
    tables = {name: table.reset_index(drop=True) for name, table in tables.items()}
    reasons = {
        name: suppression.primary(table, name=name, min_group_size=min_group_size, dominance=dominance)
        for name, table in tables.items()
    }
    found_lines = suppression.plan(tables)
    changed = list(tables)  # after the first audit, only tables a repair touched need a new one
    memo: dict = {}  # and only the systems in them that changed
    for _ in range(MAX_REPAIRS):
        reasons = suppression.complementary(
            tables, reasons, min_group_size=min_group_size, found_lines=found_lines
        )
        audited = {name: tables[name] for name in changed}
        leaks = lp_audit.leaks(audited, reasons, found_lines, memo, min_group_size=min_group_size)
        if not leaks:
            return reasons
        before = {name: reasons[name].copy() for name in tables}
        if not any([_widen(tables, reasons, found_lines, leak) for leak in leaks]):
            break
        changed = [name for name in tables if not reasons[name].equals(before[name])]
    _refuse(tables, leaks)


def audit(
    tables: Mapping[str, pd.DataFrame], reasons: Mapping[str, pd.Series], *, min_group_size: int
) -> None:
    """Refuse (raise :class:`ReleaseError`) if an attacker can narrow any hidden cell below the minimum."""
    leaks = lp_audit.leaks(tables, reasons, min_group_size=min_group_size)
    if leaks:
        _refuse(tables, leaks)


def _widen(
    tables: Mapping[str, pd.DataFrame],
    reasons: dict[str, pd.Series],
    found_lines: Mapping[tuple[str, str], list],
    leak: lp_audit.Interval,
) -> bool:
    found = found_lines[(leak.table, leak.column)]
    return suppression.widen(
        tables[leak.table], reasons[leak.table], found, name=leak.table, column=leak.column, row=leak.row
    )


def _refuse(tables: Mapping[str, pd.DataFrame], leaks: list[lp_audit.Interval]) -> NoReturn:
    leak = leaks[0]
    row = tables[leak.table].reset_index(drop=True).iloc[leak.row]
    where = ", ".join(f"{k}={row[k]}" for k in ("group", "tool", "week", "month") if k in row.index)
    raise ReleaseError(
        f"table {leak.table!r}: the hidden {leak.column} of {where} can be narrowed to an interval "
        f"{leak.width:g} wide from what the run publishes ({len(leaks)} such cells)",
        column=leak.column,
        expected="every hidden cell at least min_group_size wide",
    )


def _check(tables: Mapping[str, pd.DataFrame], min_group_size: int) -> None:
    if min_group_size < SMALLEST_ALLOWED_GROUP:
        raise ReleaseError(
            f"min_group_size {min_group_size} is too small", expected=f"at least {SMALLEST_ALLOWED_GROUP}"
        )
    for name, table in tables.items():
        if PEOPLE not in table.columns:
            raise ReleaseError(
                f"table {name!r} does not say how many people each row rests on", column=PEOPLE
            )


def _apply(table: pd.DataFrame, reasons: pd.Series, *, name: str, keys: Sequence[str]) -> Released:
    table = table.reset_index(drop=True)
    reasons = reasons.reset_index(drop=True)
    gated = table.drop(columns=[c for c in GATE_INPUTS if c in table.columns])
    hidden = {c: hidden_cells(table, reasons, name, c) for c in gated.columns if c not in keys}
    for column, cells in hidden.items():  # decided on the table as computed, then blanked
        gated[column] = gated[column].astype(_nullable(gated[column].dtype)).mask(cells)
    gated[SUPPRESSED] = reasons.isin(ROW_REASONS).to_numpy()
    shown = reasons != ""
    record = gated.loc[shown, list(keys)].astype("str").assign(table=name, reason=reasons[shown].to_numpy())
    return Released(name, gated, record)


def _nullable(dtype: object) -> object:
    """A dtype that can hold a missing value without turning counts into floats."""
    if pd.api.types.is_integer_dtype(dtype):
        return "Int64"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    return dtype
