"""DuckDB-dialect SQL to Spark SQL, with sqlglot: parse, bind parameters, patch, write.

``$name`` parameters become typed literals in the syntax tree (a date is ``CAST('2026-07-31' AS DATE)``,
a text a quoted string escaped by sqlglot for Spark), so no value is pasted into the SQL as text. The
constructs sqlglot writes wrongly for Spark, or not at all, are rewritten in the tree
(:data:`SPARK_REWRITES`); everything else is sqlglot's own translation (``GROUP BY ALL`` and ``ORDER BY
ALL NULLS LAST`` as they are, ``unnest(generate_series(...))`` as ``EXPLODE(SEQUENCE(...))``, ``QUALIFY``
as a filtered subquery, which needs the query's columns listed...).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import partial
from typing import Any

import sqlglot
from sqlglot import exp

from adoption_kit.errors import KitError


def to_spark(sql: str, parameters: Mapping[str, Any]) -> str:
    """``sql`` (DuckDB's dialect) as Spark SQL, with its ``$name`` parameters bound from ``parameters``."""
    tree = sqlglot.parse_one(sql, read="duckdb").transform(partial(_bind, parameters=parameters))
    if any(select.args.get("qualify") and select.is_star for select in tree.find_all(exp.Select)):
        raise KitError(  # sqlglot filters a subquery with one more column, `_w`, that the star would keep
            "Spark cannot run QUALIFY on SELECT *", expected="the columns of a QUALIFY query listed"
        )
    for node in reversed(list(tree.find_all(*SPARK_REWRITES))):  # innermost first
        node.replace(SPARK_REWRITES[type(node)](node))
    return tree.sql(dialect="spark")


def literal(value: Any) -> exp.Expression:
    """A Python value as a typed SQL literal."""
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        text = repr(value) if math.isfinite(value) else str(value)  # 'nan', 'inf' and '-inf' cast too
        return exp.cast(exp.Literal.string(text), exp.DataType.Type.DOUBLE)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.Type.TIMESTAMP)
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    if isinstance(value, Sequence):
        return exp.Array(expressions=[literal(item) for item in value])
    raise KitError(
        f"cannot bind a parameter of type {type(value).__name__}", expected="a number, text or date"
    )


def _percentile(node: exp.PercentileCont) -> exp.Expression:
    """DuckDB's ``quantile_cont(x, p)``: sqlglot writes ``PERCENTILE_CONT(x, p)``, which Spark refuses (it
    only knows ``PERCENTILE_CONT(p) WITHIN GROUP (...)``); Spark's ``PERCENTILE(x, p)`` interpolates the
    same way."""
    if node.expression is None:  # the WITHIN GROUP form, which sqlglot writes correctly
        return node
    return exp.Anonymous(this="PERCENTILE", expressions=[node.this, node.expression])


def _iso_weekday(node: exp.DayOfWeekIso) -> exp.Expression:
    """``isodow(x)`` (1 = Monday ... 7 = Sunday): sqlglot writes ``(DAYOFWEEK(x) % 7) + 1``, which is 2 on
    a Sunday; Spark's ``WEEKDAY`` counts from 0 = Monday."""
    return exp.paren(exp.Anonymous(this="WEEKDAY", expressions=[node.this]) + exp.Literal.number(1))


def _largest(node: exp.Max) -> exp.Expression:
    """DuckDB's ``max(x, n)``, the list of the ``n`` largest values of ``x`` (ties kept; NULL when ``x`` has
    no value): Spark has no such aggregate, so its values are collected, sorted largest first and cut."""
    count = node.args.get("count")
    if count is None:  # the plain max
        return node
    collected = exp.Anonymous(this="COLLECT_LIST", expressions=[node.this])
    largest_first = exp.Anonymous(this="SORT_ARRAY", expressions=[collected, exp.false()])
    largest = exp.Anonymous(this="SLICE", expressions=[largest_first, exp.Literal.number(1), count])
    none = exp.EQ(this=exp.Count(this=node.this.copy()), expression=exp.Literal.number(0))
    return exp.Case(ifs=[exp.If(this=none, true=exp.null())], default=largest)


def _list_sum(node: exp.Anonymous) -> exp.Expression:
    """DuckDB's ``list_sum(list)``: Spark folds the array with ``AGGREGATE``, in doubles (the result is
    cast back to DuckDB's type, exactly below 2**53)."""
    if node.name.lower() != "list_sum":
        return node
    total, item = exp.to_identifier("total"), exp.to_identifier("item")
    return exp.Reduce(
        this=node.expressions[0],
        initial=exp.cast(exp.Literal.number(0), exp.DataType.Type.DOUBLE),
        merge=exp.Lambda(this=exp.Add(this=total.copy(), expression=item.copy()), expressions=[total, item]),
    )


SPARK_REWRITES: dict[type[exp.Expression], Callable[[Any], exp.Expression]] = {
    exp.PercentileCont: _percentile,
    exp.DayOfWeekIso: _iso_weekday,
    exp.Max: _largest,
    exp.Anonymous: _list_sum,
}


def _bind(node: exp.Expression, *, parameters: Mapping[str, Any]) -> exp.Expression:
    """A ``$name`` placeholder as the literal of its value."""
    if not isinstance(node, exp.Placeholder):
        return node
    if node.name not in parameters:
        raise KitError(f"the query's parameter ${node.name} has no value", expected=", ".join(parameters))
    return literal(parameters[node.name])
