"""The first adoption metrics: headcount, seat activation, WAU/MAU with stickiness, volume per active user.

Each function takes the workspace tables it needs as frames and returns one tidy row per group, tool
and period. ``by`` names a roster attribute of ``people``, or a tuple of them for a cross (``("department",
"team")``), or ``None`` for the whole organisation; ``tool="any"`` rows count a person once whichever tools
they used. Weekly and monthly series are zero-filled: every group of the roster gets a row for every tool
the organisation uses and every period the data covers, so a missing row never tells that nobody was
active. Person-level work is SQL in DuckDB.

Definitions (DESIGN.md): a week is an ISO week (Monday); a weekly-grain export row, whose week runs
Sunday to Saturday, counts for the ISO week of its Monday; weekly and monthly rows never count toward
DAU. Activation counts seats held on ``as_of`` whose holder used that tool at least once up to then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from adoption_kit.errors import ConfigError
from adoption_kit.metrics.query import (
    ANY_TOOL,
    NO_LIMIT,
    PERIOD_STEP,
    Grouping,
    active_periods,
    cells,
    run_sql,
    top_share,
)


def headcount(people: pd.DataFrame, *, by: Grouping = "department", as_of: date) -> pd.DataFrame:
    """People employed on ``as_of`` per group: columns ``[by...], people``."""
    sql = """
        SELECT {keys}, count(*) AS people
        FROM people
        WHERE (employed_from IS NULL OR employed_from <= $as_of)
          AND (employed_to IS NULL OR employed_to > $as_of)
        GROUP BY ALL ORDER BY ALL
    """
    return run_sql(sql, by, {"as_of": as_of}, people=people)


def seat_activation(
    seats: pd.DataFrame,
    activity: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = "department",
    as_of: date,
) -> pd.DataFrame:
    """Share of seat holders on ``as_of`` who used the tool at least once by then.

    Columns ``[by...], tool, seat_holders, activated, activation_rate``.
    """
    sql = f"""
        WITH held AS (
            SELECT DISTINCT person_id, tool FROM seats
            WHERE assigned_on <= $as_of AND (removed_on IS NULL OR removed_on > $as_of)
        ), held_any AS (
            SELECT person_id, tool FROM held UNION SELECT person_id, '{ANY_TOOL}' FROM held
        ), used_any AS (
            SELECT person_id, tool FROM person_first_days WHERE first_day <= $as_of
        )
        SELECT {{keys}}, held_any.tool,
               count(*) AS seat_holders,
               count(used_any.person_id) AS activated,
               count(used_any.person_id) / count(*) AS activation_rate
        FROM held_any
        JOIN people USING (person_id)
        LEFT JOIN used_any USING (person_id, tool)
        GROUP BY ALL ORDER BY ALL
    """
    return run_sql(sql, by, {"as_of": as_of}, seats=seats, activity=activity, people=people)


def weekly_active_users(
    activity: pd.DataFrame, people: pd.DataFrame, *, by: Grouping = "department", until: date | None = None
) -> pd.DataFrame:
    """Distinct active people per ISO week, zero-filled over the weeks the data covers.

    Columns ``[by...], tool, week, wau``.
    """
    sql = f"""
        WITH active AS ({active_periods("week")}),
        {cells("week")},
        counted AS (
            SELECT {{key_names}}, tool, week, count(*) AS wau FROM active GROUP BY ALL
        )
        SELECT {{key_names}}, tool, week, coalesce(counted.wau, 0) AS wau
        FROM cells LEFT JOIN counted USING ({{key_names}}, tool, week)
        ORDER BY ALL
    """
    return run_sql(sql, by, {"until": until or NO_LIMIT}, activity=activity, people=people)


def monthly_active_users(
    activity: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = "department",
    until: date | None = None,
    tools: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Distinct active people per calendar month, the month's mean WAU, and stickiness = mean WAU / MAU.

    The mean runs over the ISO weeks that lie wholly inside the month (every month has at least three),
    so stickiness never exceeds 1; a month the data only touches at its edge has no stickiness, nor does
    a month nobody was active in. ``tools``: only the rows of these tools (``"any"`` among them), all by
    default. Columns ``[by...], tool, month, mau, mean_wau, stickiness``.
    """
    sql = f"""
        WITH active AS ({active_periods("month", tools=tools)}),
        {cells("month", tools=tools)},
        counted AS (
            SELECT {{key_names}}, tool, month, count(*) AS mau FROM active GROUP BY ALL
        ),
        weekly AS ({active_periods("week", tools=tools)}),
        weeks AS (
            SELECT unnest(generate_series(min(week), max(week), INTERVAL 7 DAY)) AS week FROM weekly
        ),
        full_weeks AS (
            SELECT date_trunc('month', week) AS month, count(*) AS weeks FROM weeks
            WHERE date_trunc('month', week) = date_trunc('month', week + INTERVAL 6 DAY)
            GROUP BY ALL
        ),
        active_weeks AS (
            SELECT {{key_names}}, tool, date_trunc('month', week) AS month, count(*) AS person_weeks
            FROM weekly
            WHERE date_trunc('month', week) = date_trunc('month', week + INTERVAL 6 DAY)
            GROUP BY ALL
        )
        SELECT {{key_names}}, tool, month, mau, mean_wau, mean_wau / nullif(mau, 0) AS stickiness
        FROM (
            SELECT {{key_names}}, tool, month, coalesce(counted.mau, 0) AS mau,
                   coalesce(active_weeks.person_weeks, 0) / full_weeks.weeks AS mean_wau
            FROM cells
            LEFT JOIN counted USING ({{key_names}}, tool, month)
            LEFT JOIN full_weeks USING (month)
            LEFT JOIN active_weeks USING ({{key_names}}, tool, month)
        )
        ORDER BY ALL
    """
    parameters = {"until": until or NO_LIMIT, "tools": list(tools or [])}
    return run_sql(sql, by, parameters, activity=activity, people=people)


