"""Outcome estimates in reports and the event-study chart, on a hand-written published run.

The organisation shows the demo's two KPIs (TWFE: tasks +19%, interval 17% to 22%; csat +0.4%, interval
-0.2% to +1.0%) and a DiD for tasks resting on 8 people (shown by the run, whose minimum is 5); its DiD of
csat is suppressed. Finance has too few teams for anything. The event study of tasks shows months -2 to 1;
month 2 rests on too few adopting teams.
"""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from adoption_kit import plots, report_outcomes
from adoption_kit.publish import PublishedRun

NAN = np.nan
TASKS = "tasks_completed_per_person"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _effects() -> pd.DataFrame:
    rows = [
        ("organisation", "ALL", TASKS, "twfe", 0.19, 0.17, 0.22, 1700, "", False),
        ("organisation", "ALL", TASKS, "staggered_did", 0.11, 0.08, 0.14, 8, "", False),
        ("organisation", "ALL", "csat", "twfe", 0.004, -0.002, 0.01, 1700, "", False),
        (
            "organisation",
            "ALL",
            "csat",
            "staggered_did",
            NAN,
            NAN,
            NAN,
            NAN,
            "fewer than 10 teams adopted",
            True,
        ),
        ("department", "Finance", TASKS, "twfe", NAN, NAN, NAN, NAN, "fewer than 10 teams", True),
        (
            "department",
            "Finance",
            TASKS,
            "staggered_did",
            NAN,
            NAN,
            NAN,
            NAN,
            "fewer than 10 teams adopted",
            True,
        ),
    ]
    columns = ["group_by", "group", "kpi", "estimator", "effect", "ci_low", "ci_high", "people", "note"]
    frame = pd.DataFrame(rows, columns=[*columns, "suppressed"])
    shown = ~frame["suppressed"]
    numbers = {
        "p": np.where(shown, 0.01, NAN),
        "q": np.where(shown, 0.02, NAN),
        "mde": np.where(shown, 0.03, NAN),
        "pretrend_p": np.where(shown & (frame["estimator"] == "staggered_did"), 0.5, NAN),
        "n_teams": np.where(shown, 40, NAN),
        "n_adopting": np.where(shown & (frame["estimator"] == "staggered_did"), 30, NAN),
        "n_periods": np.where(shown, 6, NAN),
        "confidence": np.where(shown, 0.95, NAN),
        "power": np.where(shown, 0.8, NAN),
        "adoption_share": np.where(shown & (frame["estimator"] == "staggered_did"), 0.5, NAN),
    }
    return frame.assign(**numbers)


def _event_study() -> pd.DataFrame:
    months = [-2, -1, 0, 1, 2]
    return pd.DataFrame(
        {
            "group_by": "organisation",
            "group": "ALL",
            "kpi": TASKS,
            "relative_month": months,
            "effect": [0.01, 0.0, 0.12, 0.11, NAN],
            "ci_low": [-0.02, NAN, 0.09, 0.07, NAN],
            "ci_high": [0.04, NAN, 0.15, 0.15, NAN],
            "n_teams": [40, 80, 80, 70, NAN],
            "people": [400, 800, 800, 700, NAN],
            "note": ["", "", "", "", "fewer than 10 adopting teams this month"],
            "suppressed": [False, False, False, False, True],
        }
    )


@pytest.fixture
def run(tmp_path) -> PublishedRun:
    folder = tmp_path / "2026-10"
    folder.mkdir()
    _effects().to_parquet(folder / "outcome_effects.parquet", index=False)
    _event_study().to_parquet(folder / "outcome_event_study.parquet", index=False)
    manifest = {
        "period": "2026-10",
        "min_group_size": 5,
        "tables": ["outcome_effects", "outcome_event_study"],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return PublishedRun.open(folder)


def test_when_a_group_has_estimates_then_hidden_ones_keep_only_their_note(run):
    section = report_outcomes.effects(run, "ALL")
    table = section.table.set_index(["kpi", "estimator"])
    assert table.loc[(TASKS, "twfe"), "effect"] == 0.19
    hidden = table.loc[("csat", "staggered_did")]
    assert hidden["note"] == "fewer than 10 teams adopted" and hidden[["effect", "p", "n_teams"]].isna().all()
    assert section.note.startswith("3 of 4 estimates of the whole organisation are shown")


@pytest.mark.parametrize(
    ("min_group_size", "did_note"),
    [
        (5, ""),  # the run's own minimum: 8 people are enough
        (10, "fewer than 10 people"),  # a stricter report hides it and says why
    ],
)
def test_when_a_report_is_stricter_than_the_run_then_estimates_on_fewer_people_are_hidden(
    run, min_group_size, did_note
):
    table = report_outcomes.effects(run, "ALL", min_group_size=min_group_size).table
    row = table.set_index(["kpi", "estimator"]).loc[(TASKS, "staggered_did")]
    assert row["note"] == did_note and pd.isna(row["effect"]) == bool(did_note)


def test_when_a_department_has_too_few_teams_then_the_report_says_so_in_words(run):
    assert report_outcomes.effects(run, "Finance").note == (
        "No estimate of Finance is shown: fewer than 10 teams to rest one on."
    )
    (sentence,) = report_outcomes.sentences(run, "Finance")
    assert "no estimate (fewer than 10 teams to rest one on)" in sentence


def test_when_the_run_is_the_demo_then_the_planted_effect_is_stated_with_its_interval(run):
    assert report_outcomes.planted_effect(run) == (
        "The demo organisation plants +20% tasks completed per person for a team going from no one to "
        "everyone active on AI tools. The TWFE estimate is +19.0% (95% interval +17.0% to +22.0%): its "
        "interval covers the planted effect. The placebo, csat, has nothing planted: +0.4% (95% interval "
        "-0.2% to +1.0%), an interval that covers no change."
    )


def test_when_a_run_has_no_outcome_tables_then_reports_say_so(tmp_path):
    folder = tmp_path / "2026-10"
    folder.mkdir()
    (folder / "manifest.json").write_text(
        json.dumps({"period": "2026-10", "min_group_size": 5, "tables": []})
    )
    run = PublishedRun.open(folder)
    assert not report_outcomes.effects(run, "ALL").available
    assert report_outcomes.planted_effect(run) == "" and report_outcomes.event_study_kpis(run, "ALL") == []


def test_when_the_event_study_is_drawn_then_hidden_months_are_left_out_and_the_reference_is_zero(run):
    study = report_outcomes.event_study(run, "ALL")
    assert report_outcomes.event_study_kpis(run, "ALL") == [TASKS]
    ax = plots.event_study(study, kpi=TASKS)
    (points,) = [line for line in ax.lines if line.get_marker() == "o"]
    assert list(points.get_xdata()) == [-2, -1, 0, 1]
    assert list(points.get_ydata()) == pytest.approx([0.01, 0.0, 0.12, 0.11])


def test_when_no_month_of_a_kpi_is_shown_then_the_chart_says_too_few_teams(run):
    ax = plots.event_study(report_outcomes.event_study(run, "ALL"), kpi="csat")
    assert ax.texts[-1].get_text().startswith("Too few teams to show.")
