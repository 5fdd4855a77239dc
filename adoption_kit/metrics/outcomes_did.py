"""Estimators of AI use against a KPI on a unit x month panel, all on the log of the KPI.

- :func:`twfe`: two-way fixed effects. The log KPI on a treatment column (active share by default) with
  unit and month effects swept out, errors clustered by unit. Under staggered adoption with effects that
  differ between units or grow over time it is biased: already-adopted units serve as controls (Goodman-Bacon
  2021; de Chaisemartin and D'Haultfoeuille 2020).
- :func:`staggered_did`: the interaction-weighted estimator of Sun and Abraham (2021). One coefficient per
  adoption cohort and month relative to adoption (the month before adoption is the reference), estimated
  against units that never adopt (or, when every unit adopts, against the last cohort before it does);
  the average effect on adopting unit-months is their average weighted by unit-months. Robust to
  heterogeneous and dynamic effects; it needs parallel trends and no anticipation.
- :func:`event_study`: the same coefficients averaged per month relative to adoption (leads and lags), and
  the joint test that the leads are zero (the pre-trend test).

Each takes one KPI's rows of a panel like :func:`adoption_kit.metrics.outcome_panel`'s: a unit, a month,
the KPI ``value``, the unit's ``headcount`` (the people behind a row), and the treatment columns.
Effects are proportional, ``exp(b) - 1``, with their interval and p-value from a t distribution with one
fewer degrees of freedom than units (cluster-robust, CR1). Units not observed in the month before their
adoption (those adopting in their first month among them) are left out of the DiD, and so are months
without a comparison unit; rows whose KPI is not positive (no logarithm) are left out everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ADOPTION = "adoption_month"
TOLERANCE = 1e-10
MAX_SWEEPS = 500
EFFECT_COLUMNS = [
    "estimator",
    "coefficient",
    "se",
    "effect",
    "ci_low",
    "ci_high",
    "p",
    "pretrend_p",
    "n_teams",
    "n_adopting",
    "n_periods",
    "n_obs",
    "people",
]
EVENT_COLUMNS = ["relative_month", "coefficient", "se", "effect", "ci_low", "ci_high", "n_teams", "people"]


@dataclass(frozen=True)
class _CohortFit:
    """The Sun-Abraham regression: its statsmodels result, and one row per cohort x relative-month cell
    (``cohort, relative, observations, teams, people``) in the order of the result's parameters."""

    result: object
    cells: pd.DataFrame
    sample: pd.DataFrame


