"""Daily active users, and a least-squares trend line through any active-user series (DAU, WAU, MAU).

DAU counts only day-grain rows: a weekly or monthly export row says someone was active in that period, not on
which day, so it never counts toward DAU (DESIGN.md). The trend is an ordinary least-squares line fitted with
numpy (statsmodels is not installed in the project's environment); its 95% interval for the slope uses the
t distribution with n - 2 degrees of freedom. The periods of a series are autocorrelated (the same people
come back), so the interval is narrower than the truth: read it as a description, not a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from adoption_kit.metrics.query import ANY_TOOL, NO_LIMIT, Grouping, result_keys, run_sql

_DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class TrendRule:
    """Options of the trend line: the confidence level of the slope's interval."""

    confidence: float = 0.95


DEFAULT_TREND = TrendRule()


def daily_active_users(
    activity: pd.DataFrame, people: pd.DataFrame, *, by: Grouping = "department", until: date | None = None
) -> pd.DataFrame:
    """Distinct active people per day from day-grain rows, zero-filled over the days those rows cover.

    Tools with no day-grain rows get no rows at all (their DAU is unknown, not zero). Columns ``[by...],
    tool, day, dau``.
    """
    sql = f"""
        WITH per_person AS (
            SELECT DISTINCT person_id, tool, day FROM activity WHERE grain = 'day' AND day <= $until
        ),
        active AS (
            SELECT {{keys}}, tool, day, person_id FROM per_person JOIN people USING (person_id)
            UNION ALL
            SELECT {{keys}}, '{ANY_TOOL}', day, person_id
            FROM (SELECT DISTINCT person_id, day FROM per_person) JOIN people USING (person_id)
        ),
        days AS (SELECT unnest(generate_series(min(day), max(day), INTERVAL 1 DAY)) AS day FROM active),
        groups AS (SELECT DISTINCT {{keys}} FROM people),
        tools AS (SELECT DISTINCT tool FROM active),
        cells AS (SELECT * FROM groups CROSS JOIN tools CROSS JOIN days),
        counted AS (SELECT {{key_names}}, tool, day, count(*) AS dau FROM active GROUP BY ALL)
        SELECT {{key_names}}, tool, day, coalesce(counted.dau, 0) AS dau
        FROM cells LEFT JOIN counted USING ({{key_names}}, tool, day)
        ORDER BY ALL
    """
    return run_sql(sql, by, {"until": until or NO_LIMIT}, activity=activity, people=people)


def active_users_trend(
    series: pd.DataFrame,
    *,
    by: Grouping = "department",
    value: str,
    period: str,
    confidence: float = DEFAULT_TREND.confidence,
) -> pd.DataFrame:
    """The least-squares line of ``value`` over ``period`` per group and tool, its slope per week with an
    interval: ``series`` is a tidy frame such as :func:`daily_active_users` (``value="dau", period="day"``),
    ``weekly_active_users`` (``"wau", "week"``) or ``monthly_active_users`` (``"mau", "month"``).

    Columns ``[by...], tool, periods, first_period, level_at_start`` (the line's value on the first period),
    ``slope_per_week, slope_low, slope_high`` (empty with fewer than three periods) and ``people``: the
    largest count in the series, a lower bound on the distinct people behind the row.
    """
    keys = [*result_keys(by), "tool"]
    frame = series[[*keys, period, value]].dropna(subset=[value])
    start = frame.groupby(keys)[period].transform("min")
    weeks = (frame[period] - start).dt.days / _DAYS_PER_WEEK
    grouped = frame.assign(x=weeks, y=frame[value].astype(float)).groupby(keys)
    centred_x = weeks - grouped["x"].transform("mean")
    centred_y = frame[value].astype(float) - grouped["y"].transform("mean")
    sums = (
        pd.DataFrame({"xx": centred_x**2, "xy": centred_x * centred_y, "yy": centred_y**2})
        .assign(**{k: frame[k] for k in keys})
        .groupby(keys)
        .sum()
    )
    summary = grouped.agg(
        periods=("y", "size"), first_period=(period, "min"), mean_x=("x", "mean"), mean_y=("y", "mean")
    )
    summary = summary.join(sums).join(frame.groupby(keys)[value].max().rename("people"))
    slope = summary["xy"] / summary["xx"].where(summary["xx"] > 0)
    residual = (summary["yy"] - slope * summary["xy"]).clip(lower=0)
    freedom = summary["periods"] - 2
    error = np.sqrt(residual / freedom.where(freedom > 0) / summary["xx"])
    from scipy import stats  # imported here: scipy.stats costs half a second at every start of the kit

    margin = stats.t.ppf(0.5 + confidence / 2, freedom.where(freedom > 0)) * error
    result = summary.assign(
        level_at_start=summary["mean_y"] - slope * summary["mean_x"],
        slope_per_week=slope,
        slope_low=slope - margin,
        slope_high=slope + margin,
    )
    columns = [
        "periods",
        "first_period",
        "level_at_start",
        "slope_per_week",
        "slope_low",
        "slope_high",
        "people",
    ]
    return result[columns].reset_index()
