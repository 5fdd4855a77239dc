"""The release gate: the only way a table reaches a report or a dashboard.

Deciding what to hide and hiding it are separate steps: :func:`primary_suppressions` decides (every
cell resting on fewer than ``min_group_size`` distinct people), :func:`release` applies the decision and
returns the table together with its suppression record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from adoption_kit.config import SMALLEST_ALLOWED_GROUP
from adoption_kit.errors import ReleaseError

PEOPLE = "people"
SUPPRESSED = "suppressed"


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
    """Gate ``table``: every column but ``keys`` is blanked where the row rests on too few people.

    ``table`` must have a ``people`` column counting the distinct people behind each row's numbers.
    The returned table gains a boolean ``suppressed`` column; the record lists each hidden row by its
    keys and the reason (never the hidden count).
    """
    if min_group_size < SMALLEST_ALLOWED_GROUP:
        raise ReleaseError(
            f"min_group_size {min_group_size} is too small", expected=f"at least {SMALLEST_ALLOWED_GROUP}"
        )
    if PEOPLE not in table.columns:
        raise ReleaseError(f"table {name!r} does not say how many people each row rests on", column=PEOPLE)
    hide = primary_suppressions(table, min_group_size=min_group_size)
    values = [column for column in table.columns if column not in keys]
    gated = table.copy()
    for column in values:
        gated[column] = gated[column].astype(_nullable(gated[column].dtype)).mask(hide)
    gated[SUPPRESSED] = hide.to_numpy()
    record = (
        table.loc[hide, list(keys)]
        .astype("str")
        .assign(table=name, reason=f"rests on fewer than {min_group_size} people")
    )
    return Released(name, gated, record)


def _nullable(dtype: object) -> object:
    """A dtype that can hold a missing value without turning counts into floats."""
    if pd.api.types.is_integer_dtype(dtype):
        return "Int64"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    return dtype
