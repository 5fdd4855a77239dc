"""The one place the metrics meet their query engine (DuckDB today), and the SQL pieces they share.

Metric modules write person-level SQL with two placeholders and hand it to :func:`run_sql`:
``{keys}`` selects the grouping's roster attributes from ``people`` (``people."department" AS
"department"``, or ``'ALL'`` for the whole organisation) and ``{key_names}`` names them (``"department"``).
``by`` names one roster attribute, a tuple of them for a cross, or ``None`` for the organisation.
Frames passed as keyword arguments become tables of the same name; ``$name`` parameters are bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb
import pandas as pd

from adoption_kit.errors import KitError

ANY_TOOL = "any"
GROUPABLE = ("department", "team", "job_function", "location", "level", "tenure_band")
ORGANISATION_KEY = "_organisation"
NO_LIMIT = date(2200, 1, 1)  # "until" when none is given (date.max does not fit a second-resolution day)

Grouping = str | Sequence[str] | None

# A weekly-grain row (dated on its Sunday) counts for the ISO week of the next day; monthly rows have none.
WEEK = """CASE grain WHEN 'week' THEN date_trunc('week', day + INTERVAL 1 DAY)
                      WHEN 'day' THEN date_trunc('week', day) END"""
MONTH = "date_trunc('month', CASE grain WHEN 'week' THEN day + INTERVAL 1 DAY ELSE day END)"
PERIOD_STEP = {"week": "INTERVAL 7 DAY", "month": "INTERVAL 1 MONTH"}


def cells(period: str) -> str:
    """``cells``: every roster group x every tool in use (and ``any``) x every period the data covers."""
    return f"""
        periods AS (
            SELECT unnest(generate_series(min({period}), max({period}), {PERIOD_STEP[period]})) AS {period}
            FROM active
        ),
        groups AS (SELECT DISTINCT {{keys}} FROM people),
        tools AS (SELECT DISTINCT tool FROM activity UNION SELECT '{ANY_TOOL}'),
        cells AS (
            SELECT * FROM groups CROSS JOIN tools CROSS JOIN periods
            WHERE (SELECT count(*) FROM active) > 0
        )
    """


def active_periods(period: str, name: str, *, keep_events: bool = False) -> str:
    """Activity rows with their group and period, once per tool and once more as tool 'any'."""
    events = ", events" if keep_events else ""
    return f"""
        SELECT {{key_names}}, tool, {name}, person_id{events} FROM (
            SELECT {{keys}}, tool, {period} AS {name}, person_id{events}
            FROM activity JOIN people USING (person_id)
            WHERE day <= $until
        ) WHERE {name} IS NOT NULL
        UNION ALL
        SELECT {{key_names}}, '{ANY_TOOL}', {name}, person_id{events} FROM (
            SELECT {{keys}}, {period} AS {name}, person_id{events}
            FROM activity JOIN people USING (person_id)
            WHERE day <= $until
        ) WHERE {name} IS NOT NULL
    """


def top_shares(cell: str, source: str, *, amount: str = "events", name: str = "top_shares") -> str:
    """``name``: per cell (the columns ``cell`` lists), the share of the cell's ``amount`` made by its
    ``$contributors`` biggest contributors (people of ``source``): the (n,k) dominance rule's input, 0 for
    a cell with nothing in it. Columns ``<cell...>, top_share``."""
    return f"""
        {name}_per_person AS (
            SELECT {cell}, person_id, sum({amount}) AS amount FROM {source} GROUP BY ALL
        ),
        {name}_ranked AS (
            SELECT *, row_number() OVER (PARTITION BY {cell} ORDER BY amount DESC) AS rank
            FROM {name}_per_person
        ),
        {name} AS (
            SELECT {cell},
                   coalesce(sum(amount) FILTER (WHERE rank <= $contributors) / nullif(sum(amount), 0), 0)
                       AS top_share
            FROM {name}_ranked GROUP BY ALL
        )"""


def result_keys(by: Grouping) -> list[str]:
    """The grouping's columns in a result of :func:`run_sql` (none for the whole organisation)."""
    return [] if by is None else key_columns(by)


def key_columns(by: Grouping) -> list[str]:
    """The roster attributes a grouping splits by (a placeholder column for the whole organisation)."""
    if by is None:
        return [ORGANISATION_KEY]
    columns = [by] if isinstance(by, str) else list(by)
    unknown = [c for c in columns if c not in GROUPABLE]
    if unknown or not columns:
        raise KitError(
            f"cannot group by {unknown[0] if unknown else by!r}",
            column=unknown[0] if unknown else None,
            expected=f"one or more of {', '.join(GROUPABLE)}",
        )
    return columns


def run_sql(sql: str, by: Grouping, parameters: dict, **frames: pd.DataFrame) -> pd.DataFrame:
    """Run ``sql`` over the given frames with ``{keys}`` / ``{key_names}`` standing for the grouping."""
    columns = key_columns(by)
    if by is None:
        keys = f"'ALL' AS {ORGANISATION_KEY}"
    else:
        keys = ", ".join(f'people."{c}" AS "{c}"' for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    text = sql.replace("{keys}", keys).replace("{key_names}", names)
    connection = duckdb.connect()
    for name, frame in frames.items():
        connection.register(name, frame)
    used = {key: value for key, value in parameters.items() if f"${key}" in text}
    result = connection.execute(text, used).df()
    connection.close()
    return result.drop(columns=ORGANISATION_KEY) if by is None else result
