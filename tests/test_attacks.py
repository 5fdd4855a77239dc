"""Differencing attacks on one run's published tables: each tries to recover a hidden value and fails.

The attacker here is written independently of the gate: it reads only the *published* tables (blank cells
are what it does not know), writes down every sum it knows holds (the organisation is the sum of its
departments for each tool and period; tool "any" is the sum of the tools for event counts; activated people
never outnumber seat holders; counts are never negative), and asks a linear program (or plain arithmetic)
how tightly each hidden cell is pinned. A hidden cell is safe when its interval is at least
``min_group_size`` wide.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from adoption_kit.errors import ReleaseError
from adoption_kit.privacy.release import audit, release_run
from adoption_kit.privacy.suppression import PRIMARY

K = 5
KEYS = {
    "headcount": ["group_by", "group"],
    "activation": ["group_by", "group", "tool"],
    "weekly_active": ["group_by", "group", "tool", "week"],
    "volume": ["group_by", "group", "tool", "week"],
}
ADDITIVE = {
    "headcount": ["people"],
    "activation": ["seat_holders", "activated"],
    "weekly_active": ["wau"],
    "volume": ["active_users", "events"],
}


# ---------------------------------------------------------------- tiny organisations, built by hand


def _rows(table: str, cells: dict) -> pd.DataFrame:
    """``cells`` maps (group, tool, week) to the row's values; the organisation row is their sum."""
    frame = pd.DataFrame([{"group": g, "tool": t, "week": w, **v} for (g, t, w), v in cells.items()])
    frame.insert(0, "group_by", "department")
    by = ["tool", "week"]
    organisation = frame.groupby(by, as_index=False).sum(numeric_only=True)
    organisation.insert(0, "group", "ALL")
    organisation.insert(0, "group_by", "organisation")
    frame = pd.concat([organisation, frame], ignore_index=True)
    if table == "activation":
        frame["activation_rate"] = frame["activated"] / frame["seat_holders"]
        frame = frame.drop(columns="week")
    if table == "headcount":
        frame = frame.drop(columns=["tool", "week"])
    if table == "volume":
        frame["events_per_user_mean"] = frame["events"] / frame["active_users"]
    people = {"headcount": "people", "activation": "seat_holders", "weekly_active": "wau"}.get(
        table, "active_users"
    )
    if table != "headcount":
        frame["people"] = frame[people]
    return frame


def _volume_across_tools(cells: dict) -> pd.DataFrame:
    """Volume rows per tool, plus tool "any" per department whose events are the sum of the tools."""
    frame = _rows("volume", cells)
    departments = frame.loc[frame["group"] != "ALL"]
    anys = departments.groupby(["group_by", "group", "week"], as_index=False)[["events"]].sum()
    people = {g: v["any_users"] for (g, t, w), v in cells.items()}
    anys["tool"] = "any"
    anys["active_users"] = anys["group"].map(people)
    organisation = anys.groupby("week", as_index=False)[["events", "active_users"]].sum()
    organisation = organisation.assign(group_by="organisation", group="ALL", tool="any")
    frame = pd.concat([frame, anys, organisation], ignore_index=True).drop(columns="any_users")
    frame["events_per_user_mean"] = frame["events"] / frame["active_users"]
    frame["people"] = frame["active_users"]
    return frame.sort_values(["group_by", "group", "tool"], ignore_index=True)


# ---------------------------------------------------------------- the attacker


