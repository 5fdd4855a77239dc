"""Simulated organisations with a known effect of AI adoption, to check that the estimators recover it.

Each organisation has ``teams`` teams observed for ``months`` months. Rollouts are staggered: teams adopt
in one of a few cohorts, and teams with a higher baseline KPI adopt earlier (selection into early
adoption); the rest never adopt. A team adopts when its active share first reaches one half, so the
estimators find the adoption month from the active share as they do on real data. The planted effect is
heterogeneous: larger in early cohorts (1.6 times the average for the first, 0.4 times for the last),
growing with the months since adoption (40%, 64%, 78%... of its full size), and varying between teams.
Its average over adopting team-months is scaled to the scenario's effect, sized like published field
results: about +14% resolutions per hour in customer support (Brynjolfsson, Li and Raymond 2025) and
about +26% completed tasks for developers (Cui et al. 2025). The log KPI also has team levels, a common
monthly trend and seasonality, and autocorrelated noise; trends are parallel, so a DiD can recover it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adoption_kit.metrics.outcomes_did import staggered_did, twfe
from adoption_kit.metrics.outcomes_panel import with_adoption

ADOPTION_SHARE = 0.5
FIRST_MONTH = pd.Timestamp("2025-01-01")


@dataclass(frozen=True)
class Scenario:
    """One simulated organisation's design; ``effect`` is the average proportional effect of adoption on
    adopting team-months (0: no effect)."""

    name: str
    effect: float
    teams: int = 80
    months: int = 12
    cohorts: tuple[int, ...] = (3, 5, 7, 9)  # adoption months (from 0), earliest for the highest baseline
    never_adopting: float = 0.3
    noise: float = 0.08  # standard deviation of the monthly log noise
    persistence: float = 0.5  # its month-to-month autocorrelation
    team_spread: float = 0.25  # standard deviation of the teams' log baseline


SCENARIOS = (
    Scenario("customer support +14%", 0.14),
    Scenario("developers +26%", 0.26),
    Scenario("no effect", 0.0),
)


def simulate_panel(scenario: Scenario, *, seed: int) -> pd.DataFrame:
    """One organisation: columns ``team, month, headcount, active_share, kpi, value, planted`` (the team
    month's true proportional effect, 0 before adoption), like :func:`outcome_panel` for one KPI."""
    rng = np.random.default_rng(seed)
    n, months = scenario.teams, scenario.months
    baseline = rng.normal(0, scenario.team_spread, n)
    relative = (
        np.arange(months)[None, :] - _cohorts(rng, baseline, scenario)[:, None]
    )  # months since adoption
    ramp = np.where(relative >= 0, 1 - 0.6 ** (relative + 1), 0.0)  # 0.4, 0.64, 0.78... of the full effect
    log_effect = _log_effects(rng, relative, ramp, scenario)
    calendar = 0.01 * np.arange(months) + rng.normal(0, 0.03, months)
    value = np.exp(np.log(100) + baseline[:, None] + calendar[None, :] + log_effect + _noise(rng, scenario))
    reach = rng.uniform(0.65, 1.0, (n, 1))  # the active share a team grows into after adopting
    before = rng.uniform(0, 0.4, (n, months))
    share = np.where(relative >= 0, ADOPTION_SHARE + (reach - ADOPTION_SHARE) * ramp, before)
    return pd.DataFrame(
        {
            "team": np.repeat([f"team {i:03d}" for i in range(n)], months),
            "month": np.tile(pd.date_range(FIRST_MONTH, periods=months, freq="MS"), n),
            "headcount": np.repeat(rng.integers(5, 26, n), months),
            "active_share": share.ravel(),
            "kpi": "outcome",
            "value": value.ravel(),
            "planted": np.expm1(log_effect).ravel(),
        }
    )


def planted_effect(panel: pd.DataFrame) -> float:
    """The planted average effect on adopting team-months, as the estimators report it: ``exp`` of the
    mean log effect, minus 1."""
    adopted = panel.loc[panel["adopted"] == 1, "planted"]
    return float(np.expm1(np.log1p(adopted).mean())) if len(adopted) else 0.0


def simulation_study(
    scenarios: Iterable[Scenario] = SCENARIOS, *, seeds: Iterable[int], confidence: float = 0.95
) -> pd.DataFrame:
    """Every scenario x seed, estimated by TWFE on adoption (the classic static DiD) and by the staggered
    DiD: columns ``scenario, seed, estimator, planted, effect, ci_low, ci_high, p, pretrend_p``."""
    rows = []
    for scenario in scenarios:
        for seed in seeds:
            panel = with_adoption(simulate_panel(scenario, seed=seed), threshold=ADOPTION_SHARE)
            estimates = pd.concat(
                [
                    twfe(panel, treatment="adopted", confidence=confidence).assign(estimator="twfe_adoption"),
                    staggered_did(panel, confidence=confidence),
                ]
            )
            rows.append(estimates.assign(scenario=scenario.name, seed=seed, planted=planted_effect(panel)))
    columns = ["scenario", "seed", "estimator", "planted", "effect", "ci_low", "ci_high", "p", "pretrend_p"]
    return pd.concat(rows, ignore_index=True)[columns]


def summarise(study: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Per scenario and estimator: ``seeds``, ``planted`` (mean), ``mean_estimate``, ``bias_pct`` (the
    mean error as a percentage of the planted effect; empty without one), ``coverage`` (share of intervals
    holding the planted effect), ``rejection_rate`` (share with p < ``alpha``: power, or the false-positive
    rate when nothing is planted) and ``pretrend_rejections`` (share failing the pre-trend test)."""
    frame = study.assign(
        error=study["effect"] - study["planted"],
        covered=(study["ci_low"] <= study["planted"]) & (study["planted"] <= study["ci_high"]),
        rejected=study["p"] < alpha,
        pretrend_rejected=(study["pretrend_p"] < alpha).where(study["pretrend_p"].notna()),
    )
    summary = frame.groupby(["scenario", "estimator"], sort=False).agg(
        seeds=("seed", "size"),
        planted=("planted", "mean"),
        mean_estimate=("effect", "mean"),
        error=("error", "mean"),
        coverage=("covered", "mean"),
        rejection_rate=("rejected", "mean"),
        pretrend_rejections=("pretrend_rejected", "mean"),
    )
    bias = 100 * summary["error"] / summary["planted"].where(summary["planted"].abs() > 0)
    return (
        summary.assign(bias_pct=bias)
        .drop(columns="error")
        .reset_index()[
            [
                "scenario",
                "estimator",
                "seeds",
                "planted",
                "mean_estimate",
                "bias_pct",
                "coverage",
                "rejection_rate",
                "pretrend_rejections",
            ]
        ]
    )


def _log_effects(
    rng: np.random.Generator, relative: np.ndarray, ramp: np.ndarray, scenario: Scenario
) -> np.ndarray:
    """Team x month log effects: the cohort's weight (1.6 for the first, 0.4 for the last) x the ramp x a
    team's own factor, scaled so that their mean over adopting team-months is ``log(1 + effect)``."""
    cohort = -relative[:, 0]  # each team's adoption month
    weight = np.interp(cohort, [min(scenario.cohorts), max(scenario.cohorts)], [1.6, 0.4])
    shape = weight[:, None] * ramp * rng.lognormal(0, 0.25, (scenario.teams, 1))
    return shape * np.log1p(scenario.effect) / shape[relative >= 0].mean()


def _noise(rng: np.random.Generator, scenario: Scenario) -> np.ndarray:
    """Team x month noise, autocorrelated month to month, stationary with the scenario's deviation."""
    shocks = rng.normal(0, scenario.noise, (scenario.teams, scenario.months))
    noise = shocks.copy()
    keep = scenario.persistence
    for month in range(1, scenario.months):
        noise[:, month] = keep * noise[:, month - 1] + np.sqrt(1 - keep**2) * shocks[:, month]
    return noise


def _cohorts(rng: np.random.Generator, baseline: np.ndarray, scenario: Scenario) -> np.ndarray:
    """Each team's adoption month (past the last month: never). Teams are ranked by their baseline plus
    as much noise again; the top ranks fill the cohorts in equal parts, earliest first."""
    n = baseline.size
    order = np.argsort(-(baseline / scenario.team_spread + rng.standard_normal(n)))
    adopting = int(round(n * (1 - scenario.never_adopting)))
    cohort = np.full(n, scenario.months)
    parts = np.array_split(order[:adopting], len(scenario.cohorts))
    for month, teams in zip(scenario.cohorts, parts, strict=True):
        cohort[teams] = month
    return cohort