def twfe(
    frame: pd.DataFrame,
    *,
    treatment: str = "active_share",
    outcome: str = "value",
    unit: str = "team",
    period: str = "month",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The TWFE slope of the log ``outcome`` on ``treatment``: one row of :data:`EFFECT_COLUMNS` (the effect
    of ``treatment`` going from 0 to 1; empty when it never varies within a unit)."""
    sample = _positive(frame, outcome)
    sample = sample.loc[sample.groupby(unit)[period].transform("size") > 1].reset_index(drop=True)
    swept = _within(sample, [outcome, treatment], unit=unit, period=period)
    row = _summary(sample, "twfe", unit=unit, period=period, adopting=np.nan)
    if sample.empty or not (swept[treatment].abs() > TOLERANCE).any():
        return _row(row)
    result = _fit(swept[outcome], swept[[treatment]], sample[unit])
    return _row(row | _contrast(result, np.array([1.0]), confidence))


def staggered_did(
    frame: pd.DataFrame,
    *,
    outcome: str = "value",
    unit: str = "team",
    period: str = "month",
    leads: int = 3,
    min_teams: int = 10,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The average effect of adoption on adopting unit-months (Sun-Abraham), with the pre-trend test's
    p-value over the ``leads`` months before adoption that rest on at least ``min_teams`` adopting units
    (a lead resting on a few has no usable clustered error): one row of :data:`EFFECT_COLUMNS` (empty
    without adopters and controls).

    ``frame`` holds one KPI's rows with an ``adoption_month`` column (empty: never adopts)."""
    fit = _cohort_fit(frame, outcome=outcome, unit=unit, period=period)
    if fit is None:
        sample = _positive(frame, outcome)
        return _row(_summary(sample, "staggered_did", unit=unit, period=period, adopting=0))
    adopters = fit.sample.loc[fit.sample["cohort"].notna(), unit].nunique()
    row = _summary(fit.sample, "staggered_did", unit=unit, period=period, adopting=adopters)
    post = fit.cells["relative"] >= 0
    if not post.any():
        return _row(row)  # adopters are seen only before adopting: no effect to estimate
    weights = np.where(post, fit.cells["observations"], 0.0)
    return _row(
        row
        | _contrast(fit.result, weights / weights.sum(), confidence)
        | {"pretrend_p": _pretrend(fit, leads, min_teams)}
    )


def event_study(
    frame: pd.DataFrame,
    *,
    outcome: str = "value",
    unit: str = "team",
    period: str = "month",
    leads: int = 3,
    lags: int = 12,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The effect in each month from ``leads`` before adoption to ``lags`` after, against the month before
    adoption (its row is 0 by construction): columns :data:`EVENT_COLUMNS`, ``n_teams`` and ``people``
    counting the adopting units behind each month."""
    fit = _cohort_fit(frame, outcome=outcome, unit=unit, period=period)
    if fit is None:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    rows = []
    for relative in range(-leads, lags + 1):
        if relative == -1:
            rows.append(_reference_row(fit.sample, unit))
            continue
        here = fit.cells["relative"] == relative
        if here.any():
            weights = np.where(here, fit.cells["observations"], 0.0)
            cells = fit.cells.loc[here]
            counts = {"n_teams": int(cells["teams"].sum()), "people": int(cells["people"].sum())}
            estimate = _contrast(fit.result, weights / weights.sum(), confidence)
            rows.append({"relative_month": relative} | counts | estimate)
    return pd.DataFrame(rows)[EVENT_COLUMNS]


def _cohort_fit(frame: pd.DataFrame, *, outcome: str, unit: str, period: str) -> _CohortFit | None:
    """The Sun-Abraham regression on the DiD sample; None without both adopting and comparison units, or
    when the adopting units are seen in the month before adoption only (no coefficient to fit)."""
    sample = _did_sample(_positive(frame, outcome), unit=unit, period=period)
    treated = sample["cohort"].notna()
    if not treated.any() or treated.all():
        return None
    cell = sample.loc[treated & (sample["relative"] != -1)]
    cells = (
        cell.groupby(["cohort", "relative"])
        .agg(observations=(unit, "size"), teams=(unit, "nunique"))
        .reset_index()
    )
    if cells.empty:
        return None
    cells = cells.assign(people=_people_per_cell(cell, unit=unit).to_numpy())
    position = pd.MultiIndex.from_frame(cells[["cohort", "relative"]]).get_indexer(
        pd.MultiIndex.from_frame(sample[["cohort", "relative"]])
    )
    dummies = np.zeros((len(sample), len(cells)))
    rows = np.flatnonzero(position >= 0)
    dummies[rows, position[rows]] = 1.0
    columns = [f"c{i}" for i in range(len(cells))]
    design = pd.DataFrame(dummies, columns=columns, index=sample.index)
    swept = _within(sample.join(design), [outcome, *columns], unit=unit, period=period)
    result = _fit(swept[outcome], swept[columns], sample[unit])
    return _CohortFit(result, cells, sample)


def _people_per_cell(cell: pd.DataFrame, *, unit: str) -> pd.Series:
    """Per cohort x relative-month cell, the people behind it: each unit's smallest headcount in the cell
    summed over its units (a lower bound on the distinct people, as units are disjoint in any month)."""
    smallest = cell.groupby(["cohort", "relative", unit])["headcount"].min()
    return smallest.groupby(["cohort", "relative"]).sum().reset_index(drop=True)


def _did_sample(frame: pd.DataFrame, *, unit: str, period: str) -> pd.DataFrame:
    """The rows the DiD uses, with each row's ``cohort`` (its unit's adoption month; empty for comparison
    units) and ``relative`` month. Units adopting in their first observed month, or missing the month
    before adoption, are left out; without units that never adopt, the last cohort is the comparison
    group and the months from its adoption on are left out; so are months without a comparison unit."""
    sample = _usable(
        frame.assign(cohort=_month_index(frame[ADOPTION]), period_index=_month_index(frame[period])), unit
    )
    if sample["cohort"].notna().all() and not sample.empty:
        last = sample["cohort"].max()
        sample = sample.loc[sample["period_index"] < last]
        sample = sample.assign(cohort=sample["cohort"].mask(sample["cohort"] == last))
    compared = sample.loc[sample["cohort"].isna(), "period_index"].unique()
    sample = _usable(sample.loc[sample["period_index"].isin(compared)], unit)
    return sample.assign(relative=sample["period_index"] - sample["cohort"]).reset_index(drop=True)


def _usable(sample: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The rows of comparison units, and of adopting units observed before and in the month before their
    adoption."""
    index, cohort = sample["period_index"], sample["cohort"]
    observed = pd.MultiIndex.from_arrays([sample[unit], index])
    has_month_before = pd.MultiIndex.from_arrays([sample[unit], cohort - 1]).isin(observed)
    return sample.loc[cohort.isna() | has_month_before]


def _pretrend(fit: _CohortFit, leads: int, min_teams: int) -> float:
    """The p-value of the joint test that every event-study lead from ``leads`` to 2 months before adoption
    resting on at least ``min_teams`` units is zero (empty when there is no such lead)."""
    teams = fit.cells.groupby("relative")["teams"].sum()
    relatives = [r for r in range(-leads, -1) if teams.get(r, 0) >= min_teams]
    if not relatives:
        return float("nan")
    weights = np.array(
        [np.where(fit.cells["relative"] == r, fit.cells["observations"], 0.0) for r in relatives]
    )
    test = fit.result.f_test(weights / weights.sum(axis=1, keepdims=True))
    return float(np.squeeze(test.pvalue))


def _reference_row(sample: pd.DataFrame, unit: str) -> dict:
    """The month before adoption: the reference, 0 by construction."""
    here = sample.loc[sample["relative"] == -1]
    people = int(here.groupby(unit)["headcount"].min().sum())
    zero = {"coefficient": 0.0, "se": 0.0, "effect": 0.0, "ci_low": np.nan, "ci_high": np.nan}
    return {"relative_month": -1, "n_teams": here[unit].nunique(), "people": people} | zero


def _within(frame: pd.DataFrame, columns: list[str], *, unit: str, period: str) -> pd.DataFrame:
    """``columns`` with unit and period means swept out: alternating projections until the unit means are
    zero (one sweep when the panel is balanced)."""
    values = frame[columns].astype("float64")
    if frame.empty:
        return values
    units, periods = pd.factorize(frame[unit])[0], pd.factorize(frame[period])[0]
    for _ in range(MAX_SWEEPS):
        values = values - values.groupby(units).transform("mean")
        values = values - values.groupby(periods).transform("mean")
        if values.groupby(units).mean().abs().to_numpy().max() < TOLERANCE:
            break
    return values


def _fit(outcome: pd.Series, design: pd.DataFrame, clusters: pd.Series) -> object:
    """Least squares of the swept outcome on the swept design, errors clustered by unit."""
    import statsmodels.api as sm  # imported here: statsmodels costs seconds at every start of the kit

    groups = pd.factorize(clusters)[0]
    return sm.OLS(outcome.to_numpy(), design.to_numpy(), hasconst=False).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )


