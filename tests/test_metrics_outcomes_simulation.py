"""A fast version of ``benchmarks/outcomes_simulation.py``: 40 simulated organisations per scenario.

The bands are looser than the benchmark's targets (over 40 seeds a coverage of 0.95 has a standard error of
about 0.035) but each can still fail: a DiD that ignores heterogeneity, or an error that is not clustered,
misses them.
"""

from __future__ import annotations

import numpy as np
import pytest

from adoption_kit.metrics import with_adoption
from adoption_kit.metrics.outcomes_simulation import (
    ADOPTION_SHARE,
    SCENARIOS,
    planted_effect,
    simulate_panel,
    simulation_study,
    summarise,
)

DEVELOPERS, NO_EFFECT = SCENARIOS[1], SCENARIOS[2]
SEEDS = range(40)


@pytest.fixture(scope="module")
def summary():
    study = simulation_study([DEVELOPERS, NO_EFFECT], seeds=SEEDS)
    return summarise(study).set_index(["scenario", "estimator"])


def test_when_an_effect_is_planted_then_its_average_over_adopting_team_months_is_the_scenarios():
    panel = with_adoption(simulate_panel(DEVELOPERS, seed=1), threshold=ADOPTION_SHARE)
    assert planted_effect(panel) == pytest.approx(0.26, rel=1e-12)
    assert (panel.loc[panel["adopted"] == 0, "planted"] == 0).all()


def test_when_teams_select_into_early_adoption_then_early_teams_start_higher_and_gain_more():
    panel = with_adoption(simulate_panel(DEVELOPERS, seed=2), threshold=ADOPTION_SHARE)
    teams = panel.groupby("team").agg(
        adoption=("adoption_month", "first"),
        first_value=("value", "first"),
        gain=("planted", lambda planted: planted[planted > 0].mean()),
    )
    first, last = teams["adoption"].min(), teams["adoption"].max()
    early, late, never = teams["adoption"] == first, teams["adoption"] == last, teams["adoption"].isna()
    assert np.log(teams.loc[early, "first_value"]).mean() > np.log(teams.loc[never, "first_value"]).mean()
    assert teams.loc[early, "gain"].mean() > 2 * teams.loc[late, "gain"].mean()


def test_when_effects_differ_and_grow_then_the_staggered_did_recovers_them_and_twfe_does_not(summary):
    did, twfe = (
        summary.loc[(DEVELOPERS.name, "staggered_did")],
        summary.loc[(DEVELOPERS.name, "twfe_adoption")],
    )
    assert did["coverage"] >= 0.85
    assert abs(did["bias_pct"]) < 10
    assert twfe["bias_pct"] < -15  # already-adopted teams as controls pull TWFE down: shown, not hidden
    assert twfe["coverage"] < 0.5


def test_when_nothing_is_planted_then_the_staggered_did_rarely_finds_something(summary):
    did = summary.loc[(NO_EFFECT.name, "staggered_did")]
    assert did["rejection_rate"] <= 0.15  # 6 of 40; the benchmark's 200 seeds show it near 5%
    assert did["coverage"] >= 0.85
    assert did["pretrend_rejections"] <= 0.15
