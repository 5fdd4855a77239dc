"""The one place the metrics meet their query engine, and the SQL pieces they share.

Metric modules write person-level SQL in DuckDB's dialect with two placeholders and hand it to
:func:`run_sql`: ``{keys}`` selects the grouping's roster attributes from ``people`` (``people."department"
AS "department"``, or ``'ALL'`` for the whole organisation) and ``{key_names}`` names them
(``"department"``). ``by`` names one roster attribute, a tuple of them for a cross, or ``None`` for the
organisation. Tables passed as keyword arguments (pandas frames, or paths to Parquet) become tables of the
same name; ``$name`` parameters are bound. The query runs on DuckDB unless :func:`using` picks another
engine (:mod:`adoption_kit.metrics.engines`) for a block of work; SQL shared by both engines must be
portable: sqlglot translates DuckDB's dialect to Spark's, but not its star modifiers (``* REPLACE``,
``* EXCLUDE``, ``* RENAME``), ``UNION BY NAME``, ordered aggregates (``first(x ORDER BY y)``) or ``QUALIFY``
over ``SELECT *``; and Spark puts the columns of a ``USING`` join first in ``SELECT *`` or ``t.*``, so a
star over such a join must not feed a ``UNION`` (which matches columns by position).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

import pandas as pd

from adoption_kit.errors import KitError
from adoption_kit.metrics import engines
from adoption_kit.metrics.engines import Engine, EngineSettings, Table

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
    """``cells``: every roster group x every tool in use (and ``any``) x every period the data covers (none
    without activity: the series of an empty range is empty)."""
    return f"""
        periods AS (
            SELECT unnest(generate_series(min({period}), max({period}), {PERIOD_STEP[period]})) AS {period}
            FROM active
        ),
        groups AS (SELECT DISTINCT {{keys}} FROM people),
        tools AS (SELECT DISTINCT tool FROM activity UNION SELECT '{ANY_TOOL}'),
        cells AS (SELECT * FROM groups CROSS JOIN tools CROSS JOIN periods)
    """


def active_periods(period: str, name: str, *, keep_events: bool = False) -> str:
    """Who was active in which period, with their group: exactly one row per person, tool and period, and
    one per person and period as tool 'any' (with ``keep_events``, the events summed over the row's
    activity).

    Activity is summed per person before the roster's attributes are joined: grouping by one short
    pseudonym is far cheaper than by every attribute of the grouping, and the rows to join are fewer."""
    events = ", events" if keep_events else ""
    summed = ", sum(events) AS events" if keep_events else ""

    def per_person(tool: str, grouped_by_tool: str) -> str:
        return f"""
            SELECT {{keys}}, {tool}, {name}, person_id{events} FROM (
                SELECT person_id, {grouped_by_tool}{period} AS {name}{summed}
                FROM activity WHERE day <= $until GROUP BY ALL
            ) JOIN people USING (person_id)
            WHERE {name} IS NOT NULL"""

    any_tool = f"'{ANY_TOOL}' AS tool"
    return f"{per_person('tool', 'tool, ')}\n            UNION ALL{per_person(any_tool, '')}"


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


DEFAULT_ENGINE = EngineSettings()
_DEFAULT = engines.create(DEFAULT_ENGINE)
_chosen: ContextVar[Engine | None] = ContextVar("engine", default=None)


def engine_in_use() -> Engine:
    """The engine :func:`run_sql` runs on here: the innermost :func:`using` block's, else DuckDB."""
    return _chosen.get() or _DEFAULT


@contextmanager
def using(settings: EngineSettings) -> Iterator[Engine]:
    """Run every query of the block on the engine ``settings`` name (metric functions keep their
    signatures); the engine in use before comes back after it."""
    engine = engines.create(settings)
    token = _chosen.set(engine)
    try:
        yield engine
    finally:
        _chosen.reset(token)


def run_sql(sql: str, by: Grouping, parameters: dict, **tables: Table) -> pd.DataFrame:
    """Run ``sql`` over the given tables with ``{keys}`` / ``{key_names}`` standing for the grouping, on the
    engine in use (see :func:`using`)."""
    columns = key_columns(by)
    if by is None:
        keys = f"'ALL' AS {ORGANISATION_KEY}"
    else:
        keys = ", ".join(f'people."{c}" AS "{c}"' for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    text = sql.replace("{keys}", keys).replace("{key_names}", names)
    used = {key: value for key, value in parameters.items() if f"${key}" in text}
    result = engine_in_use().run(text, used, tables)
    return result.drop(columns=ORGANISATION_KEY) if by is None else result
