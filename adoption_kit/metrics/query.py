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

Many metrics start from the same person-level summaries: who was active in which week or month and with
how many events, when each person first used each tool, their surfaces, habits and classified tasks.
Their SQL names them as tables (``person_weeks``, ``person_months``, ``person_first_days``...: see
``SUMMARIES``) and :func:`run_sql` computes each from the table it summarises (``activity`` or ``tasks``).
Inside a :func:`sharing` block a summary is computed once per source table and parameters and reused by
every query of the block: a run's dozens of queries then scan the raw activity a handful of times.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from pathlib import Path

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
PERIODS = {"week": WEEK, "month": MONTH}
PERIOD_STEP = {"week": "INTERVAL 7 DAY", "month": "INTERVAL 1 MONTH"}


@dataclass(frozen=True)
class Summary:
    """A person-level table computed from ``source`` by ``sql`` (its ``$name`` parameters are the using
    query's), which queries name as a table instead of repeating its work."""

    source: str
    sql: str


def _active_in(period: str) -> Summary:
    """Who was active in which ``period`` up to ``$until``: one row per person, tool and period with the
    events summed, and one per person and period as tool 'any'; ``joined``: not active in the period
    before, ``leaving``: not active in the period after."""
    step = PERIOD_STEP[period]
    window = f"OVER (PARTITION BY person_id, tool ORDER BY {period})"
    changes = f"""coalesce(lag({period}) {window} <> {period} - {step}, true) AS joined,
               coalesce(lead({period}) {window} <> {period} + {step}, true) AS leaving"""
    return Summary(
        "activity",
        f"""
        WITH per_tool AS (
            SELECT person_id, tool, {PERIODS[period]} AS {period}, sum(events)::BIGINT AS events
            FROM activity WHERE day <= $until GROUP BY ALL
        ),
        active AS (
            SELECT person_id, tool, {period}, events FROM per_tool WHERE {period} IS NOT NULL
            UNION ALL
            SELECT person_id, '{ANY_TOOL}' AS tool, {period}, sum(events)::BIGINT AS events
            FROM per_tool WHERE {period} IS NOT NULL GROUP BY ALL
        )
        SELECT person_id, tool, {period}, events, {changes} FROM active
        """,
    )


SUMMARIES = {
    "person_weeks": _active_in("week"),
    "person_months": _active_in("month"),
    # the day of each person's first activity row per tool, and of any tool (no cut-off: a query asks
    # ``first_day <= $as_of``, which is "used by then")
    "person_first_days": Summary(
        "activity",
        f"""
        WITH per_tool AS (SELECT person_id, tool, min(day) AS first_day FROM activity GROUP BY ALL)
        SELECT person_id, tool, first_day FROM per_tool
        UNION ALL
        SELECT person_id, '{ANY_TOOL}' AS tool, min(first_day) AS first_day FROM per_tool GROUP BY ALL
        """,
    ),
    # every tool the activity has a row of
    "activity_tools": Summary("activity", "SELECT DISTINCT tool FROM activity"),
    # distinct surfaces per person, tool and calendar month up to ``$until`` (a missing surface counts as
    # one), and distinct tool/surface pairs as tool 'any'
    "person_surfaces": Summary(
        "activity",
        f"""
        WITH used AS (
            SELECT DISTINCT person_id, tool, coalesce(surface, '') AS surface, {MONTH} AS month
            FROM activity WHERE day <= $until
        )
        SELECT person_id, tool, month, count(*) AS surfaces FROM used GROUP BY ALL
        UNION ALL
        SELECT person_id, '{ANY_TOOL}' AS tool, month, count(*) AS surfaces FROM used GROUP BY ALL
        """,
    ),
    # each person's habits over the ISO weeks from ``$window_start`` to before ``$window_end`` (up to
    # ``$as_of``): weeks active, events and distinct surfaces per tool, and tool/surface pairs as 'any'
    "person_habits": Summary(
        "activity",
        f"""
        WITH recent AS (
            SELECT person_id, tool, surface, events, {WEEK} AS week FROM activity
            WHERE day <= $as_of AND {WEEK} >= $window_start AND {WEEK} < $window_end
        )
        SELECT person_id, tool, count(DISTINCT week) AS weeks, sum(events) AS events,
               count(DISTINCT surface) AS surfaces
        FROM recent GROUP BY ALL
        UNION ALL
        SELECT person_id, '{ANY_TOOL}' AS tool, count(DISTINCT week) AS weeks, sum(events) AS events,
               count(DISTINCT concat_ws('/', tool, surface)) AS surfaces
        FROM recent GROUP BY person_id
        """,
    ),
    # classified events per person, tool, calendar month and use case up to ``$until``, and per person,
    # month and use case as tool 'any'
    "person_tasks": Summary(
        "tasks",
        f"""
        WITH per_tool AS (
            SELECT person_id, tool, {MONTH} AS month, category, sum(events)::BIGINT AS events
            FROM tasks WHERE day <= $until AND events > 0 GROUP BY ALL
        )
        SELECT person_id, tool, month, category, events FROM per_tool
        UNION ALL
        SELECT person_id, '{ANY_TOOL}' AS tool, month, category, sum(events)::BIGINT AS events
        FROM per_tool GROUP BY ALL
        """,
    ),
}


