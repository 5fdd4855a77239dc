"""The first adoption metrics: headcount, seat activation, WAU/MAU with stickiness, volume per active user.

Each function takes the workspace tables it needs as frames and returns one tidy row per group, tool
and period. ``by`` names a roster attribute of ``people`` (``None``: the whole organisation); ``tool="any"``
rows count a person once whichever tools they used. Person-level work is SQL in DuckDB.

Definitions (DESIGN.md): a week is an ISO week (Monday); a weekly-grain export row, whose week runs
Sunday to Saturday, counts for the ISO week of its Monday; weekly and monthly rows never count toward
DAU. Activation counts seats held on ``as_of`` whose holder used that tool at least once up to then.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from adoption_kit.errors import KitError

ANY_TOOL = "any"
GROUPABLE = ("department", "team", "job_function", "location", "level", "tenure_band")

_WEEK = """CASE grain WHEN 'week' THEN date_trunc('week', day + INTERVAL 1 DAY)
                      WHEN 'day' THEN date_trunc('week', day) END"""
_MONTH = "date_trunc('month', CASE grain WHEN 'week' THEN day + INTERVAL 1 DAY ELSE day END)"


def headcount(people: pd.DataFrame, *, by: str | None = "department", as_of: date) -> pd.DataFrame:
    """People employed on ``as_of`` per group: columns ``[by], people``."""
    sql = f"""
        SELECT {_group(by)} AS grp, count(*) AS people
        FROM people
        WHERE (employed_from IS NULL OR employed_from <= $as_of)
          AND (employed_to IS NULL OR employed_to > $as_of)
        GROUP BY ALL ORDER BY ALL
    """
    return _run(sql, by, {"as_of": as_of}, people=people)


def seat_activation(
    seats: pd.DataFrame,
    activity: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: str | None = "department",
    as_of: date,
) -> pd.DataFrame:
    """Share of seat holders on ``as_of`` who used the tool at least once by then.

    Columns ``[by], tool, seat_holders, activated, activation_rate``.
    """
    sql = f"""
        WITH held AS (
            SELECT DISTINCT person_id, tool FROM seats
            WHERE assigned_on <= $as_of AND (removed_on IS NULL OR removed_on > $as_of)
        ), held_any AS (
            SELECT person_id, tool FROM held UNION SELECT person_id, '{ANY_TOOL}' FROM held
        ), used AS (
            SELECT DISTINCT person_id, tool FROM activity WHERE day <= $as_of
        ), used_any AS (
            SELECT person_id, tool FROM used UNION SELECT person_id, '{ANY_TOOL}' FROM used
        )
        SELECT {_group(by)} AS grp, held_any.tool,
               count(*) AS seat_holders,
               count(used_any.person_id) AS activated,
               count(used_any.person_id) / count(*) AS activation_rate
        FROM held_any
        JOIN people USING (person_id)
        LEFT JOIN used_any USING (person_id, tool)
        GROUP BY ALL ORDER BY ALL
    """
    return _run(sql, by, {"as_of": as_of}, seats=seats, activity=activity, people=people)


def weekly_active_users(
    activity: pd.DataFrame, people: pd.DataFrame, *, by: str | None = "department", until: date | None = None
) -> pd.DataFrame:
    """Distinct active people per ISO week, zero-filled over the weeks the data covers.

    Columns ``[by], tool, week, wau``.
    """
    sql = f"""
        WITH weekly AS ({_active_periods(_WEEK, "week")}),
        weeks AS (
            SELECT unnest(generate_series(min(week), max(week), INTERVAL 7 DAY)) AS week FROM weekly
        ),
        cells AS (SELECT DISTINCT grp, tool FROM weekly),
        counted AS (SELECT grp, tool, week, count(DISTINCT person_id) AS wau FROM weekly GROUP BY ALL)
        SELECT cells.grp, cells.tool, weeks.week, coalesce(counted.wau, 0) AS wau
        FROM cells CROSS JOIN weeks
        LEFT JOIN counted USING (grp, tool, week)
        ORDER BY ALL
    """
    return _run(sql, by, {"until": until or date.max}, activity=activity, people=people)


def monthly_active_users(
    activity: pd.DataFrame, people: pd.DataFrame, *, by: str | None = "department", until: date | None = None
) -> pd.DataFrame:
    """Distinct active people per calendar month, the month's mean WAU, and stickiness = mean WAU / MAU.

    The mean runs over the ISO weeks that lie wholly inside the month (every month has at least three),
    so stickiness never exceeds 1; a month the data only touches at its edge has no stickiness.
    Columns ``[by], tool, month, mau, mean_wau, stickiness``.
    """
    weekly = weekly_active_users(activity, people, by=by, until=until)
    sql = f"""
        WITH monthly AS ({_active_periods(_MONTH, "month")}),
        mau AS (SELECT grp, tool, month, count(DISTINCT person_id) AS mau FROM monthly GROUP BY ALL),
        wau AS (
            SELECT {'"' + by + '"' if by else "'ALL'"} AS grp, tool,
                   date_trunc('month', week) AS month, avg(wau) AS mean_wau
            FROM weekly
            WHERE date_trunc('month', week) = date_trunc('month', week + INTERVAL 6 DAY)
            GROUP BY ALL
        )
        SELECT grp, tool, month, mau.mau, wau.mean_wau, wau.mean_wau / mau.mau AS stickiness
        FROM mau LEFT JOIN wau USING (grp, tool, month)
        ORDER BY ALL
    """
    return _run(sql, by, {"until": until or date.max}, activity=activity, people=people, weekly=weekly)


def events_per_active_user(
    activity: pd.DataFrame, people: pd.DataFrame, *, by: str | None = "department", until: date | None = None
) -> pd.DataFrame:
    """Events per active person per ISO week: mean, median and 90th percentile.

    Columns ``[by], tool, week, active_users, events, events_per_user_mean, events_per_user_median,
    events_per_user_p90``.
    """
    sql = f"""
        WITH per_person AS (
            SELECT grp, tool, week, person_id, sum(events) AS events
            FROM ({_active_periods(_WEEK, "week", keep_events=True)}) GROUP BY ALL
        )
        SELECT grp, tool, week,
               count(*) AS active_users,
               sum(events) AS events,
               avg(events) AS events_per_user_mean,
               quantile_cont(events, 0.5) AS events_per_user_median,
               quantile_cont(events, 0.9) AS events_per_user_p90
        FROM per_person GROUP BY ALL ORDER BY ALL
    """
    return _run(sql, by, {"until": until or date.max}, activity=activity, people=people)


def _active_periods(period: str, name: str, *, keep_events: bool = False) -> str:
    """Activity rows with their group and period, once per tool and once more as tool 'any'."""
    events = ", events" if keep_events else ""
    return f"""
        SELECT grp, tool, {name}, person_id{events} FROM (
            SELECT {{group}} AS grp, tool, {period} AS {name}, person_id{events}
            FROM activity JOIN people USING (person_id)
            WHERE day <= $until
        ) WHERE {name} IS NOT NULL
        UNION ALL
        SELECT grp, '{ANY_TOOL}', {name}, person_id{events} FROM (
            SELECT {{group}} AS grp, {period} AS {name}, person_id{events}
            FROM activity JOIN people USING (person_id)
            WHERE day <= $until
        ) WHERE {name} IS NOT NULL
    """


def _group(by: str | None) -> str:
    if by is None:
        return "'ALL'"
    if by not in GROUPABLE:
        raise KitError(f"cannot group by {by!r}", column=by, expected=f"one of {', '.join(GROUPABLE)}")
    return f'people."{by}"'


def _run(sql: str, by: str | None, parameters: dict, **frames: pd.DataFrame) -> pd.DataFrame:
    """Run ``sql`` over the given frames; the group column comes back named after ``by``."""
    connection = duckdb.connect()
    for name, frame in frames.items():
        connection.register(name, frame)
    used = {key: value for key, value in parameters.items() if f"${key}" in sql}
    result = connection.execute(sql.replace("{group}", _group(by)), used).df()
    connection.close()
    if by is None:
        return result.drop(columns="grp")
    return result.rename(columns={"grp": by})
