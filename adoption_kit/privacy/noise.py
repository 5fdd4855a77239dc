"""Optional differentially private counts of people per group, with OpenDP (off by default).

The unit of privacy is a person. Each query counts the distinct people in every group of a public key set
(e.g. the roster's departments x tools x weeks): a person adds one row per group they fall in, and at most
``max_contributions`` rows per query; people above the bound keep a random sample of that many groups
(:class:`ContributionsSampledWarning` says how many were sampled down). The keys are public, so every key
gets a noisy count, including groups of 0 or 1 person, and no partition selection is needed.

A run's epsilon is spent from the period's :class:`~adoption_kit.privacy.budget.PrivacyBudget` before any
number is computed, then split evenly over the run's queries (pure DP; the integer Laplace mechanism,
scale = ``max_contributions`` / epsilon per query). ``accuracy`` is OpenDP's 95% half-width: each noisy
count is within it of the exact (bounded) count with probability 95%. Negative noisy counts are raised to 0,
a post-processing step that costs no privacy and only moves a count towards the truth.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from adoption_kit.errors import ConfigError, WorkspaceError
from adoption_kit.privacy.budget import PrivacyBudget

ALPHA = 0.05  # accuracy is the half-width of a (1 - ALPHA) = 95% interval
KEY_ID = "key_id"


class ContributionsSampledWarning(UserWarning):
    """Some people fell in more groups than the bound; only a random sample of their groups was counted.

    Its message holds exact figures about the data (how many people, the largest contribution): it is for
    the analyst choosing ``max_contributions``, never for a published page.
    """


@dataclass(frozen=True)
class NoiseSettings:
    """The ``noise:`` block of the parameters: whether counts get noise, and how much privacy it buys."""

    enabled: bool = False
    epsilon_per_period: float = 1.0
    max_contributions: int = 8

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            _invalid("enabled", self.enabled, "true or false")
        if not _is_number(self.epsilon_per_period) or not self.epsilon_per_period > 0:
            _invalid("epsilon_per_period", self.epsilon_per_period, "a positive number")
        if not isinstance(self.max_contributions, int) or isinstance(self.max_contributions, bool):
            _invalid("max_contributions", self.max_contributions, "a whole number of at least 1")
        if self.max_contributions < 1:
            _invalid("max_contributions", self.max_contributions, "a whole number of at least 1")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> NoiseSettings:
        """Settings from the parsed ``noise:`` block (missing keys keep their defaults; unknown keys fail)."""
        values = dict(values or {})
        unknown = sorted(set(values) - {field.name for field in fields(cls)})
        if unknown:
            _invalid(unknown[0], values[unknown[0]], "one of enabled, epsilon_per_period, max_contributions")
        return cls(**values)


def noisy_distinct_counts(
    rows: pd.DataFrame,
    queries: Mapping[str, pd.DataFrame],
    *,
    period: str,
    settings: NoiseSettings,
    budget: PrivacyBudget,
    epsilon: float | None = None,
    person: str = "person_id",
) -> dict[str, pd.DataFrame]:
    """Noisy counts of distinct people per public key, one table per query of ``queries``.

    ``rows`` holds one row per person and period unit; each query maps a name to its public keys (a frame
    whose columns are grouping columns of ``rows``). Keys must come from a public list such as the roster's
    departments x tools x weeks, never from the rows themselves; rows outside the keys are not counted.
    Whether to call this at all is the caller's choice (``settings.enabled``).

    The run spends ``epsilon`` (default: the period's whole budget) from ``budget`` first, and raises
    :class:`~adoption_kit.privacy.budget.BudgetExceededError` without computing anything if the period
    cannot afford it. Each table has the key columns, ``noisy_count`` (integer, never negative),
    ``accuracy`` (95% half-width) and ``epsilon`` (this query's).
    """
    _check_inputs(rows, queries, person=person)
    run_epsilon = settings.epsilon_per_period if epsilon is None else epsilon
    budget.spend(period, run_epsilon, queries=list(queries))
    epsilon_per_query = run_epsilon / len(queries)
    return {
        name: _noisy_counts(
            rows,
            keys,
            name=name,
            person=person,
            epsilon=epsilon_per_query,
            max_contributions=settings.max_contributions,
        )
        for name, keys in queries.items()
    }


def bound_contributions(rows: pd.DataFrame, *, person: str, max_contributions: int) -> pd.DataFrame:
    """At most ``max_contributions`` rows per person: a random sample of them for people above the bound."""
    shuffled = rows.iloc[np.random.default_rng().permutation(len(rows))]
    kept = shuffled[shuffled.groupby(person, sort=False).cumcount() < max_contributions]
    return kept.sort_index()


def _noisy_counts(
    rows: pd.DataFrame, keys: pd.DataFrame, *, name: str, person: str, epsilon: float, max_contributions: int
) -> pd.DataFrame:
    by = list(keys.columns)
    numbered = keys.reset_index(drop=True).rename_axis(KEY_ID).reset_index()
    memberships = rows[[person, *by]].merge(numbered, on=by, how="inner")[[person, KEY_ID]].drop_duplicates()
    _warn_if_sampled(memberships, name=name, person=person, max_contributions=max_contributions)
    bounded = bound_contributions(memberships, person=person, max_contributions=max_contributions)
    counts, accuracy = _release(bounded[KEY_ID], keys=len(keys), epsilon=epsilon, bound=max_contributions)
    return keys.reset_index(drop=True).assign(
        noisy_count=np.maximum(counts, 0).astype("int64"), accuracy=accuracy, epsilon=epsilon
    )


def _release(key_ids: pd.Series, *, keys: int, epsilon: float, bound: int) -> tuple[np.ndarray, float]:
    """OpenDP's noisy row count per key id 0..keys-1, and its 95% half-width (one query, ``epsilon``)."""
    import opendp.prelude as dp  # imported here: only a run with noise enabled needs OpenDP and Polars
    import polars as pl
    from opendp.accuracy import summarize_polars_measurement

    dp.enable_features("contrib")
    context = dp.Context.compositor(
        data=pl.LazyFrame({KEY_ID: key_ids.to_numpy(dtype="int64")}),
        privacy_unit=dp.unit_of(contributions=bound),
        privacy_loss=dp.loss_of(epsilon=epsilon),
        split_evenly_over=1,
    )
    public_keys = pl.DataFrame({KEY_ID: np.arange(keys, dtype="int64")})
    query = context.query().group_by(KEY_ID).agg(dp.len(signed=True)).with_keys(public_keys)
    measurement = query.resolve()
    accuracy = float(summarize_polars_measurement(measurement, ALPHA)["accuracy"].item())
    released = context(measurement).collect().sort(KEY_ID)
    return released["len"].to_numpy(), accuracy


def _warn_if_sampled(memberships: pd.DataFrame, *, name: str, person: str, max_contributions: int) -> None:
    per_person = memberships.groupby(person).size()
    above = int((per_person > max_contributions).sum())
    if above:
        warnings.warn(
            f"query '{name}': {above} people fall in more than {max_contributions} groups (up to "
            f"{per_person.max()}); a random {max_contributions} of their groups were counted. Raise "
            "noise.max_contributions to count them fully, at the cost of more noise.",
            ContributionsSampledWarning,
            stacklevel=3,
        )


def _check_inputs(rows: pd.DataFrame, queries: Mapping[str, pd.DataFrame], *, person: str) -> None:
    if not queries:
        raise WorkspaceError("no queries to release", expected="at least one named key set")
    if person not in rows.columns:
        raise WorkspaceError(f"the rows have no '{person}' column", column=person, expected="a person id")
    if rows[person].isna().any():
        row = int(np.flatnonzero(rows[person].isna().to_numpy())[0])
        raise WorkspaceError("a row has no person id", row=row, column=person, expected="one id per row")
    for name, keys in queries.items():
        missing = [column for column in keys.columns if column not in rows.columns]
        if keys.empty or missing:
            raise WorkspaceError(
                f"query '{name}' has no keys, or key columns the rows lack: {missing or 'none'}",
                column=missing[0] if missing else None,
                expected=f"key columns among {list(rows.columns)}",
            )
        if keys.isna().any(axis=None) or keys.duplicated().any():
            raise WorkspaceError(
                f"query '{name}' has an empty or repeated key", expected="each public key once, all filled"
            )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _invalid(key: str, value: Any, expected: str) -> NoReturn:
    raise ConfigError(f"noise.{key} is {value!r}", column=f"noise.{key}", expected=expected)
