"""Usage against business outcomes in reports: a group's published estimates, what they say and what they
cannot, and its KPIs' months around adoption (``outcome_effects`` and ``outcome_event_study``)."""

from __future__ import annotations

import pandas as pd

from adoption_kit.demo.kpis import PLACEBO_KPI, PLANTED_EFFECT, PLANTED_KPI
from adoption_kit.metrics import outcome_sentences
from adoption_kit.publish import OUTCOME_EFFECTS, OUTCOME_EVENT_STUDY, OUTCOME_KEYS, PublishedRun
from adoption_kit.report import Section, not_available, place, threshold

COLUMNS = [
    "kpi",
    "estimator",
    "effect",
    "ci_low",
    "ci_high",
    "p",
    "q",
    "n_teams",
    "n_periods",
    "mde",
    "pretrend_p",
    "note",
]
EVENT_COLUMNS = ["kpi", "relative_month", "effect", "ci_low", "ci_high", "n_teams", "note", "suppressed"]


def effects(run: PublishedRun, group: str, *, min_group_size: int = 0) -> Section:
    """``group``'s estimates, one row per KPI and estimator (columns :data:`COLUMNS`; a hidden one keeps
    its note and no number), and a sentence on what is shown."""
    if OUTCOME_EFFECTS not in run.tables:
        return not_available(OUTCOME_EFFECTS)
    table = _shown(run.table(OUTCOME_EFFECTS, group=group), OUTCOME_EFFECTS, threshold(run, min_group_size))
    if table.empty:
        note = f"No KPI of {place(group)} was published: the workspace holds no team KPIs for its teams."
    elif table["suppressed"].all():
        note = f"No estimate of {place(group)} is shown: {table['note'].iloc[0]} to rest one on."
    else:
        shown = (~table["suppressed"]).sum()
        note = (
            f"{shown} of {len(table)} estimates of {place(group)} are shown; twfe is the change with a team "
            "going from no one to everyone active, staggered_did the change when a team adopted."
        )
    return Section(table[COLUMNS].reset_index(drop=True), note)


def sentences(run: PublishedRun, group: str, *, min_group_size: int = 0) -> list[str]:
    """One plain paragraph per KPI: what ``group``'s estimates say and what they cannot."""
    if OUTCOME_EFFECTS not in run.tables:
        return [not_available(OUTCOME_EFFECTS).note]
    table = _shown(run.table(OUTCOME_EFFECTS, group=group), OUTCOME_EFFECTS, threshold(run, min_group_size))
    if table.empty:
        return [effects(run, group, min_group_size=min_group_size).note]
    return outcome_sentences(table)["sentence"].tolist()


def event_study(run: PublishedRun, group: str, *, min_group_size: int = 0) -> pd.DataFrame:
    """``group``'s KPIs month by month around adoption (columns :data:`EVENT_COLUMNS`; hidden months keep
    their note and no number), for :func:`adoption_kit.plots.event_study`."""
    if OUTCOME_EVENT_STUDY not in run.tables:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    frame = run.table(OUTCOME_EVENT_STUDY, group=group)
    return _shown(frame, OUTCOME_EVENT_STUDY, threshold(run, min_group_size))[EVENT_COLUMNS]


def event_study_kpis(run: PublishedRun, group: str, *, min_group_size: int = 0) -> list[str]:
    """The KPIs of ``group`` with at least one month after adoption shown in the event study."""
    study = event_study(run, group, min_group_size=min_group_size)
    shown = study.loc[~study["suppressed"] & (study["relative_month"] >= 0), "kpi"]
    return sorted(shown.unique())


def planted_effect(run: PublishedRun, *, min_group_size: int = 0) -> str:
    """For the demo organisation (a run with its planted and placebo KPIs): the effect it plants next to
    the organisation's TWFE estimate of it, and the placebo's; empty for any other organisation."""
    if OUTCOME_EFFECTS not in run.tables:
        return ""
    table = _shown(run.table(OUTCOME_EFFECTS, group="ALL"), OUTCOME_EFFECTS, threshold(run, min_group_size))
    twfe = table.loc[(table["estimator"] == "twfe") & ~table["suppressed"]].set_index("kpi")
    if not {PLANTED_KPI, PLACEBO_KPI} <= set(twfe.index):
        return ""
    planted, placebo = twfe.loc[PLANTED_KPI], twfe.loc[PLACEBO_KPI]
    return (
        f"The demo organisation plants {PLANTED_EFFECT:+.0%} {PLANTED_KPI.replace('_', ' ')} for a team "
        f"going from no one to everyone active on AI tools. The TWFE estimate is {_interval(planted)}: "
        f"its interval {_covers(planted, PLANTED_EFFECT)} the planted effect. The placebo, {PLACEBO_KPI}, "
        f"has nothing planted: {_interval(placebo)}, an interval that {_covers(placebo, 0.0)} no change."
    )


def _interval(row: pd.Series) -> str:
    interval = f"{row['confidence']:.0%} interval {row['ci_low']:+.1%} to {row['ci_high']:+.1%}"
    return f"{row['effect']:+.1%} ({interval})"


def _covers(row: pd.Series, value: float) -> str:
    return "covers" if row["ci_low"] <= value <= row["ci_high"] else "misses"


def _shown(frame: pd.DataFrame, name: str, minimum: int) -> pd.DataFrame:
    """The rows as a report may show them: a row the run suppressed, or resting on fewer than ``minimum``
    people, keeps its keys and note and no number."""
    people = pd.to_numeric(frame["people"], errors="coerce")
    hidden = frame["suppressed"].fillna(True).astype(bool) | ~(people >= minimum).fillna(False).astype(bool)
    keys = set(OUTCOME_KEYS[name]) | {"suppressed"}
    numbers = {c: frame[c].mask(hidden) for c in frame.columns if c not in keys}
    note = frame["note"].mask(hidden & (frame["note"] == ""), f"fewer than {minimum} people")
    return frame.assign(**numbers, note=note, suppressed=hidden).reset_index(drop=True)