def monthly_active_people(
    activity: pd.DataFrame, people: pd.DataFrame, *, by: Grouping = "department", until: date | None = None
) -> pd.DataFrame:
    """Who was active in which month, per group and tool (and ``any``): one row per person and cell.

    Person-level, for analysts and for releases that add noise themselves; never publish it as is.
    Columns ``[by...], tool, month, person_id``.
    """
    sql = f"SELECT * FROM ({active_periods('month')}) ORDER BY ALL"
    return run_sql(sql, by, {"until": until or NO_LIMIT}, activity=activity, people=people)


def events_per_active_user(
    activity: pd.DataFrame, people: pd.DataFrame, *, by: Grouping = "department", until: date | None = None
) -> pd.DataFrame:
    """Events per active person per ISO week: mean, median and 90th percentile, zero-filled like WAU.

    Columns ``[by...], tool, week, active_users, events, events_per_user_mean, events_per_user_median,
    events_per_user_p90`` (the per-user numbers are empty where nobody was active).
    """
    sql = f"""
        WITH active AS ({active_periods("week", keep=["events"])}),
        {cells("week")},
        counted AS (
            SELECT {{key_names}}, tool, week,
                   count(*) AS active_users,
                   sum(events) AS events,
                   avg(events) AS events_per_user_mean,
                   quantile_cont(events, 0.5) AS events_per_user_median,
                   quantile_cont(events, 0.9) AS events_per_user_p90
            FROM active GROUP BY ALL
        )
        SELECT {{key_names}}, tool, week, coalesce(active_users, 0) AS active_users,
               coalesce(events, 0) AS events, events_per_user_mean, events_per_user_median,
               events_per_user_p90
        FROM cells LEFT JOIN counted USING ({{key_names}}, tool, week)
        ORDER BY ALL
    """
    return run_sql(sql, by, {"until": until or NO_LIMIT}, activity=activity, people=people)


def top_contributors_share(
    activity: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = "department",
    until: date | None = None,
    contributors: int = 2,
) -> pd.DataFrame:
    """The share of each week's events made by its ``contributors`` most active people (the (n,k) rule's
    input), per group, tool and week; zero-filled like WAU (no events: share 0).

    Columns ``[by...], tool, week, top_share``.
    """
    sql = f"""
        WITH active AS ({active_periods("week", keep=["events"])}),
        {cells("week")},
        shares AS (
            SELECT {{key_names}}, tool, week, {top_share("events")} AS top_share FROM active GROUP BY ALL
        )
        SELECT {{key_names}}, tool, week, coalesce(top_share, 0) AS top_share
        FROM cells LEFT JOIN shares USING ({{key_names}}, tool, week)
        ORDER BY ALL
    """
    parameters = {"until": until or NO_LIMIT, "contributors": contributors}
    return run_sql(sql, by, parameters, activity=activity, people=people)


def changes_only_by_joiners_and_leavers(
    activity: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = "department",
    until: date | None = None,
    period: str = "week",
    fewer_than: int,
    tools: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Periods whose active people differ from the previous period's only by fewer than ``fewer_than``
    joiners or leavers of the group: publishing both periods would tell what those few people did.

    A person counts as a joiner or leaver between two periods when their employment starts after the
    earlier period began or ends before the later one ends. ``tools``: only the rows of these tools
    (``"any"`` among them), all by default. Columns ``[by...], tool, <period>, isolates_turnover`` (True
    where the change from the previous period is that small and all turnover).
    """
    if period not in ("week", "month"):
        raise ConfigError(f"unknown period {period!r}", column="period", expected="week or month")
    step = PERIOD_STEP[period]
    sql = f"""
        WITH active AS ({active_periods(period, keep=["joined", "leaving"], tools=tools)}),
        {cells(period, tools=tools)},
        delta AS (
            SELECT {{key_names}}, tool, {period}, person_id FROM active WHERE joined
            UNION ALL
            SELECT {{key_names}}, tool, {period} + {step} AS {period}, person_id FROM active WHERE leaving
        ),
        flagged AS (
            SELECT {{key_names}}, tool, {period}, count(*) AS changed,
                   bool_and(coalesce(employed_from > {period} - {step}, false)
                            OR coalesce(employed_to <= {period} + {step}, false)) AS all_turnover
            FROM delta JOIN (SELECT person_id, employed_from, employed_to FROM people) USING (person_id)
            GROUP BY ALL
        )
        SELECT {{key_names}}, tool, {period},
               coalesce({period} > (SELECT min({period}) FROM cells)
                        AND changed < $fewer_than AND all_turnover, false) AS isolates_turnover
        FROM cells LEFT JOIN flagged USING ({{key_names}}, tool, {period})
        ORDER BY ALL
    """
    parameters = {"until": until or NO_LIMIT, "fewer_than": fewer_than, "tools": list(tools or [])}
    return run_sql(sql, by, parameters, activity=activity, people=people)
