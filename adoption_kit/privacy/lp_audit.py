"""The gate proves its own work: an attacker bounds every hidden additive cell from what a run publishes.

For each table, additive column and period, the attacker knows every published cell, that counts are never
negative (and that ``activated`` never exceeds the published ``seat_holders``), and every sum of
:func:`adoption_kit.privacy.suppression.lines`. Linear programming (HiGHS) gives the tightest
``[low, high]`` each hidden cell can take; an interval narrower than ``min_group_size`` is a leak.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from adoption_kit.errors import ReleaseError
from adoption_kit.privacy.suppression import (
    PRIOR,
    REVISION,
    UPPER_BOUNDS,
    Line,
    additive_columns,
    hidden_cells,
    plan,
)

PROBES = 4  # rounds of all-at-once LPs before solving cell by cell


@dataclass(frozen=True)
class Interval:
    """What an attacker can learn about one hidden cell: it lies in ``[low, high]``."""

    table: str
    column: str
    row: int
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


def intervals(
    tables: Mapping[str, pd.DataFrame],
    reasons: Mapping[str, pd.Series],
    found_lines: Mapping[tuple[str, str], list[Line]] | None = None,
    memo: dict | None = None,
    *,
    enough: float | None = None,
    min_group_size: int = 0,
) -> list[Interval]:
    """The tightest interval of every hidden additive cell, given everything else the run publishes.

    ``memo`` keeps solved systems, so a repeated audit only solves the systems a repair changed. With
    ``enough``, a cell proven at least that wide may be reported with a narrower (still safe) interval.
    ``min_group_size`` tells how close a withheld revision is known to lie to its earlier value."""
    memo = {} if memo is None else memo
    found_lines = plan(tables) if found_lines is None else found_lines
    found: list[Interval] = []
    for name, table in tables.items():
        for column in additive_columns(name, table):
            lines_here = found_lines[(name, column)]
            found += _column_intervals(
                table,
                reasons[name],
                lines_here,
                memo,
                name=name,
                column=column,
                enough=enough,
                min_group_size=min_group_size,
            )
    return found


def leaks(
    tables: Mapping[str, pd.DataFrame],
    reasons: Mapping[str, pd.Series],
    found_lines: Mapping[tuple[str, str], list[Line]] | None = None,
    memo: dict | None = None,
    *,
    min_group_size: int,
) -> list[Interval]:
    """Hidden cells an attacker can pin to an interval narrower than ``min_group_size``."""
    found = intervals(
        tables, reasons, found_lines, memo, enough=min_group_size, min_group_size=min_group_size
    )
    return [i for i in found if i.width < min_group_size - 1e-6]


def _column_intervals(
    table: pd.DataFrame,
    reasons: pd.Series,
    found: list[Line],
    memo: dict,
    *,
    name: str,
    column: str,
    enough: float | None,
    min_group_size: int,
) -> list[Interval]:
    hidden = hidden_cells(table, reasons, name, column)
    if not hidden.any():
        return []
    values = table[column].to_numpy(dtype=float, na_value=np.nan)
    upper = np.full(len(table), np.inf)
    if (name, column) in UPPER_BOUNDS:
        bound = UPPER_BOUNDS[(name, column)]
        known = ~hidden_cells(table, reasons, name, bound)
        upper[known] = table[bound].to_numpy(dtype=float, na_value=np.nan)[known]
    lower = np.zeros(len(table))
    if f"{PRIOR}{column}" in table.columns:  # a revision is withheld because it moved by under the minimum
        before = table[f"{PRIOR}{column}"].to_numpy(dtype=float)
        revised = (reasons == REVISION).to_numpy() & ~np.isnan(before)
        margin = max(min_group_size - 1, 0)
        lower[revised] = np.maximum(0.0, before[revised] - margin)
        upper[revised] = np.minimum(upper[revised], before[revised] + margin)
    equations = []  # (coefficients by row, right-hand side) over hidden rows only
    for line in found:
        if line.total is None:
            continue
        cells = np.append(line.members, line.total)
        if not hidden[cells].any():
            continue
        signs = np.append(np.ones(len(line.members)), -1.0)
        known = ~hidden[cells]
        rhs = -float(np.dot(signs[known], values[cells][known]))
        equations.append(({int(c): s for c, s in zip(cells[~known], signs[~known], strict=True)}, rhs))
    result = []
    for component in _components(np.flatnonzero(hidden), equations):
        rows, eqs = component
        position = {row: i for i, row in enumerate(rows)}
        a_eq = np.zeros((len(eqs), len(rows)))
        b_eq = np.zeros(len(eqs))
        for k, (coefficients, rhs) in enumerate(eqs):
            for row, sign in coefficients.items():
                a_eq[k, position[row]] = sign
            b_eq[k] = rhs
        bounds = [(float(lower[row]), float(upper[row]) if np.isfinite(upper[row]) else None) for row in rows]
        key = (name, column, enough, tuple(rows), a_eq.tobytes(), b_eq.tobytes(), tuple(bounds))
        if key not in memo:
            memo[key] = _system(a_eq, b_eq, bounds, values[rows], enough)
        for row, (low, high) in zip(rows, memo[key], strict=True):
            result.append(Interval(name, column, int(row), low, high))
    return result


def _system(
    a_eq: np.ndarray, b_eq: np.ndarray, bounds: list, truth: np.ndarray, enough: float | None
) -> list[tuple[float, float]]:
    """The interval of each variable of one system; with ``enough``, stop at a width proven that wide.

    Every solution an LP returns is a point the attacker cannot rule out; together with the true values
    they show how far apart each variable can lie, which often proves a cell wide enough without solving
    for it (the widths reported are then lower bounds, never wider than the truth).
    """
    if len(b_eq) <= 1:
        return [_closed_form(i, a_eq, b_eq, bounds) for i in range(len(bounds))]
    program = _Program(a_eq, b_eq, bounds)
    seen_low, seen_high = truth.astype(float), truth.astype(float)
    if enough is not None:
        seen_low, seen_high = _probe(program, bounds, b_eq, seen_low, seen_high, enough)
    found = []
    for i in range(len(bounds)):
        if enough is not None and seen_high[i] - seen_low[i] >= enough:
            found.append((seen_low[i], seen_high[i]))
            continue
        extremes = []
        for sign in (1.0, -1.0):
            c = np.zeros(len(bounds))
            c[i] = sign
            solved = program.minimum(c)
            if solved is None:  # unbounded: the cell can be as large as anything
                extremes.append(np.inf)
            else:
                value, point = solved
                extremes.append(sign * value)
                seen_low, seen_high = np.minimum(seen_low, point), np.maximum(seen_high, point)
        found.append((extremes[0], extremes[1]))
    return found


def _probe(
    program: _Program, bounds: list, b_eq: np.ndarray, low: np.ndarray, high: np.ndarray, enough: float
) -> tuple[np.ndarray, np.ndarray]:
    """Widen the seen ranges with a few LPs that push every unproven cell up, then down, at once.

    Each solution is a point the attacker cannot rule out, so one LP can prove many cells wide enough and
    spare two LPs per cell. Open upper bounds are capped while probing only (the points stay feasible)."""
    cap = 10.0 * (float(np.abs(b_eq).sum()) + float(high.sum()) + enough)
    program.set_upper(np.array([cap if hi is None else hi for _, hi in bounds], dtype=float))
    weights = np.random.default_rng(0)
    for _ in range(PROBES):
        unproven = high - low < enough
        if not unproven.any():
            break
        for sign in (-1.0, 1.0):
            c = np.zeros(len(bounds))
            c[unproven] = sign * weights.uniform(0.5, 1.5, int(unproven.sum()))
            solved = program.minimum(c)
            if solved is not None:
                low, high = np.minimum(low, solved[1]), np.maximum(high, solved[1])
    program.set_upper(np.array([highspy.kHighsInf if hi is None else hi for _, hi in bounds], dtype=float))
    return low, high


class _Program:
    """One system ``a_eq @ x = b_eq`` over boxed variables, kept in HiGHS and minimized for one objective
    after another (each solve starts from the last one's basis, unlike a fresh ``linprog`` per objective)."""

    def __init__(self, a_eq: np.ndarray, b_eq: np.ndarray, bounds: list) -> None:
        matrix = sparse.csc_matrix(a_eq)
        lp = highspy.HighsLp()
        lp.num_row_, lp.num_col_ = a_eq.shape
        lp.col_cost_ = np.zeros(a_eq.shape[1])
        lp.col_lower_ = np.array([low for low, _ in bounds], dtype=float)
        lp.col_upper_ = np.array(
            [highspy.kHighsInf if high is None else high for _, high in bounds], dtype=float
        )
        lp.row_lower_ = lp.row_upper_ = np.asarray(b_eq, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = (
            matrix.indptr,
            matrix.indices,
            matrix.data,
        )
        # The bare solver: highspy's ``Highs`` wrapper logs HiGHS's banner before it can be told not to.
        self._highs = highspy._Highs()
        self._highs.setOptionValue("output_flag", False)
        self._highs.setOptionValue("presolve", "off")  # so an open objective is told from a contradiction
        self._highs.passModel(lp)
        self._columns = np.arange(a_eq.shape[1], dtype=np.int32)
        self._lower = lp.col_lower_

    def set_upper(self, upper: np.ndarray) -> None:
        """Replace every variable's upper bound."""
        self._highs.changeColsBounds(len(self._columns), self._columns, self._lower, upper)

    def minimum(self, c: np.ndarray) -> tuple[float, np.ndarray] | None:
        """The least ``c @ x`` and a point reaching it; None when it has no floor."""
        self._highs.changeColsCost(len(self._columns), self._columns, c)
        self._highs.run()
        status = self._highs.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return None
        if (
            status != highspy.HighsModelStatus.kOptimal
        ):  # e.g. the organisation is not the sum of its departments
            raise ReleaseError(
                f"cannot bound a hidden cell: {self._highs.modelStatusToString(status)}",
                expected="organisation rows that are the sum of their department rows",
            )
        return self._highs.getInfo().objective_function_value, np.asarray(self._highs.getSolution().col_value)


def _closed_form(i: int, a_eq: np.ndarray, b_eq: np.ndarray, bounds: list) -> tuple[float, float]:
    """With at most one sum over a box, the LP's optimum needs no solver."""
    low, high = bounds[i][0], np.inf if bounds[i][1] is None else bounds[i][1]
    if len(b_eq) == 0:
        return low, high
    return _one_equation(i, a_eq[0], b_eq[0], bounds)


def _one_equation(i: int, a: np.ndarray, b: float, bounds: list) -> tuple[float, float]:
    """Bounds of x_i over {sum a_j x_j = b, x_j in bounds}: b minus the range of the other terms."""
    others_low = others_high = 0.0
    for j, (coefficient, (low, high)) in enumerate(zip(a, bounds, strict=True)):
        if j == i or coefficient == 0:
            continue
        high = np.inf if high is None else high
        ends = (coefficient * low, coefficient * high)
        others_low += min(ends)
        others_high += max(ends)
    ends = ((b - others_high) / a[i], (b - others_low) / a[i])
    own_low, own_high = bounds[i][0], np.inf if bounds[i][1] is None else bounds[i][1]
    return max(own_low, min(ends)), min(own_high, max(ends))


def _components(rows: np.ndarray, equations: list) -> list[tuple[list[int], list]]:
    """Split hidden rows and the equations over them into independent systems (union-find)."""
    parent = {int(r): int(r) for r in rows}

    def find(r: int) -> int:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    for coefficients, _ in equations:
        first, *rest = coefficients
        for other in rest:
            parent[find(other)] = find(first)
    grouped: dict[int, tuple[list[int], list]] = {}
    for r in parent:
        grouped.setdefault(find(r), ([], []))[0].append(r)
    for equation in equations:
        grouped[find(next(iter(equation[0])))][1].append(equation)
    return list(grouped.values())