def cells(period: str, *, tools: Sequence[str] | None = None) -> str:
    """``cells``: every roster group x every tool in use (and ``any``; only those of ``tools`` if given, bound
    as ``$tools``) x every period the data covers (none without activity: the series of an empty range is
    empty)."""
    return f"""
        periods AS (
            SELECT unnest(generate_series(min({period}), max({period}), {PERIOD_STEP[period]})) AS {period}
            FROM active
        ),
        groups AS (SELECT DISTINCT {{keys}} FROM people),
        tools AS (SELECT * FROM (SELECT tool FROM activity_tools UNION SELECT '{ANY_TOOL}'){_only(tools)}),
        cells AS (SELECT * FROM groups CROSS JOIN tools CROSS JOIN periods)
    """


def _only(tools: Sequence[str] | None) -> str:
    """The condition keeping the rows of the tools ``$tools`` lists, if ``tools`` is given."""
    return "" if tools is None else " WHERE list_contains($tools, tool)"


def active_periods(period: str, *, keep: Sequence[str] = (), tools: Sequence[str] | None = None) -> str:
    """Who was active in which ``period`` (week or month) up to ``$until``, with their group: exactly
    one row per person, tool and period, and one per person and period as tool 'any' (only the tools of
    ``tools`` if given, bound as ``$tools``). ``keep`` names more columns of the period's summary to keep:
    ``events`` (summed over the row's activity), ``joined`` and ``leaving`` (see ``SUMMARIES``). Columns
    ``<keys...>, tool, <period>, person_id, <keep...>``."""
    kept = "".join(f", {column}" for column in keep)
    return f"""
        SELECT {{keys}}, tool, {period}, person_id{kept}
        FROM person_{period}s JOIN people USING (person_id){_only(tools)}"""


def top_share(amount: str) -> str:
    """The aggregate: the share of the group's ``amount`` in its ``$contributors`` largest values (rows of
    one person each), 0 when the amounts sum to nothing."""
    return f"coalesce(list_sum(max({amount}, $contributors)) / nullif(sum({amount}), 0), 0)"


def top_shares(cell: str, source: str, *, amount: str = "events", name: str = "top_shares") -> str:
    """``name``: per cell (the columns ``cell`` lists), the share of the cell's ``amount`` made by its
    ``$contributors`` biggest contributors (people of ``source``): the (n,k) dominance rule's input, 0 for
    a cell with nothing in it. Columns ``<cell...>, top_share``."""
    return f"""
        {name}_per_person AS (
            SELECT {cell}, person_id, sum({amount}) AS amount FROM {source} GROUP BY ALL
        ),
        {name} AS (
            SELECT {cell}, {top_share("amount")} AS top_share FROM {name}_per_person GROUP BY ALL
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


class _Shared:
    """A :func:`sharing` block's summaries by key, each computed once even when threads of the block ask
    for it at the same time (a thread that asks while another computes it waits for that result)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple, threading.Lock] = {}
        self._frames: dict[tuple, tuple[Table, Table]] = {}

    def get(self, key: tuple, source: Table, compute: Callable[[], Table]) -> Table:
        """The summary under ``key``, computed by ``compute`` the first time."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._frames:
                self._frames[key] = (source, compute())  # holding the source keeps its id from reuse
            return self._frames[key][1]


_summaries: ContextVar[_Shared | None] = ContextVar("summaries", default=None)


@contextmanager
def sharing() -> Iterator[None]:
    """Within the block, compute each summary (``SUMMARIES``) once per source table and parameters, and
    reuse it in every query that names it, on any thread running in a copy of the block's context. A
    source is recognised by identity: do not change a frame in place inside the block."""
    token = _summaries.set(_Shared())
    try:
        yield
    finally:
        _summaries.reset(token)


def run_sql(sql: str, by: Grouping, parameters: dict, **tables: Table) -> pd.DataFrame:
    """Run ``sql`` over the given tables with ``{keys}`` / ``{key_names}`` standing for the grouping, on the
    engine in use (see :func:`using`); the summaries it names are computed from the given tables."""
    columns = key_columns(by)
    if by is None:
        keys = f"'ALL' AS {ORGANISATION_KEY}"
    else:
        keys = ", ".join(f'people."{c}" AS "{c}"' for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    text = sql.replace("{keys}", keys).replace("{key_names}", names)
    named = [name for name in SUMMARIES if re.search(rf"\b{name}\b", text)]
    summaries = {name: _summary(name, parameters, tables) for name in named}
    used = {key: value for key, value in parameters.items() if f"${key}" in text}
    result = engine_in_use().run(text, used, tables | summaries)
    return result.drop(columns=ORGANISATION_KEY) if by is None else result


def _summary(name: str, parameters: Mapping, tables: Mapping[str, Table]) -> Table:
    """The summary ``name`` of the given tables: the :func:`sharing` block's copy if it has one."""
    summary = SUMMARIES[name]
    if summary.source not in tables:
        raise KitError(f"the query names {name} but was given no {summary.source} table")
    source = tables[summary.source]
    used = {key: value for key, value in parameters.items() if f"${key}" in summary.sql}
    shared = _summaries.get()

    def compute() -> Table:
        return engine_in_use().summarise(summary.sql, used, {summary.source: source})

    if shared is None:
        return compute()
    key = (name, source if isinstance(source, Path) else id(source), tuple(sorted(used.items())))
    return shared.get(key, source, compute)
