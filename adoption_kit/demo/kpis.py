"""Monthly team KPIs, with an effect of AI use planted in one of them and a placebo in another."""

from __future__ import annotations

import numpy as np
import pandas as pd

from adoption_kit.demo.organisation import DEPARTMENTS, Calendar, Org, add_months

PLANTED_KPI = "tasks_completed_per_person"
PLANTED_EFFECT = 0.20
PLACEBO_KPI = "csat"


def team_kpis(rng: np.random.Generator, org: Org, any_active: np.ndarray, cal: Calendar) -> pd.DataFrame:
    """Monthly team KPIs with the planted effect of the team's active share on the planted KPI."""
    starts, n_teams = cal.month_starts, org.team_names.size
    months = starts.size - 1
    in_month = np.logical_or.reduceat(any_active[:, starts[0] : starts[-1]], starts[:-1] - starts[0], axis=1)
    employed = (org.hire[:, None] <= starts[1:] - 1) & (org.leave[:, None] >= starts[:-1])
    cell = (org.team[:, None] * months + np.arange(months)).ravel()
    headcount = np.bincount(cell, weights=employed.ravel(), minlength=n_teams * months)
    active = np.bincount(cell, weights=(in_month & employed).ravel(), minlength=n_teams * months)
    share = (active / np.maximum(headcount, 1)).reshape(n_teams, months)

    team_dept = np.zeros(n_teams, dtype=int)
    team_dept[org.team] = org.dept
    baseline = np.array([d.kpi_base for d in DEPARTMENTS])[team_dept] * rng.lognormal(0, 0.2, n_teams)
    calendar_month = np.array([add_months(cal.first, m).month for m in range(months)])
    trend = (1 + 0.008 * np.arange(months)) * np.select(
        [calendar_month == 8, calendar_month == 12], [0.94, 0.9], 1.0
    )
    noise = rng.lognormal(0, 0.06, (n_teams, months))
    tasks = baseline[:, None] * trend[None, :] * noise * (1 + PLANTED_EFFECT * share)
    csat = np.clip(4.0 + 0.6 * rng.random(n_teams)[:, None] + rng.normal(0, 0.07, (n_teams, months)), 1, 5)

    labels = np.array([add_months(cal.first, m).strftime("%Y-%m") for m in range(months)])
    frame = pd.DataFrame(
        {
            "month": np.tile(np.repeat(labels, n_teams), 2),
            "team": np.tile(org.team_names, 2 * months),
            "kpi": np.repeat([PLANTED_KPI, PLACEBO_KPI], n_teams * months),
            "value": np.round(np.concatenate([tasks.T.ravel(), csat.T.ravel()]), 2),
        }
    )
    return frame.sort_values(["month", "team", "kpi"], kind="stable", ignore_index=True)
