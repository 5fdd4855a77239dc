"""Usage against outcomes on tiny panels whose every number was worked out on paper or another way.

The panel: Alpha / One has o1..o6 (o6 leaves on 1 March), Alpha / Two t1..t5 (t5 joins on 15 March),
Beta / Three s1..s3. February and March 2026; events of any tool per person:

    February  o1 10 (ChatGPT), o2 4 (Copilot) + 6 (ChatGPT), t1 5, s1 3
    March     o1 30, t1 12, t5 8, s1 2

Team sizes: One 6 then 5, Two 4 then 5, Three 3 and 3. With a minimum of 5, Two's February and all of
Three are left out. Power users (only the "top 20% of senders" part): February o1 and o2 (tied first of 4
senders), March o1 (first of 4).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from adoption_kit.config import load_settings
from adoption_kit.errors import ConfigError
from adoption_kit.metrics import OutcomeRule, outcome_effects, outcome_panel, outcome_sentences, with_adoption
from adoption_kit.metrics.outcomes import q_values
from adoption_kit.metrics.outcomes_did import event_study, staggered_did, twfe
from adoption_kit.metrics.power_users import PowerUserRule
from tests.test_config_release import REPO, _project

FEBRUARY, MARCH = pd.Timestamp("2026-02-01"), pd.Timestamp("2026-03-01")
TOP_SENDERS = PowerUserRule(weekly_messages=None, tools_or_surfaces=None)
Z_80_POWER_5_PERCENT = 1.959964 + 0.841621  # normal quantiles 0.975 and 0.80, from a printed table


@pytest.fixture
def people() -> pd.DataFrame:
    ids = [f"o{i}" for i in range(1, 7)] + [f"t{i}" for i in range(1, 6)] + ["s1", "s2", "s3"]
    employed_from = ["2025-01-01"] * 10 + ["2026-03-15"] + ["2025-01-01"] * 3
    employed_to = [None] * 5 + ["2026-03-01"] + [None] * 8
    return pd.DataFrame(
        {
            "person_id": ids,
            "department": ["Alpha"] * 11 + ["Beta"] * 3,
            "team": ["Alpha / One"] * 6 + ["Alpha / Two"] * 5 + ["Beta / Three"] * 3,
            "employed_from": pd.to_datetime(employed_from),
            "employed_to": pd.to_datetime(employed_to),
        }
    )


@pytest.fixture
def activity() -> pd.DataFrame:
    rows = [
        ("o1", "chatgpt_enterprise", "2026-02-03", 10),
        ("o2", "github_copilot", "2026-02-04", 4),
        ("o2", "chatgpt_enterprise", "2026-02-05", 6),
        ("t1", "chatgpt_enterprise", "2026-02-05", 5),
        ("s1", "chatgpt_enterprise", "2026-02-06", 3),
        ("o1", "chatgpt_enterprise", "2026-03-03", 30),
        ("t1", "chatgpt_enterprise", "2026-03-04", 12),
        ("t5", "chatgpt_enterprise", "2026-03-17", 8),
        ("s1", "chatgpt_enterprise", "2026-03-05", 2),
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "tool", "day", "events"])
    return frame.assign(day=pd.to_datetime(frame["day"]), grain="day", surface="chat")


@pytest.fixture
def outcomes() -> pd.DataFrame:
    rows = [
        ("Alpha / One", FEBRUARY, "tasks", 100.0),
        ("Alpha / One", MARCH, "tasks", 110.0),
        ("Alpha / One", MARCH, "csat", 4.5),
        ("Alpha / Two", FEBRUARY, "tasks", 50.0),
        ("Alpha / Two", MARCH, "tasks", 60.0),
        ("Beta / Three", FEBRUARY, "tasks", 10.0),
        ("Beta / Three", MARCH, "tasks", 12.0),
    ]
    frame = pd.DataFrame(rows, columns=["unit_id", "period", "kpi", "value"])
    return frame.assign(unit_type="team")


def test_when_a_team_is_under_the_minimum_in_a_month_then_the_panel_leaves_that_month_out(
    people, activity, outcomes
):
    panel = outcome_panel(people, activity, outcomes, min_group_size=5, rule=TOP_SENDERS)
    expected = pd.DataFrame(
        {
            "department": ["Alpha"] * 4,
            "team": ["Alpha / One"] * 3 + ["Alpha / Two"],
            "month": [FEBRUARY, MARCH, MARCH, MARCH],
            "headcount": [6, 5, 5, 5],
            "active_people": [2, 1, 1, 2],
            "active_share": [2 / 6, 1 / 5, 1 / 5, 2 / 5],
            "events_per_person": [20 / 6, 30 / 5, 30 / 5, 20 / 5],
            "power_users": [2, 1, 1, 0],
            "power_user_share": [2 / 6, 1 / 5, 1 / 5, 0.0],
            "kpi": ["tasks", "csat", "tasks", "tasks"],
            "value": [100.0, 4.5, 110.0, 60.0],
        }
    )
    pd.testing.assert_frame_equal(panel, expected, check_dtype=False)


def test_when_the_panel_is_by_department_then_each_kpi_is_its_teams_mean_weighted_by_their_size(
    people, activity, outcomes
):
    panel = outcome_panel(people, activity, outcomes, by="department", min_group_size=5, rule=TOP_SENDERS)
    expected = pd.DataFrame(
        {
            "department": ["Alpha"] * 3,
            "month": [FEBRUARY, MARCH, MARCH],
            "headcount": [10, 10, 10],
            "active_people": [3, 3, 3],
            "active_share": [0.3, 0.3, 0.3],
            "events_per_person": [2.5, 5.0, 5.0],
            "power_users": [2, 1, 1],
            "power_user_share": [0.2, 0.1, 0.1],
            "kpi": ["tasks", "csat", "tasks"],
            "value": [(6 * 100 + 4 * 50) / 10, 4.5, (5 * 110 + 5 * 60) / 10],  # Beta: 3 people, left out
        }
    )
    pd.testing.assert_frame_equal(panel, expected, check_dtype=False)


def _panel(values: dict[str, list[float]], shares: dict[str, list[float]]) -> pd.DataFrame:
    """One KPI's team x month panel: each team's values and active shares over consecutive months."""
    months = pd.date_range("2026-01-01", periods=len(next(iter(values.values()))), freq="MS")
    return pd.DataFrame(
        {
            "team": np.repeat(list(values), len(months)),
            "month": np.tile(months, len(values)),
            "headcount": 5,
            "active_share": np.concatenate([shares[team] for team in values]),
            "kpi": "tasks",
            "value": np.concatenate(list(values.values())),
        }
    )


def test_when_a_team_first_reaches_the_share_then_that_month_is_its_adoption_month():
    panel = _panel({"a": [1, 1, 1], "b": [1, 1, 1]}, {"a": [0.2, 0.6, 0.4], "b": [0.1, 0.2, 0.3]})
    marked = with_adoption(panel, threshold=0.5)
    assert marked["adoption_month"].tolist()[:3] == [pd.Timestamp("2026-02-01")] * 3
    assert marked["adopted"].tolist() == [0, 1, 1, 0, 0, 0]  # adopted stays adopted; b never adopts
    assert marked["adoption_month"].iloc[3:].isna().all()


def test_when_twfe_is_fitted_then_slope_and_clustered_error_match_dummies_and_a_hand_sandwich():
    rng = np.random.default_rng(3)
    teams, months = 8, 5
    share = rng.uniform(0, 1, (teams, months))
    value = np.exp(rng.normal(0, 0.1, (teams, months)) + 0.3 * share + rng.normal(0, 0.2, teams)[:, None])
    panel = _panel({f"t{i}": value[i] for i in range(teams)}, {f"t{i}": share[i] for i in range(teams)})
    found = twfe(panel).iloc[0]

    team = np.repeat(np.arange(teams), months)
    month = np.tile(np.arange(months), teams)
    dummies = np.column_stack([share.ravel(), np.eye(teams)[team], np.eye(months)[month][:, 1:]])
    y = np.log(value.ravel())
    beta, *_ = np.linalg.lstsq(dummies, y, rcond=None)
    residual = y - dummies @ beta
    x = share.ravel() - share.mean(axis=1)[team] - share.mean(axis=0)[month] + share.mean()  # FWL
    scores = np.bincount(team, weights=x * residual)
    se = math.sqrt(teams / (teams - 1) * (scores**2).sum() / (x**2).sum() ** 2)
    margin = stats.t.ppf(0.975, teams - 1) * se
    assert found["coefficient"] == pytest.approx(beta[0], abs=1e-10)
    assert found["se"] == pytest.approx(se, rel=1e-8)
    assert [found["effect"], found["ci_low"], found["ci_high"]] == pytest.approx(
        [math.expm1(beta[0]), math.expm1(beta[0] - margin), math.expm1(beta[0] + margin)], rel=1e-8
    )
    assert (found["n_teams"], found["n_periods"], found["n_obs"], found["people"]) == (8, 5, 40, 40)


def test_when_two_teams_adopt_against_two_that_never_do_then_the_did_is_the_2x2_by_hand():
    values = {"a": [100, 130], "b": [200, 240], "c": [100, 110], "d": [50, 55]}
    shares = {"a": [0.1, 0.8], "b": [0.2, 0.6], "c": [0.0, 0.1], "d": [0.1, 0.3]}
    found = staggered_did(with_adoption(_panel(values, shares), threshold=0.5)).iloc[0]
    adopters = (math.log(130 / 100) + math.log(240 / 200)) / 2
    others = (math.log(110 / 100) + math.log(55 / 50)) / 2
    assert found["effect"] == pytest.approx(math.exp(adopters - others) - 1, rel=1e-10)
    assert (found["n_teams"], found["n_adopting"]) == (4, 2)
    assert np.isnan(found["pretrend_p"])  # no month before the reference month: nothing to test


def test_when_every_team_adopts_then_the_last_cohort_is_the_comparison_until_it_adopts():
    values = {"early": [100, 120, 150], "late": [80, 84, 100]}
    shares = {"early": [0.1, 0.7, 0.9], "late": [0.1, 0.2, 0.8]}
    found = staggered_did(with_adoption(_panel(values, shares), threshold=0.5)).iloc[0]
    assert found["effect"] == pytest.approx((120 / 100) / (84 / 80) - 1, rel=1e-10)  # the 3rd month goes
    assert (found["n_teams"], found["n_adopting"], found["n_periods"]) == (2, 1, 2)


def test_when_a_team_adopted_before_the_data_begins_then_the_did_leaves_it_out():
    values = {"a": [100, 130], "b": [100, 125], "c": [100, 110], "always": [100, 200]}
    shares = {"a": [0.1, 0.8], "b": [0.2, 0.6], "c": [0.0, 0.1], "always": [0.9, 0.9]}
    found = staggered_did(with_adoption(_panel(values, shares), threshold=0.5)).iloc[0]
    assert found["effect"] == pytest.approx(math.sqrt(1.3 * 1.25) / 1.1 - 1, rel=1e-10)
    assert (found["n_teams"], found["n_adopting"]) == (3, 2)


@pytest.mark.parametrize(
    ("left_out", "adopting"),
    [
        ([0, 5], 0),  # the adopter seen from month 2 on, the comparison team until month 2: reference only
        ([5], 1),  # the comparison team until month 2: the adopter seen before adopting only
    ],
)
def test_when_adopters_are_never_seen_after_adopting_then_the_did_has_no_estimate(left_out, adopting):
    # a panel leaves out team-months under the minimum group size: both once stopped the whole publish
    panel = _panel({"a": [100, 110, 130], "c": [100, 105, 108]}, {"a": [0.1, 0.2, 0.8], "c": [0.1] * 3})
    marked = with_adoption(panel.drop(index=left_out).reset_index(drop=True), threshold=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = staggered_did(marked).iloc[0]
        study = event_study(marked)
    assert np.isnan(found["effect"]) and np.isnan(found["ci_low"]) and np.isnan(found["pretrend_p"])
    assert (found["n_teams"], found["n_adopting"]) == (2, adopting)
    assert 0 not in study.get("relative_month", pd.Series(dtype=int)).tolist()


def test_when_the_event_study_runs_then_each_month_is_a_did_against_the_month_before_adoption():
    values = {
        "a": [90, 100, 130, 140],
        "b": [210, 200, 240, 260],
        "c": [100, 100, 110, 120],
        "d": [48, 50, 55, 60],
    }
    shares = {t: [0.0, 0.1, 0.7, 0.8] for t in ("a", "b")} | {t: [0.0, 0.1, 0.2, 0.1] for t in ("c", "d")}
    panel = _panel(values, shares)
    study = event_study(with_adoption(panel, threshold=0.5)).set_index("relative_month")
    logs = np.log(panel.pivot(index="team", columns="month", values="value").to_numpy())
    change = logs - logs[:, [1]]  # against month 2, the month before adoption
    expected = np.expm1(change[:2].mean(axis=0) - change[2:].mean(axis=0))
    assert study.index.tolist() == [-2, -1, 0, 1]
    assert study["effect"].to_numpy() == pytest.approx(expected, abs=1e-10)
    assert study["n_teams"].tolist() == [2, 2, 2, 2] and study.at[-1, "people"] == 10


def test_when_p_values_are_corrected_then_q_values_are_benjamini_hochberg_by_hand():
    effects = pd.DataFrame(
        {
            "estimator": ["twfe"] * 4 + ["staggered_did", "staggered_did"],
            "p": [0.01, 0.04, 0.03, 0.2, 0.3, None],
        }
    )
    # sorted 0.01, 0.03, 0.04, 0.2: 0.2 * 4/4 = 0.2; 0.04 * 4/3; min(0.03 * 4/2, 0.04 * 4/3); 0.01 * 4/1
    expected = [0.04, 0.16 / 3, 0.16 / 3, 0.2, 0.3, np.nan]
    assert q_values(effects).tolist() == pytest.approx(expected, nan_ok=True)


def test_when_effects_are_estimated_then_the_minimum_detectable_effect_is_2_8_standard_errors():
    rng = np.random.default_rng(5)
    share = rng.uniform(0, 1, (12, 4))
    value = np.exp(0.2 * share + rng.normal(0, 0.05, (12, 4)))
    panel = _panel({f"t{i}": value[i] for i in range(12)}, {f"t{i}": share[i] for i in range(12)})
    effects = outcome_effects(panel, rule=OutcomeRule(min_teams=10)).set_index("estimator")
    row = effects.loc["twfe"]
    assert row["mde"] == pytest.approx(math.expm1(Z_80_POWER_5_PERCENT * row["se"]), rel=1e-5)
    assert row["q"] == row["p"] and row["note"] == ""  # one KPI: nothing to correct
    assert effects.at["staggered_did", "note"] == "fewer than 10 teams adopted"  # nobody reaches 50%


@pytest.mark.parametrize(
    ("min_teams", "twfe_note"),
    [
        (4, ""),  # four teams: enough
        (5, "fewer than 5 teams"),  # one short: no numbers at all
    ],
)
def test_when_an_estimate_rests_on_too_few_teams_then_it_keeps_only_a_note(min_teams, twfe_note):
    values = {"a": [100, 130], "b": [200, 240], "c": [100, 110], "d": [50, 55]}
    shares = {"a": [0.1, 0.8], "b": [0.2, 0.6], "c": [0.0, 0.1], "d": [0.1, 0.3]}
    effects = outcome_effects(_panel(values, shares), rule=OutcomeRule(min_teams=min_teams))
    row = effects.set_index("estimator").loc["twfe"]
    assert row["note"] == twfe_note
    hidden = effects.loc[effects["note"] != ""]
    assert hidden[["effect", "ci_low", "ci_high", "p", "q", "mde", "n_teams"]].isna().all().all()


def _effects(changes: dict[tuple[str, str], object]) -> pd.DataFrame:
    """A hand-written effects table of one KPI (a clear TWFE association, a DiD with flat pre-trends), with
    ``changes`` ((column, estimator): value) applied."""
    base = {
        "kpi": ["tasks_done", "tasks_done"],
        "estimator": ["twfe", "staggered_did"],
        "effect": [0.2, 0.1],
        "ci_low": [0.1, 0.05],
        "ci_high": [0.3, 0.15],
        "p": [0.001, 0.002],
        "q": [0.002, 0.002],
        "mde": [0.05, 0.06],
        "pretrend_p": [np.nan, 0.6],
        "n_teams": [40, 30],
        "n_adopting": [np.nan, 20],
        "n_periods": [6, 6],
        "confidence": [0.95, 0.95],
        "power": [0.8, 0.8],
        "adoption_share": [np.nan, 0.5],
        "note": ["", ""],
    }
    frame = pd.DataFrame(base)
    for (column, estimator), value in changes.items():
        frame.loc[frame["estimator"] == estimator, column] = value
    return frame


@pytest.mark.parametrize(
    ("changes", "said", "not_said"),
    [
        ({}, ["tasks done: higher", "association, not proof", "selection", "reverse causality",
              "20 adopting and 10 comparison teams", "pre-trend p = 0.60", "excludes no change"],
         ["not a credible"]),  # a clear association, flat pre-trends
        ({("ci_low", "twfe"): -0.05, ("p", "twfe"): 0.2},
         ["tasks done: no clear link", "about 5.0% or more either way"], ["tasks done: higher"]),  # chance
        ({("pretrend_p", "staggered_did"): 0.01}, ["not a credible estimate"], ["a fair one"]),  # pre-trends
        ({("pretrend_p", "staggered_did"): np.nan}, ["too few months before adoption"], ["pre-trend p"]),
        ({("note", "staggered_did"): "fewer than 10 teams adopted"},
         ["is not possible (fewer than 10 teams adopted)"], ["Teams reaching"]),  # hidden DiD
    ],
)  # fmt: skip
def test_when_estimates_are_put_in_words_then_each_kpi_says_what_can_and_cannot_be_concluded(
    changes, said, not_said
):
    (sentence,) = outcome_sentences(_effects(changes))["sentence"]
    assert all(part in sentence for part in said), sentence
    assert not any(part in sentence for part in not_said), sentence


def test_when_the_parameters_are_read_then_the_outcomes_section_sets_the_rule(tmp_path):
    assert load_settings(REPO).metrics.outcomes == OutcomeRule()
    changed = load_settings(_project(tmp_path, outcomes={"adoption_share": 0.4, "min_teams": 20}))
    assert changed.metrics.outcomes == OutcomeRule(adoption_share=0.4, min_teams=20)


@pytest.mark.parametrize(
    "values",
    [
        {"adoption_share": 1.5},  # a share above 1
        {"min_teams": 1},  # one team has no comparison
        {"confidence": 95},  # a percentage, not a level
        {"threshold": 0.5},  # an unknown key
    ],
)
def test_when_the_outcomes_section_is_wrong_then_the_error_names_it(tmp_path, values):
    with pytest.raises(ConfigError, match="outcomes") as raised:
        load_settings(_project(tmp_path, outcomes=values))
    assert raised.value.column == "outcomes"
