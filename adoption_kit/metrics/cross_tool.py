"""How people combine AI tools: how many tools each uses in a month, which tools overlap, who moves.

A person uses a tool in a calendar month when they have an activity row for it that month (weekly rows
count for the month of their Monday, as for MAU). Months run over the months the activity covers; every
table is zero-filled over every roster group, month and tool (or pair of tools) in use, so a missing row
never tells that nobody did something.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from adoption_kit.errors import ConfigError
from adoption_kit.metrics.query import ANY_TOOL, NO_LIMIT, Grouping, run_sql

_MONTHLY_USE = f"""
        monthly AS (
            SELECT {{keys}}, person_id, tool, month
            FROM person_months JOIN people USING (person_id)
            WHERE tool <> '{ANY_TOOL}'
        ),
        months AS (
            SELECT unnest(generate_series(min(month), max(month), INTERVAL 1 MONTH)) AS month FROM monthly
        ),
        groups AS (SELECT DISTINCT {{keys}} FROM people),
        tools AS (SELECT DISTINCT tool FROM monthly)"""


@dataclass(frozen=True)
class CrossToolOptions:
    """``many_tools``: the top bucket of the tool count ("3+" by default)."""

    many_tools: int = 3

    def __post_init__(self) -> None:
        if self.many_tools < 1:
            raise ConfigError(f"many_tools {self.many_tools}", column="many_tools", expected="1 or more")


def tool_count_distribution(
    activity: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = "department",
    until: date | None = None,
    options: CrossToolOptions = CrossToolOptions(),
) -> pd.DataFrame:
    """People employed in the month by how many AI tools they used: ``0``, ``1``, ``2``, ``3+``.

    The denominator is the month's headcount (employed on any day of it: ``employed_from`` before the
    month ends, ``employed_to`` after it starts), so ``0`` counts employed people with no use; use by
    someone not employed that month is left out. ``people`` counts the bucket's people, ``employed``
    the group's; the shares of a group and month sum to 1 (empty when nobody was employed).
    Columns ``[by...], month, tools, people, employed, share``.
    """
    sql = f"""
        WITH {_MONTHLY_USE},
        employed AS (
            SELECT {{keys}}, person_id, month FROM people CROSS JOIN months
            WHERE (employed_from IS NULL OR employed_from < month + INTERVAL 1 MONTH)
              AND (employed_to IS NULL OR employed_to > month)
        ),
        per_person AS (
            SELECT {{key_names}}, month, person_id, least(count(DISTINCT tool), $many_tools) AS bucket
            FROM employed LEFT JOIN monthly USING ({{key_names}}, person_id, month)
            GROUP BY ALL
        ),
        counted AS (SELECT {{key_names}}, month, bucket, count(*) AS people FROM per_person GROUP BY ALL),
        headcount AS (SELECT {{key_names}}, month, count(*) AS employed FROM per_person GROUP BY ALL),
        buckets AS (SELECT unnest(range(0, $many_tools + 1)) AS bucket)
        SELECT {{key_names}}, month,
               CASE WHEN bucket = $many_tools THEN bucket || '+' ELSE bucket::VARCHAR END AS tools,
               coalesce(people, 0) AS people, coalesce(employed, 0) AS employed,
               coalesce(people, 0) / employed AS share
        FROM groups CROSS JOIN months CROSS JOIN buckets
        LEFT JOIN counted USING ({{key_names}}, month, bucket)
        LEFT JOIN headcount USING ({{key_names}}, month)
        ORDER BY {{key_names}}, month, bucket
    """
    parameters = {"until": until or NO_LIMIT, "many_tools": options.many_tools}
    return run_sql(sql, by, parameters, activity=activity, people=people)


def active_people_by_tool_count(
    activity: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = "department",
    until: date | None = None,
    options: CrossToolOptions = CrossToolOptions(),
) -> pd.DataFrame:
    """The month's active people by how many AI tools they used: ``1``, ``2``, ``3+``.

    Unlike :func:`tool_count_distribution`, everyone active counts (employed that month or not) and nobody
    else, so a group's buckets sum to its MAU for tool ``any`` exactly. Zero-filled over every roster
    group, month and bucket. Columns ``[by...], month, tools, people``.
    """
    sql = f"""
        WITH {_MONTHLY_USE},
        per_person AS (
            SELECT {{key_names}}, month, person_id, least(count(*), $many_tools) AS bucket
            FROM monthly GROUP BY ALL
        ),
        counted AS (SELECT {{key_names}}, month, bucket, count(*) AS people FROM per_person GROUP BY ALL),
        buckets AS (SELECT unnest(range(1, $many_tools + 1)) AS bucket)
        SELECT {{key_names}}, month,
               CASE WHEN bucket = $many_tools THEN bucket || '+' ELSE bucket::VARCHAR END AS tools,
               coalesce(people, 0) AS people
        FROM groups CROSS JOIN months CROSS JOIN buckets
        LEFT JOIN counted USING ({{key_names}}, month, bucket)
        ORDER BY {{key_names}}, month, bucket
    """
    parameters = {"until": until or NO_LIMIT, "many_tools": options.many_tools}
    return run_sql(sql, by, parameters, activity=activity, people=people)


def tool_overlaps(
    activity: pd.DataFrame, people: pd.DataFrame, *, by: Grouping = "department", until: date | None = None
) -> pd.DataFrame:
    """For each pair of tools and month: each tool's people and the people who used both (a Venn).

    ``tool_a`` sorts before ``tool_b``; all three counts are counts of people.
    Columns ``[by...], month, tool_a, tool_b, people_a, people_b, people_both``.
    """
    sql = f"""
        WITH {_MONTHLY_USE},
        pairs AS (SELECT a.tool AS tool_a, b.tool AS tool_b FROM tools a JOIN tools b ON a.tool < b.tool),
        per_tool AS (SELECT {{key_names}}, month, tool, count(*) AS people FROM monthly GROUP BY ALL),
        per_a AS (SELECT {{key_names}}, month, tool AS tool_a, people AS people_a FROM per_tool),
        per_b AS (SELECT {{key_names}}, month, tool AS tool_b, people AS people_b FROM per_tool),
        both_tools AS (
            SELECT {{key_names}}, month, a.tool AS tool_a, b.tool AS tool_b, count(*) AS people_both
            FROM monthly a JOIN monthly b USING ({{key_names}}, person_id, month)
            WHERE a.tool < b.tool GROUP BY ALL
        )
        SELECT {{key_names}}, month, tool_a, tool_b,
               coalesce(people_a, 0) AS people_a, coalesce(people_b, 0) AS people_b,
               coalesce(people_both, 0) AS people_both
        FROM groups CROSS JOIN months CROSS JOIN pairs
        LEFT JOIN per_a USING ({{key_names}}, month, tool_a)
        LEFT JOIN per_b USING ({{key_names}}, month, tool_b)
        LEFT JOIN both_tools USING ({{key_names}}, month, tool_a, tool_b)
        ORDER BY ALL
    """
    return run_sql(sql, by, {"until": until or NO_LIMIT}, activity=activity, people=people)


def tool_moves(
    activity: pd.DataFrame, people: pd.DataFrame, *, by: Grouping = "department", until: date | None = None
) -> pd.DataFrame:
    """People who moved from one tool to another: used ``from_tool`` in the previous month and not in
    ``month``, and used ``to_tool`` in ``month`` and not in the previous one.

    A person who drops two tools and picks up one counts in both pairs. ``from_people`` (the people of
    ``from_tool`` in the previous month) bounds ``moved``; both are counts of people. The first month of
    the data has no previous month and no rows. Columns ``[by...], month, from_tool, to_tool,
    from_people, moved``.
    """
    sql = f"""
        WITH {_MONTHLY_USE},
        pairs AS (
            SELECT a.tool AS from_tool, b.tool AS to_tool FROM tools a JOIN tools b ON a.tool <> b.tool
        ),
        shifted AS (SELECT {{key_names}}, person_id, tool, month + INTERVAL 1 MONTH AS month FROM monthly),
        dropped AS (SELECT * FROM shifted EXCEPT SELECT * FROM monthly),
        picked_up AS (SELECT * FROM monthly EXCEPT SELECT * FROM shifted),
        moves AS (
            SELECT {{key_names}}, month, dropped.tool AS from_tool, picked_up.tool AS to_tool,
                   count(*) AS moved
            FROM dropped JOIN picked_up USING ({{key_names}}, person_id, month)
            GROUP BY ALL
        ),
        before AS (
            SELECT {{key_names}}, month, tool AS from_tool, count(*) AS from_people FROM shifted GROUP BY ALL
        )
        SELECT {{key_names}}, month, from_tool, to_tool, coalesce(from_people, 0) AS from_people,
               coalesce(moved, 0) AS moved
        FROM groups CROSS JOIN (SELECT * FROM months WHERE month > (SELECT min(month) FROM months))
        CROSS JOIN pairs
        LEFT JOIN before USING ({{key_names}}, month, from_tool)
        LEFT JOIN moves USING ({{key_names}}, month, from_tool, to_tool)
        ORDER BY ALL
    """
    return run_sql(sql, by, {"until": until or NO_LIMIT}, activity=activity, people=people)
