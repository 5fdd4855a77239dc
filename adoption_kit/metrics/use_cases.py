"""Use-case mix: what people use AI tools for, as shares of the classified events per group and month.

The ``tasks`` table holds events by use case, from a vendor's classification (ChatGPT's tools, Gemini's
actions) or from the kit's keyword rules on scrubbed prompts. Only classified events count: a ChatGPT
message that used no tool has no use case and is not in the denominator. A weekly row counts for the month
of its Monday, as for MAU.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from adoption_kit.metrics.query import NO_LIMIT, Grouping, run_sql, top_share
from adoption_kit.schema import TASK_CATEGORIES


def use_case_mix(
    tasks: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = "department",
    until: date | None = None,
    contributors: int = 2,
) -> pd.DataFrame:
    """Events per use case for each group, tool (and ``any``) and calendar month with tasks.

    Every category of the vocabulary gets a row (zero-filled) for every group, tool and month that has
    classified events; ``share`` is the category's part of them (the shares of a cell sum to 1) and
    ``people`` counts the distinct people behind the category's events; ``top_share`` is the share of them
    made by its ``contributors`` most active people (the (n,k) rule's input).
    Columns ``[by...], tool, month, category, events, share, people, top_share``.
    """
    sql = f"""
        WITH per_tool AS (
            SELECT {{keys}}, tool, month, category, person_id, events
            FROM person_tasks JOIN people USING (person_id)
        ),
        categories AS (SELECT unnest($categories) AS category),
        totals AS (SELECT {{key_names}}, tool, month, sum(events) AS total FROM per_tool GROUP BY ALL),
        counted AS (
            SELECT {{key_names}}, tool, month, category, sum(events) AS events, count(*) AS people,
                   {top_share("events")} AS top_share
            FROM per_tool GROUP BY ALL
        )
        SELECT {{key_names}}, tool, month, category,
               coalesce(events, 0)::BIGINT AS events,
               coalesce(events, 0) / total AS share,
               coalesce(people, 0) AS people, coalesce(top_share, 0) AS top_share
        FROM totals CROSS JOIN categories
        LEFT JOIN counted USING ({{key_names}}, tool, month, category)
        ORDER BY {{key_names}}, tool, month, array_position($categories, category)
    """
    parameters = {
        "until": until or NO_LIMIT,
        "categories": list(TASK_CATEGORIES),
        "contributors": contributors,
    }
    return run_sql(sql, by, parameters, tasks=tasks, people=people)
