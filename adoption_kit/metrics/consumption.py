"""When the tools are used and how close they run to their limits: the weekday and hourly profiles of
requests, throttled (rate-limited) requests per week, and the headroom between the busiest day and a usual
busy day.

Only day-grain activity can say which weekday it fell on; weekly and monthly rows are left out of the
weekday profile and of peak headroom. Only event-level sources (gateway logs, Cursor and Gemini events)
say the hour, in ``activity_hours``; hours are UTC. Events are the tool's unit of use (requests, messages,
prompts): counts of use, not of people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from adoption_kit.metrics.query import ANY_TOOL, NO_LIMIT, WEEK, Grouping, run_sql, top_shares


@dataclass(frozen=True)
class ConsumptionRule:
    """``peak_percentile``: the day peak headroom measures the busiest day against (0.95: a busy day
    that one day in twenty exceeds)."""

    peak_percentile: float = 0.95


DEFAULT_RULE = ConsumptionRule()
NO_START = date(1900, 1, 1)  # "since" when none is given

_DAILY = f"""
    SELECT {{keys}}, tool, day, person_id, events FROM activity JOIN people USING (person_id)
    WHERE grain = 'day' AND day <= $until
    UNION ALL
    SELECT {{keys}}, '{ANY_TOOL}', day, person_id, events FROM activity JOIN people USING (person_id)
    WHERE grain = 'day' AND day <= $until