def _contrast(result: object, weights: np.ndarray, confidence: float) -> dict:
    """The weighted sum of coefficients on the log scale, and as a proportional effect with its interval."""
    test = result.t_test(weights.reshape(1, -1))
    low, high = np.squeeze(test.conf_int(alpha=1 - confidence))
    coefficient = float(np.squeeze(test.effect))
    return {
        "coefficient": coefficient,
        "se": float(np.squeeze(test.sd)),
        "effect": float(np.expm1(coefficient)),
        "ci_low": float(np.expm1(low)),
        "ci_high": float(np.expm1(high)),
        "p": float(np.squeeze(test.pvalue)),
    }


def _summary(sample: pd.DataFrame, estimator: str, *, unit: str, period: str, adopting: float) -> dict:
    """The counts behind an estimate: units, adopting units, periods, rows and people (each unit's
    smallest headcount, summed)."""
    people = sample.groupby(unit)["headcount"].min().sum()
    return {
        "estimator": estimator,
        "n_teams": sample[unit].nunique(),
        "n_adopting": adopting,
        "n_periods": sample[period].nunique(),
        "n_obs": len(sample),
        "people": int(people),
    }


def _row(values: dict) -> pd.DataFrame:
    return pd.DataFrame([values]).reindex(columns=EFFECT_COLUMNS)


def _positive(frame: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The rows with a positive outcome, the outcome replaced by its logarithm."""
    kept = frame.loc[frame[outcome] > 0]
    return kept.assign(**{outcome: np.log(kept[outcome].astype("float64"))}).reset_index(drop=True)


def _month_index(months: pd.Series) -> pd.Series:
    """Months as consecutive integers (empty stays empty)."""
    stamps = pd.to_datetime(months)
    return (stamps.dt.year * 12 + stamps.dt.month).astype("float64")
