"""The gate's own attacker (linear programming over what a run publishes), on a headcount worked on paper:
the organisation (60) is departments A and B (30 each), each the sum of its two teams."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from adoption_kit.errors import ReleaseError
from adoption_kit.privacy import lp_audit
from adoption_kit.privacy.suppression import PRIMARY

ROWS = [
    ("organisation", "ALL", None, None, 60),
    ("department", "A", "A", None, 30),
    ("department", "B", "B", None, 30),
    ("team", "A / a1", "A", "a1", 12),
    ("team", "A / a2", "A", "a2", 18),
    ("team", "B / b1", "B", "b1", 10),
    ("team", "B / b2", "B", "b2", 20),
]


def _headcount() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=["group_by", "group", "department", "team", "people"])


def _bounds(table: pd.DataFrame, hidden: list[int]) -> dict[int, tuple[float, float]]:
    reasons = pd.Series([PRIMARY if r in hidden else None for r in range(len(table))])
    found = lp_audit.intervals({"headcount": table}, {"headcount": reasons})
    return {i.row: (i.low, i.high) for i in found}


def test_when_both_departments_and_one_departments_teams_are_hidden_then_only_the_departments_are_pinned():
    # A + B = 60 and B = 10 + 20 (both teams of B shown), so B = 30 and A = 30; a1 + a2 = A = 30, each in
    # [0, 30]: two equations, so the LP (not the closed form for one sum) does the work.
    assert _bounds(_headcount(), hidden=[1, 2, 3, 4]) == {
        1: (30.0, 30.0),
        2: (30.0, 30.0),
        3: (0.0, 30.0),
        4: (0.0, 30.0),
    }


def test_when_the_organisation_is_hidden_too_then_nothing_bounds_the_cells_from_above():
    # every row hidden: the sums still hold, but no published number anchors them
    bounds = _bounds(_headcount(), hidden=list(range(len(ROWS))))
    assert all(low == 0.0 and high == np.inf for low, high in bounds.values())


def test_when_the_organisation_is_not_the_sum_of_its_departments_then_the_gate_refuses():
    table = _headcount().assign(people=lambda t: t["people"].where(t["group"] != "ALL", 10))
    with pytest.raises(ReleaseError, match="sum of their department rows"):
        _bounds(table, hidden=[1, 2, 3, 4])
