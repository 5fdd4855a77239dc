"""Power users per group, tool and week or month.

The default rule is OpenAI's definition as given in the issue (OpenAI's enterprise AI adoption reports):
a person is a power user in a period when they are in the top 20% of the organisation's senders, OR
send 75 or more messages a week, OR use 3 or more tools or surfaces in a month. DESIGN.md words the same
three parts with "and"; :class:`PowerUserRule` makes each part and their combination an option.

A power user is always one of the period's active people, so the share never exceeds 1. The series is
sorted by group, tool and period, so it is already the trend of the share over time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from adoption_kit.errors import ConfigError
from adoption_kit.metrics.query import (
    NO_LIMIT,
    PERIOD_STEP,
    Grouping,
    active_periods,
    cells,
    run_sql,
)

_PERIODS = ("week", "month")
_COMBINATIONS = {"any": " OR ", "all": " AND "}


@dataclass(frozen=True)
class PowerUserRule:
    """Who counts as a power user; ``None`` switches a part off.

    - ``top_share``: in the top share of the organisation's senders of the tool (or of any tool) in the
      period: fewer than this share of senders sent more events. Ties are all in; people with no events
      are no senders.
    - ``weekly_messages``: at least this many events a week; for a month, the month's events per 7 days.
    - ``tools_or_surfaces``: at least this many distinct surfaces of the tool (for ``any``: distinct
      tool and surface pairs) in the calendar month; a week uses the month its Monday falls in.
    - ``combine``: ``"all"`` (every part must hold: DESIGN.md's definition, the default) or ``"any"``
      (one part suffices).
    """

    top_share: float | None = 0.2
    weekly_messages: int | None = 75
    tools_or_surfaces: int | None = 3
    combine: str = "all"

    def __post_init__(self) -> None:
        if self.combine not in _COMBINATIONS:
            raise ConfigError(f"unknown combine {self.combine!r}", column="combine", expected="any or all")
        if self.top_share is not None and not 0 < self.top_share <= 1:
            raise ConfigError(f"top_share {self.top_share}", column="top_share", expected="in (0, 1]")
        if self.top_share is None and self.weekly_messages is None and self.tools_or_surfaces is None:
            raise ConfigError("a power-user rule with no part", expected="at least one threshold")


def power_users(
    activity: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = "department",
    period: str = "week",
    until: date | None = None,
    rule: PowerUserRule = PowerUserRule(),
) -> pd.DataFrame:
    """Active people, power users and their share per group, tool (and ``any``) and ``period``.

    Zero-filled like WAU (nobody active: share empty). ``active_people`` is the count of people each row
    rests on; ``power_users`` is a count of people too. Columns ``[by...], tool, <period>,
    active_people, power_users, power_user_share``.
    """
    if period not in _PERIODS:
        raise ConfigError(f"unknown period {period!r}", column="period", expected="week or month")
    step = PERIOD_STEP[period]
    sql = f"""
        WITH active AS ({active_periods(period, keep=["events"])}),
        {cells(period)},
        per_person AS (
            SELECT {{key_names}}, tool, {period}, person_id, coalesce(events, 0) AS events,
                   date_trunc('month', {period}) AS breadth_month
            FROM active
        ),
        senders AS (
            SELECT person_id, tool, {period},
                   (rank() OVER (PARTITION BY tool, {period} ORDER BY events DESC) - 1)
                   / count(*) OVER (PARTITION BY tool, {period}) AS share_sending_more
            FROM per_person WHERE events > 0
        ),
        breadth AS (
            SELECT person_id, tool, month AS breadth_month, surfaces AS breadth FROM person_surfaces
        ),
        flagged AS (
            SELECT {{key_names}}, tool, {period}, person_id, {_is_power_user(rule)} AS is_power_user
            FROM (SELECT *, events * 7 / date_diff('day', {period}, {period} + {step}) AS weekly_rate
                  FROM per_person)
            LEFT JOIN senders USING (person_id, tool, {period})
            LEFT JOIN breadth USING (person_id, tool, breadth_month)
        ),
        counted AS (
            SELECT {{key_names}}, tool, {period}, count(*) AS active_people,
                   count(*) FILTER (WHERE is_power_user) AS power_users
            FROM flagged GROUP BY ALL
        )
        SELECT {{key_names}}, tool, {period}, coalesce(active_people, 0) AS active_people,
               coalesce(power_users, 0) AS power_users, power_users / active_people AS power_user_share
        FROM cells LEFT JOIN counted USING ({{key_names}}, tool, {period})
        ORDER BY ALL
    """
    parameters = {
        "until": until or NO_LIMIT,
        "top_share": rule.top_share,
        "weekly_messages": rule.weekly_messages,
        "tools_or_surfaces": rule.tools_or_surfaces,
    }
    return run_sql(sql, by, parameters, activity=activity, people=people)


def _is_power_user(rule: PowerUserRule) -> str:
    """The SQL condition the rule's switched-on parts make, combined as the rule says."""
    parts = {
        "top_share": "coalesce(share_sending_more < $top_share, false)",
        "weekly_messages": "weekly_rate >= $weekly_messages",
        "tools_or_surfaces": "coalesce(breadth >= $tools_or_surfaces, false)",
    }
    chosen = [condition for name, condition in parts.items() if getattr(rule, name) is not None]
    return "(" + _COMBINATIONS[rule.combine].join(chosen) + ")"