"""


def weekday_profile(
    activity: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = "department",
    since: date | None = None,
    until: date | None = None,
    contributors: int = 2,
) -> pd.DataFrame:
    """Events per ISO weekday (1 = Monday ... 7 = Sunday) per group and tool, and their share.

    Every group and tool with day-grain events gets all seven weekdays (zero-filled); ``share`` = the
    weekday's events / the group's and tool's events, so the seven shares sum to 1. ``people`` counts the
    distinct people active on that weekday, ``top_share`` is the share of the cell's events made by its
    ``contributors`` most active people. ``since`` and ``until`` bound the days (both included).
    Columns ``[by...], tool, weekday, events, share, people, top_share``.
    """
    sql = f"""
        WITH daily AS (SELECT *, isodow(day) AS weekday FROM ({_DAILY}) WHERE day >= $since),
        weekdays AS (SELECT unnest(range(1, 8)) AS weekday),
        {top_shares("{key_names}, tool, weekday", "daily")},
        cells AS (SELECT DISTINCT {{key_names}}, tool FROM daily),
        counted AS (
            SELECT {{key_names}}, tool, isodow(day) AS weekday, sum(events) AS events,
                   count(DISTINCT person_id) AS people
            FROM daily GROUP BY ALL
        )
        SELECT {{key_names}}, tool, weekday, coalesce(events, 0) AS events,
               coalesce(events, 0)
                   / nullif(sum(coalesce(events, 0)) OVER (PARTITION BY {{key_names}}, tool), 0) AS share,
               coalesce(people, 0) AS people, coalesce(top_share, 0) AS top_share
        FROM cells CROSS JOIN weekdays LEFT JOIN counted USING ({{key_names}}, tool, weekday)
        LEFT JOIN top_shares USING ({{key_names}}, tool, weekday)
        ORDER BY ALL
    """
    parameters = {"since": since or NO_START, "until": until or NO_LIMIT, "contributors": contributors}
    return run_sql(sql, by, parameters, activity=activity, people=people)


def throttled_requests(
    activity: pd.DataFrame, people: pd.DataFrame, *, by: Grouping = "department", until: date | None = None
) -> pd.DataFrame:
    """Requests and throttled (rate-limited) requests per group, tool and ISO week.

    Only rows whose source reports ``throttled`` count (a tool that never reports it has no rows: empty is
    not zero). ``throttled_share`` = throttled / requests. ``people`` counts the distinct people with such
    rows that week. Columns ``[by...], tool, week, requests, throttled, throttled_share, people``.
    """
    sql = f"""
        WITH reported AS (
            SELECT {{keys}}, tool, {WEEK} AS week, person_id, events, throttled
            FROM activity JOIN people USING (person_id)
            WHERE throttled IS NOT NULL AND day <= $until
        ), both_ AS (
            SELECT * FROM reported
            UNION ALL
            SELECT {{key_names}}, '{ANY_TOOL}', week, person_id, events, throttled FROM reported
        )
        SELECT {{key_names}}, tool, week, sum(events) AS requests, sum(throttled) AS throttled,
               sum(throttled) / nullif(sum(events), 0) AS throttled_share,
               count(DISTINCT person_id) AS people
        FROM both_ WHERE week IS NOT NULL GROUP BY ALL ORDER BY ALL
    """
    return run_sql(sql, by, {"until": until or NO_LIMIT}, activity=activity, people=people)


def peak_headroom(
    activity: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = None,
    since: date | None = None,
    until: date | None = None,
    rule: ConsumptionRule = DEFAULT_RULE,
    contributors: int = 2,
) -> pd.DataFrame:
    """How far the busiest day goes beyond a usual busy day, per group and tool.

    Daily events are summed over the group's day-grain rows for every calendar day from the first to the
    last day in the data (days without use count as 0). ``peak_day`` is the busiest day (the first, on a
    tie) and ``peak_events`` its events; ``percentile_events`` is the ``rule.peak_percentile`` quantile of
    the daily events (linear interpolation), and ``peak_to_percentile`` = peak / percentile: 1 means the
    peak is an ordinary busy day; 2 means a capacity or rate limit sized for the busy day is exceeded twice
    over on the peak (empty when the percentile day has no events). ``people`` counts the
    distinct people active in the span, ``top_share`` the share of the peak day's events made by its
    ``contributors`` most active people. ``since`` and ``until`` bound the days (both included).
    Columns ``[by...], tool, days, peak_day, peak_events, percentile_events, peak_to_percentile, people,
    top_share``.
    """
    sql = f"""
        WITH daily AS (SELECT * FROM ({_DAILY}) WHERE day >= $since),
        {top_shares("{key_names}, tool, day", "daily")},
        days AS (
            SELECT unnest(generate_series(min(day), max(day), INTERVAL 1 DAY)) AS day FROM daily
        ),
        cells AS (SELECT DISTINCT {{key_names}}, tool FROM daily),
        totals AS (SELECT {{key_names}}, tool, day, sum(events) AS events FROM daily GROUP BY ALL),
        filled AS (
            SELECT {{key_names}}, tool, day, coalesce(events, 0) AS events
            FROM cells CROSS JOIN days LEFT JOIN totals USING ({{key_names}}, tool, day)
        ),
        ranked AS (
            SELECT *,
                   row_number() OVER (PARTITION BY {{key_names}}, tool ORDER BY events DESC, day) AS busiest
            FROM filled
        ),
        summary AS (
            SELECT {{key_names}}, tool, count(*) AS days, min(day) FILTER (WHERE busiest = 1) AS peak_day,
                   max(events) AS peak_events, quantile_cont(events, $percentile) AS percentile_events
            FROM ranked GROUP BY ALL
        ),
        counted AS (SELECT {{key_names}}, tool, count(DISTINCT person_id) AS people FROM daily GROUP BY ALL)
        SELECT {{key_names}}, tool, days, peak_day, peak_events, percentile_events,
               peak_events / nullif(percentile_events, 0) AS peak_to_percentile, people,
               coalesce(top_share, 0) AS top_share
        FROM summary JOIN counted USING ({{key_names}}, tool)
        LEFT JOIN (SELECT {{key_names}}, tool, day AS peak_day, top_share FROM top_shares)
            USING ({{key_names}}, tool, peak_day)
        ORDER BY ALL
    """
    parameters = {
        "since": since or NO_START,
        "until": until or NO_LIMIT,
        "percentile": rule.peak_percentile,
        "contributors": contributors,
    }
    return run_sql(sql, by, parameters, activity=activity, people=people)


def hourly_profile(
    activity_hours: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = "department",
    since: date | None = None,
    until: date | None = None,
    contributors: int = 2,
) -> pd.DataFrame:
    """Events per UTC hour (0 ... 23) per group and tool, their share, and throttled requests per hour.

    Hours are UTC, whatever the person's time zone: the profile says when load reaches the service (a
    team spread over time zones shows a wide working day, not a late one). Every group and tool with
    hourly rows gets all 24 hours (zero-filled); ``share`` = the hour's events / the group's and tool's
    events, so the 24 shares sum to 1. ``people`` counts the distinct people active in that hour;
    ``throttled`` sums the rate-limited requests (empty for a tool that never reports them); ``top_share`` is
    the share of the cell's events made by its ``contributors`` most active people. ``since`` and ``until``
    bound the UTC days (both included). Columns ``[by...], tool, hour, events, share, throttled, people,
    top_share``.
    """
    sql = f"""
        WITH hourly AS (
            SELECT {{keys}}, tool, hour, person_id, events, throttled
            FROM activity_hours JOIN people USING (person_id)
            WHERE day BETWEEN $since AND $until
            UNION ALL
            SELECT {{keys}}, '{ANY_TOOL}', hour, person_id, events, throttled
            FROM activity_hours JOIN people USING (person_id)
            WHERE day BETWEEN $since AND $until
        ),
        hours AS (SELECT unnest(range(0, 24)) AS hour),
        {top_shares("{key_names}, tool, hour", "hourly")},
        cells AS (
            SELECT {{key_names}}, tool, bool_or(throttled IS NOT NULL) AS reports_throttling
            FROM hourly GROUP BY ALL
        ),
        counted AS (
            SELECT {{key_names}}, tool, hour, sum(events) AS events, sum(throttled) AS throttled,
                   count(DISTINCT person_id) AS people
            FROM hourly GROUP BY ALL
        )
        SELECT {{key_names}}, tool, hour, coalesce(events, 0) AS events,
               coalesce(events, 0)
                   / nullif(sum(coalesce(events, 0)) OVER (PARTITION BY {{key_names}}, tool), 0) AS share,
               CASE WHEN reports_throttling THEN coalesce(throttled, 0) END AS throttled,
               coalesce(people, 0) AS people, coalesce(top_share, 0) AS top_share
        FROM cells CROSS JOIN hours LEFT JOIN counted USING ({{key_names}}, tool, hour)
        LEFT JOIN top_shares USING ({{key_names}}, tool, hour)
        ORDER BY ALL
    """
    parameters = {"since": since or NO_START, "until": until or NO_LIMIT, "contributors": contributors}
    return run_sql(sql, by, parameters, activity_hours=activity_hours, people=people)