def attack(published: dict[str, pd.DataFrame], table: str, column: str, row: int) -> tuple[float, float]:
    """The tightest [low, high] for the hidden ``column`` of ``row`` of ``table``, from published cells."""
    frame = published[table].reset_index(drop=True)
    values = frame[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    unknown = list(np.flatnonzero(np.isnan(values)))
    assert row in unknown, "the cell under attack is published"
    position = {r: i for i, r in enumerate(unknown)}
    period = frame["week"].astype(str) if "week" in frame.columns else pd.Series("", index=frame.index)
    tool = frame["tool"] if "tool" in frame.columns else pd.Series("any", index=frame.index)
    sums = [(tool == t) & (period == p) for t, p in set(zip(tool, period, strict=True))]
    totals = [frame["group"] == "ALL"] * len(sums)
    if (table, column) == ("volume", "events"):
        for group, p in set(zip(frame["group"], period, strict=True)):
            sums.append((frame["group"] == group) & (period == p))
            totals.append(tool == "any")
    a_eq, b_eq = [], []
    for rows, is_total in zip(sums, totals, strict=True):
        if not (rows & is_total).any():
            continue  # nothing published to add up to
        coefficients, rhs = np.zeros(len(unknown)), 0.0
        for r in np.flatnonzero(rows):
            sign = -1.0 if is_total[r] else 1.0
            if r in position:
                coefficients[position[r]] += sign
            else:
                rhs -= sign * values[r]
        if coefficients.any():
            a_eq.append(coefficients)
            b_eq.append(rhs)
    bounds = [(0, None)] * len(unknown)
    if (table, column) == ("activation", "activated"):
        seats = frame["seat_holders"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        bounds = [(0, None if np.isnan(seats[r]) else seats[r]) for r in unknown]
    c = np.zeros(len(unknown))
    c[position[row]] = 1.0
    ends = []
    for sign in (1.0, -1.0):
        solved = linprog(
            sign * c, A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None, bounds=bounds, method="highs"
        )
        ends.append(np.inf if solved.status == 3 else sign * solved.fun)
    return ends[0], ends[1]


def _published(tables: dict[str, pd.DataFrame], min_group_size: int = K):
    keys = {name: KEYS[name] for name in tables}
    released = release_run(tables, keys=keys, min_group_size=min_group_size)
    return {r.name: r.table for r in released}, pd.concat([r.suppressions for r in released])


def _row(frame: pd.DataFrame, group: str, tool: str | None = None, week: str | None = None) -> int:
    hit = frame["group"] == group
    if tool is not None:
        hit &= frame["tool"] == tool
    if week is not None:
        hit &= frame["week"] == week
    (row,) = np.flatnonzero(hit)
    return int(row)


# ---------------------------------------------------------------- the table of attacks

W1, W2 = "2026-10-05", "2026-10-12"
ATTACKS = [
    pytest.param(  # Legal's 3 people = everyone minus the departments that are shown
        {
            "headcount": _rows(
                "headcount",
                {
                    ("Eng", "", ""): {"people": 30},
                    ("Sales", "", ""): {"people": 20},
                    ("Legal", "", ""): {"people": 3},
                },
            )
        },
        ("headcount", "people", "Legal", None, None),
        id="organisation total minus visible departments",
    ),
    pytest.param(  # two hidden departments whose sum (1 + 2) is itself under the minimum
        {
            "headcount": _rows(
                "headcount",
                {
                    ("Eng", "", ""): {"people": 30},
                    ("Sales", "", ""): {"people": 20},
                    ("Legal", "", ""): {"people": 1},
                    ("HR", "", ""): {"people": 2},
                },
            )
        },
        ("headcount", "people", "HR", None, None),
        id="two small departments hidden together, their sum still under the minimum",
    ),
    pytest.param(  # 23 of 23 seat holders activated: the rate alone names everyone's status
        {
            "activation": _rows(
                "activation",
                {
                    ("Legal", "any", ""): {"seat_holders": 23, "activated": 23},
                    ("Eng", "any", ""): {"seat_holders": 10, "activated": 8},
                    ("Sales", "any", ""): {"seat_holders": 15, "activated": 5},
                },
            )
        },
        ("activation", "activated", "Legal", "any", None),
        id="a 100% activation rate",
    ),
    pytest.param(  # none of 12 seat holders ever used the tool
        {
            "activation": _rows(
                "activation",
                {
                    ("Legal", "any", ""): {"seat_holders": 12, "activated": 0},
                    ("Eng", "any", ""): {"seat_holders": 50, "activated": 30},
                    ("Sales", "any", ""): {"seat_holders": 40, "activated": 12},
                },
            )
        },
        ("activation", "activated", "Legal", "any", None),
        id="a 0% activation rate",
    ),
    pytest.param(  # enough seats, but one person behind the usage
        {
            "activation": _rows(
                "activation",
                {
                    ("Legal", "any", ""): {"seat_holders": 5, "activated": 1},
                    ("Eng", "any", ""): {"seat_holders": 50, "activated": 30},
                    ("Sales", "any", ""): {"seat_holders": 40, "activated": 12},
                },
            )
        },
        ("activation", "activated", "Legal", "any", None),
        id="5 seats with 1 active user",
    ),
    pytest.param(
        {
            "weekly_active": _rows(
                "weekly_active",
                {
                    ("Legal", "chatgpt", W1): {"wau": 3},
                    ("Eng", "chatgpt", W1): {"wau": 40},
                    ("Sales", "chatgpt", W1): {"wau": 12},
                    ("Legal", "chatgpt", W2): {"wau": 6},
                    ("Eng", "chatgpt", W2): {"wau": 41},
                    ("Sales", "chatgpt", W2): {"wau": 11},
                },
            )
        },
        ("weekly_active", "wau", "Legal", "chatgpt", W1),
        id="a department under the minimum in weekly active users",
    ),
    pytest.param(  # nobody in Legal used the tool that week: a 0% rate over the department
        {
            "weekly_active": _rows(
                "weekly_active",
                {
                    ("Legal", "chatgpt", W1): {"wau": 0},
                    ("Eng", "chatgpt", W1): {"wau": 40},
                    ("Sales", "chatgpt", W1): {"wau": 12},
                },
            )
        },
        ("weekly_active", "wau", "Legal", "chatgpt", W1),
        id="a department with nobody active, hidden and not recoverable as zero",
    ),
    pytest.param(  # Legal's copilot events = Legal's "any" events minus its chatgpt events
        {
            "volume": _volume_across_tools(
                {
                    ("Legal", "copilot", W1): {"active_users": 2, "events": 90, "any_users": 8},
                    ("Legal", "chatgpt", W1): {"active_users": 7, "events": 210, "any_users": 8},
                    ("Eng", "copilot", W1): {"active_users": 30, "events": 900, "any_users": 45},
                    ("Eng", "chatgpt", W1): {"active_users": 40, "events": 800, "any_users": 45},
                    ("Sales", "copilot", W1): {"active_users": 9, "events": 100, "any_users": 20},
                    ("Sales", "chatgpt", W1): {"active_users": 18, "events": 300, "any_users": 20},
                }
            )
        },
        ("volume", "events", "Legal", "copilot", W1),
        id="one department hidden, recovered by subtraction across tools",
    ),
]


@pytest.mark.parametrize(("tables", "target"), ATTACKS)
def test_when_an_attacker_differences_the_published_run_then_the_hidden_value_stays_vague(tables, target):
    published, record = _published(tables)
    table, column, group, tool, week = target
    row = _row(published[table], group, tool, week)
    assert pd.isna(published[table].loc[row, column]), "the targeted value is hidden"
    low, high = attack(published, table, column, row)
    assert high - low >= K, f"the attacker pins {column} of {group} to [{low}, {high}]"
    for name, frame in published.items():  # and so is every other hidden count of the run
        for col in ADDITIVE[name]:
            for hidden in np.flatnonzero(frame[col].isna()):
                low, high = attack(published, name, col, int(hidden))
                assert high - low >= K, (name, col, frame.loc[hidden, "group"], low, high)
    assert set(record["reason"]) <= {"primary", "complementary", "extreme_rate"}


def test_when_a_rate_is_100_percent_then_the_row_stays_but_the_rate_and_its_count_go():
    tables, _ = ATTACKS[2].values
    published, record = _published(tables)
    row = published["activation"].loc[published["activation"]["group"] == "Legal"].iloc[0]
    assert row["seat_holders"] == 23 and pd.isna(row["activated"]) and pd.isna(row["activation_rate"])
    assert not row["suppressed"]
    assert record.loc[record["group"] == "Legal", "reason"].tolist() == ["extreme_rate"]


def test_when_one_department_is_hidden_then_the_smallest_other_one_is_hidden_as_complementary():
    tables, _ = ATTACKS[0].values
    published, record = _published(tables)
    reasons = dict(zip(record["group"], record["reason"], strict=True))
    assert reasons == {"Legal": "primary", "Sales": "complementary"}  # Sales (20) is smaller than Eng (30)
    assert published["headcount"].loc[_row(published["headcount"], "ALL"), "people"] == 53
    assert "3" not in " ".join(record.astype(str).to_numpy().ravel())  # never the hidden value


def test_when_a_decision_leaves_a_cell_recoverable_then_the_audit_refuses_naming_the_table():
    tables, _ = ATTACKS[0].values
    only_primary = {"headcount": pd.Series(["", "", "", PRIMARY])}  # ALL, Eng, Sales, Legal: Legal only
    assert tables["headcount"]["group"].tolist() == ["ALL", "Eng", "Sales", "Legal"]
    with pytest.raises(ReleaseError, match="headcount.*Legal"):
        audit(tables, only_primary, min_group_size=K)


# ---------------------------------------------------------------- random organisations


@st.composite
def organisations(draw):
    """Random departments (0..30 people) with random seat, weekly and event counts for two tools."""
    departments = draw(st.integers(1, 6))
    weeks = [W1, W2][: draw(st.integers(1, 2))]
    counts = st.integers(0, 30)
    people, activation, weekly, volume = {}, {}, {}, {}
    for d in range(departments):
        size = draw(counts)
        if size == 0:
            continue  # a department nobody belongs to has no rows
        name = f"D{d}"
        people[(name, "", "")] = {"people": size}
        for tool in ("chatgpt", "copilot"):
            seats = draw(st.integers(0, size))
            if seats:
                activation[(name, tool, "")] = {
                    "seat_holders": seats,
                    "activated": draw(st.integers(0, seats)),
                }
        for week in weeks:
            active = {tool: draw(st.integers(0, size)) for tool in ("chatgpt", "copilot")}
            both = draw(st.integers(max(active.values()), min(size, sum(active.values()))))
            for tool, n in active.items():
                weekly[(name, tool, week)] = {"wau": n}
                if n:
                    events = draw(st.integers(n, 40 * n))
                    volume[(name, tool, week)] = {"active_users": n, "events": events, "any_users": both}
    if not people:
        people[("D0", "", "")] = {"people": draw(st.integers(1, 30))}
    tables = {"headcount": _rows("headcount", people)}
    if activation:
        tables["activation"] = _rows("activation", activation)
    if weekly:
        tables["weekly_active"] = _rows("weekly_active", weekly)
    if volume:
        tables["volume"] = _volume_across_tools(volume)
    return tables


@settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=organisations(), min_group_size=st.sampled_from([3, 5]))
def test_when_any_organisation_is_released_then_no_hidden_count_can_be_pinned_down(tables, min_group_size):
    try:
        published, _ = _published(tables, min_group_size)
    except ReleaseError:
        return  # the gate refused the run: nothing was published
    for name, frame in published.items():
        for column in ADDITIVE[name]:
            for hidden in np.flatnonzero(frame[column].isna()):
                low, high = attack(published, name, column, int(hidden))
                assert high - low >= min_group_size, (name, column, frame.loc[hidden].to_dict(), low, high)
