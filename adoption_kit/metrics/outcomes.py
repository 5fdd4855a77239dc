"""Usage against business outcomes: per KPI, the estimates, their multiple-comparison correction and
minimum detectable effect, the event study, and what can and cannot be concluded, in words.

The panel comes from :func:`adoption_kit.metrics.outcome_panel`; the estimators from
:mod:`adoption_kit.metrics.outcomes_did`. Per KPI: ``twfe`` (the log KPI on the active share, team and
month effects: the change that goes with a team going from no one to everyone active) and
``staggered_did`` (the average effect of adoption on adopting team-months, Sun-Abraham). The q-values are
Benjamini-Hochberg's over the KPIs, per estimator. The minimum detectable effect is the true effect that
an estimate as precise as this one would find (p < 1 - confidence) with probability ``power``:
``exp((z(1 - alpha/2) + z(power)) * se) - 1``. An estimate (or event-study month) resting on fewer than
``min_teams`` teams keeps no numbers, only a note saying why.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from adoption_kit.metrics.outcomes_did import event_study, staggered_did, twfe
from adoption_kit.metrics.outcomes_panel import DEFAULT_OUTCOMES, OutcomeRule, with_adoption

ESTIMATES = ["effect", "ci_low", "ci_high", "p", "q", "mde", "pretrend_p"]
COUNTS = ["n_teams", "n_adopting", "n_periods", "n_obs", "people"]
SETTINGS = ["confidence", "power", "adoption_share"]  # the row's interval, MDE power, adoption threshold
EFFECTS = ["kpi", "estimator", *ESTIMATES, *COUNTS, "coefficient", "se", *SETTINGS, "note"]
EVENTS = ["kpi", "relative_month", "effect", "ci_low", "ci_high", "n_teams", "people", "note"]


def outcome_effects(
    panel: pd.DataFrame, *, unit: str = "team", rule: OutcomeRule = DEFAULT_OUTCOMES
) -> pd.DataFrame:
    """Both estimates of every KPI of ``panel``: columns :data:`EFFECTS`, one row per KPI and estimator
    (``adoption_share`` only on the DiD's rows). A row with a ``note`` keeps no number."""
    marked = with_adoption(panel, unit=unit, threshold=rule.adoption_share)
    options = {"unit": unit, "confidence": rule.confidence}
    rows = [
        pd.concat(
            [
                twfe(frame, **options),
                staggered_did(frame, leads=rule.leads, min_teams=rule.min_teams, **options),
            ],
            ignore_index=True,
        ).assign(kpi=kpi)
        for kpi, frame in marked.groupby("kpi", sort=True)
    ]
    if not rows:
        return pd.DataFrame(columns=EFFECTS)
    effects = pd.concat(rows, ignore_index=True)
    did = effects["estimator"] == "staggered_did"
    effects = effects.assign(
        note=_notes(effects, rule.min_teams),
        mde=np.expm1(_detectable(rule) * effects["se"]),
        confidence=rule.confidence,
        power=rule.power,
        adoption_share=np.where(did, rule.adoption_share, np.nan),
    )
    hidden = effects["note"] != ""
    effects.loc[hidden, [*ESTIMATES, *COUNTS, "coefficient", "se", *SETTINGS]] = np.nan
    return effects.assign(q=q_values(effects))[EFFECTS].astype(dict.fromkeys(COUNTS, "Int64"))


def outcome_event_study(
    panel: pd.DataFrame, *, unit: str = "team", rule: OutcomeRule = DEFAULT_OUTCOMES
) -> pd.DataFrame:
    """Every KPI's event study (columns :data:`EVENTS`): months from ``rule.leads`` before adoption to
    ``rule.lags`` after, against the month before. A month resting on fewer than ``min_teams`` adopting
    teams, or of a DiD that has too few teams, keeps no numbers, only a note."""
    marked = with_adoption(panel, unit=unit, threshold=rule.adoption_share)
    frames = []
    for kpi, frame in marked.groupby("kpi", sort=True):
        study = event_study(frame, unit=unit, leads=rule.leads, lags=rule.lags, confidence=rule.confidence)
        overall = _notes(staggered_did(frame, unit=unit), rule.min_teams).iloc[0]
        few = study["n_teams"] < rule.min_teams
        note = np.where(few, f"fewer than {rule.min_teams} adopting teams this month", "")
        frames.append(study.assign(kpi=kpi, note=np.where(overall != "", overall, note)))
    if not frames:
        return pd.DataFrame(columns=EVENTS)
    study = pd.concat(frames, ignore_index=True)
    study.loc[study["note"] != "", ["effect", "ci_low", "ci_high", "n_teams", "people"]] = np.nan
    numbers = dict.fromkeys(["effect", "ci_low", "ci_high"], "float64")
    return study[EVENTS].astype(numbers | {"relative_month": "int64", "n_teams": "Int64", "people": "Int64"})


def outcome_sentences(effects: pd.DataFrame) -> pd.DataFrame:
    """One paragraph per KPI of :func:`outcome_effects`' table (or its published rows of one group): what
    its estimates say and what they cannot (association or effect, selection, reverse causality,
    pre-trends, the interval, the minimum detectable effect). Columns ``kpi, sentence``."""
    by_kpi = effects.set_index(["kpi", "estimator"])
    kpis = list(dict.fromkeys(effects["kpi"]))
    sentences = [
        _twfe_sentence(kpi, by_kpi.loc[(kpi, "twfe")])
        + " "
        + _did_sentence(by_kpi.loc[(kpi, "staggered_did")])
        for kpi in kpis
    ]
    return pd.DataFrame({"kpi": kpis, "sentence": sentences}, columns=["kpi", "sentence"])


def q_values(effects: pd.DataFrame) -> pd.Series:
    """Benjamini-Hochberg q-values of the ``p`` column, over the rows of each ``estimator`` (one row per
    KPI); empty where there is no p-value."""
    from statsmodels.stats.multitest import multipletests  # imported here: statsmodels is slow to import

    q = pd.Series(np.nan, index=effects.index)
    for _, rows in effects.loc[effects["p"].notna()].groupby("estimator"):
        q.loc[rows.index] = multipletests(rows["p"].to_numpy(), method="fdr_bh")[1]
    return q


def _notes(effects: pd.DataFrame, min_teams: int) -> pd.Series:
    """Why an estimate is not shown ("" when it is)."""
    twfe_rows = effects["estimator"] == "twfe"
    comparison = effects["n_teams"] - effects["n_adopting"]
    reasons = [
        (twfe_rows & (effects["n_teams"] < min_teams), f"fewer than {min_teams} teams"),
        (~twfe_rows & (effects["n_adopting"] < min_teams), f"fewer than {min_teams} teams adopted"),
        (~twfe_rows & (comparison < min_teams), f"fewer than {min_teams} comparison teams"),
        (effects["coefficient"].isna(), "no change in AI use to estimate from"),
    ]
    notes = pd.Series("", index=effects.index, dtype="str")
    for condition, reason in reversed(reasons):  # the first reason that applies is the one given
        notes = notes.mask(condition.fillna(False).astype(bool), reason)
    return notes


def _detectable(rule: OutcomeRule) -> float:
    """How many standard errors the minimum detectable effect is away from zero."""
    normal = NormalDist()
    return normal.inv_cdf(0.5 + rule.confidence / 2) + normal.inv_cdf(rule.power)


def _twfe_sentence(kpi: str, row: pd.Series) -> str:
    name = kpi.replace("_", " ")
    if row["note"]:
        return f"{name}: no estimate ({row['note']} to rest one on)."
    direction = "higher" if row["effect"] > 0 else "lower"
    found = f"{direction} in months when more of a team's people used AI tools"
    if not _excludes_zero(row):
        found = "no clear link with how many of a team's people used AI tools"
    found = (
        f"{name}: {found}; a team going from no one to everyone active went with {_interval(row)}, "
        f"over {row['n_teams']:.0f} teams and {row['n_periods']:.0f} months."
    )
    caveat = (
        " This is an association, not proof of an effect: teams chose how much to use AI (selection), "
        "and busier or better-performing teams may use more of it (reverse causality)."
    )
    return found + _significance(row) + caveat


def _did_sentence(row: pd.Series) -> str:
    if row["note"]:
        return (
            "A comparison of teams before and after adopting with teams that had not adopted is not possible "
            f"({row['note']})."
        )
    comparison = row["n_teams"] - row["n_adopting"]
    found = (
        f"Teams reaching {row['adoption_share']:.0%} of their people active changed by {_interval(row)} "
        f"against teams that had not (staggered difference-in-differences, {row['n_adopting']:.0f} adopting "
        f"and {comparison:.0f} comparison teams)"
    )
    alpha = 1 - row["confidence"]
    if pd.isna(row["pretrend_p"]):
        trend = "; too few months before adoption are observed to check that both groups moved alike before"
    elif row["pretrend_p"] >= alpha:
        trend = (
            "; before adopting, their KPI moved like the comparison teams' "
            f"(pre-trend p = {row['pretrend_p']:.2f}), so the comparison is a fair one, though teams that "
            "chose to adopt may still differ in ways that changed at the same time"
        )
    else:
        trend = (
            f"; but it already moved differently before adoption ({_p('pre-trend p', row['pretrend_p'])}), "
            "so this is not a credible estimate of an effect"
        )
    return found + trend + "." + _significance(row)


def _significance(row: pd.Series) -> str:
    """Whether the interval excludes no change; if not, the effect the data could have detected."""
    if _excludes_zero(row):
        return " The interval excludes no change, so chance alone is an unlikely explanation."
    return (
        " The interval includes no change, so chance cannot be ruled out; with this many teams only an "
        f"effect of about {row['mde']:.1%} or more either way would have been found with "
        f"{row['power']:.0%} probability."
    )


def _excludes_zero(row: pd.Series) -> bool:
    return bool(row["ci_low"] > 0 or row["ci_high"] < 0)


def _interval(row: pd.Series) -> str:
    return (
        f"{row['effect']:+.1%} ({row['confidence']:.0%} interval {row['ci_low']:+.1%} to "
        f"{row['ci_high']:+.1%}; {_p('p', row['p'])}, {_p('q', row['q'])} across the KPIs)"
    )


def _p(name: str, value: float) -> str:
    return f"{name} < 0.001" if value < 0.001 else f"{name} = {value:.3f}"
