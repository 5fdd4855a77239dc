"""The outcomes panel: one row per group, month and KPI, with the group's AI use that month.

A group is a team by default (``by=("department", "team")``) or any coarser roster grouping such as
``"department"``. Its month counts the people employed at any time in it (``headcount``), those of them
active on any AI tool (``active_people``, ``active_share``), their events on all tools per person
(``events_per_person``: the tools' own units added up, so read it within one group over time, never across
groups using different tools) and its power users of any tool (``power_users``, ``power_user_share`` of
the headcount). KPIs come from the ``outcomes`` table's team rows; a coarser group's value is the mean of
its teams' values weighted by their headcount. A group-month under ``min_group_size`` people is left out.

A team *adopts* in the first month its active share reaches a threshold (:class:`OutcomeRule`); a team
that never does is a comparison team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from adoption_kit.errors import ConfigError
from adoption_kit.metrics.power_users import PowerUserRule, power_users
from adoption_kit.metrics.query import (
    ANY_TOOL,
    NO_LIMIT,
    Grouping,
    active_periods,
    result_keys,
    run_sql,
)

TEAMS = ("department", "team")
DEFAULT_POWER_USERS = PowerUserRule()


@dataclass(frozen=True)
class OutcomeRule:
    """Options of the outcomes analysis (``outcomes:`` in ``parameters/org.yaml``).

    - ``adoption_share``: a team adopts in the first month this share of its people is active on any tool.
    - ``min_teams``: an estimate (and each event-study month) resting on fewer teams is not published.
    - ``leads``, ``lags``: the event study's months before and after adoption.
    - ``confidence``: of every interval; ``power``: of the minimum detectable effect.
    """

    adoption_share: float = 0.5
    min_teams: int = 10
    leads: int = 3
    lags: int = 12
    confidence: float = 0.95
    power: float = 0.8

    def __post_init__(self) -> None:
        if not 0 < self.adoption_share <= 1:
            raise ConfigError(
                f"adoption_share {self.adoption_share}", column="adoption_share", expected="in (0, 1]"
            )
        if self.min_teams < 2 or self.leads < 2 or self.lags < 0:
            raise ConfigError(
                f"min_teams {self.min_teams}, leads {self.leads}, lags {self.lags}",
                column="min_teams",
                expected="min_teams and leads of at least 2, lags of at least 0",
            )
        if not (0 < self.confidence < 1 and 0 < self.power < 1):
            raise ConfigError(
                f"confidence {self.confidence}, power {self.power}", column="confidence", expected="in (0, 1)"
            )


DEFAULT_OUTCOMES = OutcomeRule()

_PANEL = f"""
    WITH active AS ({active_periods("month", keep=["events"])}),
    months AS (
        SELECT DISTINCT date_trunc('month', period) AS month FROM outcomes
        WHERE unit_type = 'team' AND period <= $until
          AND date_trunc('month', period) >= (SELECT min(month) FROM active)
    ),
    staff AS (
        SELECT {{keys}}, people.team AS unit_id, person_id, month FROM people CROSS JOIN months
        WHERE coalesce(employed_from < month + INTERVAL 1 MONTH, true) AND coalesce(employed_to > month, true)
    ),
    used AS (
        SELECT person_id, month, sum(coalesce(events, 0)) AS events FROM active
        WHERE tool = '{ANY_TOOL}' GROUP BY ALL
    ),
    counted AS (
        SELECT {{key_names}}, month, count(*) AS headcount, count(used.person_id) AS active_people,
               coalesce(sum(used.events), 0) AS events
        FROM staff LEFT JOIN used USING (person_id, month) GROUP BY ALL
    ),
    team_sizes AS (SELECT unit_id, month, count(*) AS size FROM staff GROUP BY ALL),
    units AS (SELECT DISTINCT {{key_names}}, unit_id FROM staff),
    kpis AS (
        SELECT {{key_names}}, date_trunc('month', period) AS month, kpi,
               sum(value * size) / sum(size) AS value
        FROM outcomes
        JOIN units USING (unit_id)
        JOIN team_sizes ON team_sizes.unit_id = outcomes.unit_id
                       AND team_sizes.month = date_trunc('month', outcomes.period)
        WHERE unit_type = 'team' GROUP BY ALL
    )
    SELECT {{key_names}}, month, headcount, active_people, active_people / headcount AS active_share,
           events / headcount AS events_per_person, kpi, value
    FROM counted JOIN kpis USING ({{key_names}}, month)
    WHERE headcount >= $min_group_size
    ORDER BY ALL
"""


def outcome_panel(
    people: pd.DataFrame,
    activity: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    by: Grouping = TEAMS,
    until: date | None = None,
    min_group_size: int,
    rule: PowerUserRule = DEFAULT_POWER_USERS,
) -> pd.DataFrame:
    """Each group's months with their AI use and KPI values (see the module's docstring).

    Columns ``[by...], month, headcount, active_people, active_share, events_per_person, power_users,
    power_user_share, kpi, value``: one row per group, month and KPI, for months the KPIs and the activity
    both cover and groups of at least ``min_group_size`` people that month.
    """
    if by is None:
        raise ConfigError("an outcomes panel of one group", column="by", expected="teams or departments")
    until = until or NO_LIMIT
    parameters = {"until": until, "min_group_size": min_group_size}
    panel = run_sql(_PANEL, by, parameters, people=people, activity=activity, outcomes=outcomes)
    keys = result_keys(by)
    found = power_users(activity, people, by=by, period="month", until=until, rule=rule)
    found = found.loc[found["tool"] == ANY_TOOL, [*keys, "month", "power_users"]]
    panel = panel.merge(found.astype({"month": panel["month"].dtype}), on=[*keys, "month"], how="left")
    counts = panel["power_users"].fillna(0).astype("int64")
    columns = [*keys, "month", "headcount", "active_people", "active_share", "events_per_person"]
    return panel.assign(power_users=counts, power_user_share=counts / panel["headcount"])[
        [*columns, "power_users", "power_user_share", "kpi", "value"]
    ]


def with_adoption(panel: pd.DataFrame, *, unit: str = "team", threshold: float) -> pd.DataFrame:
    """``panel`` with each unit's ``adoption_month`` (the first month its active share reached
    ``threshold``; empty for a unit that never did) and ``adopted`` (the row's month is on or after it)."""
    shares = panel[[unit, "month", "active_share"]].drop_duplicates([unit, "month"])
    reached = shares.loc[shares["active_share"] >= threshold]
    first = reached.groupby(unit)["month"].min().rename("adoption_month")
    marked = panel.drop(columns=["adoption_month", "adopted"], errors="ignore").merge(
        first, left_on=unit, right_index=True, how="left"
    )
    return marked.assign(adopted=(marked["month"] >= marked["adoption_month"]).astype("int64"))
