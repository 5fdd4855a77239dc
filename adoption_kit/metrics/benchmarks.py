"""The organisation and its groups against published reference figures, or against the user's peer data.

The reference table (bundled: ``adoption_kit/data/benchmarks.csv``) has one figure a row with the columns
``metric, value, unit, population, source, source_date, url, note``; every figure names its source and
date. A user replaces it with their own peers' figures in the same columns (:func:`read_benchmarks`).
The kit observes two metrics from its own tables:

- ``frontier_to_median_messages_per_worker`` (a ratio of counts of events): over the window, the events
  of the person at ``rule.frontier_percentile`` of the group's active people / the median person's;
- ``messages_per_seat_per_week`` (events per seat holder per week): the window's events / the people
  holding a seat on ``until`` / the window's weeks.

Reference rows for other metrics stay in the table for reading but are not placed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError
from adoption_kit.metrics.query import ANY_TOOL, Grouping, key_columns, run_sql, top_shares

COLUMNS = ("metric", "value", "unit", "population", "source", "source_date", "url", "note")
REQUIRED = ("metric", "value", "unit", "source", "source_date")
FIRST_ROW = 2  # the header is line 1 of the file


@dataclass(frozen=True)
class BenchmarkRule:
    """``frontier_percentile``: who counts as a frontier worker (OpenAI's report: the 95th percentile)."""

    frontier_percentile: float = 0.95


DEFAULT_RULE = BenchmarkRule()


def read_benchmarks(path: Path | None = None) -> pd.DataFrame:
    """The bundled reference table, or the user's own at ``path``; a malformed file raises
    :class:`InputFileError` naming the file, row (line) and column."""
    source = resources.files("adoption_kit.data").joinpath("benchmarks.csv") if path is None else path
    try:
        with source.open("r", encoding="utf-8") as handle:
            table = pd.read_csv(handle, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise InputFileError(f"cannot read the benchmarks table: {error}", path=str(source)) from error
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise InputFileError(
            "the header lacks a column",
            path=str(source),
            row=1,
            column=missing[0],
            expected=", ".join(COLUMNS),
        )
    values = pd.to_numeric(table["value"], errors="coerce")
    dates = pd.to_datetime(table["source_date"], format="%Y-%m-%d", errors="coerce")
    checks = {
        **{c: table[c].str.strip() == "" for c in REQUIRED},
        "value": values.isna() | (values <= 0),
        "source_date": dates.isna(),
    }
    expected = {"value": "a positive number", "source_date": "a date as YYYY-MM-DD"}
    for column, bad in checks.items():
        if bad.any():
            position = int(bad.to_numpy().argmax())
            raise InputFileError(
                f"cannot use the value {table[column].iloc[position]!r}",
                path=str(source),
                row=position + FIRST_ROW,
                column=column,
                expected=expected.get(column, "a non-empty value"),
            )
    return table[list(COLUMNS)].assign(
        value=values.astype("float64"), source_date=dates.astype("datetime64[s]")
    )


def observed_metrics(
    activity: pd.DataFrame,
    seats: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = "department",
    tool: str = ANY_TOOL,
    since: date,
    until: date,
    rule: BenchmarkRule = DEFAULT_RULE,
    contributors: int = 2,
) -> pd.DataFrame:
    """The metrics the kit can place, per group, over the days ``since`` to ``until`` (both included).

    ``tool`` is one tool or ``any`` (the bundled figures are about ChatGPT Enterprise: pass
    ``tool="chatgpt_enterprise"`` to compare like with like). ``people`` counts the active people behind
    the ratio and the seat holders behind the per-seat figure; ``top_share`` is the share of the group's
    events in the window made by its ``contributors`` most active people (the (n,k) rule's input).
    Columns ``[by...], metric, observed, people, top_share``.
    """
    sql = """
        WITH per_person AS (
            SELECT {keys}, person_id, sum(events) AS events
            FROM activity JOIN people USING (person_id)
            WHERE day BETWEEN $since AND $until AND ($tool = $any_tool OR tool = $tool)
            GROUP BY ALL
        ), holders AS (
            SELECT {keys}, count(DISTINCT person_id) AS holders
            FROM seats JOIN people USING (person_id)
            WHERE assigned_on <= $until AND (removed_on IS NULL OR removed_on > $until)
              AND ($tool = $any_tool OR tool = $tool)
            GROUP BY ALL
        ), TOP_SHARES, spread AS (
            SELECT {key_names}, sum(events) AS events, count(*) AS active,
                   quantile_cont(events, $percentile) / nullif(quantile_cont(events, 0.5), 0) AS ratio
            FROM per_person GROUP BY ALL
        ), spread_shares AS (SELECT * FROM spread JOIN top_shares USING ({key_names}))
        SELECT {key_names}, 'frontier_to_median_messages_per_worker' AS metric, ratio AS observed,
               active AS people, top_share
        FROM spread_shares
        UNION ALL
        SELECT {key_names}, 'messages_per_seat_per_week', coalesce(events, 0) / holders / $weeks, holders,
               coalesce(top_share, 0)
        FROM holders LEFT JOIN spread_shares USING ({key_names})
        ORDER BY ALL
    """.replace("TOP_SHARES", top_shares("{key_names}", "per_person"))
    parameters = {
        "since": since,
        "until": until,
        "tool": tool,
        "any_tool": ANY_TOOL,
        "percentile": rule.frontier_percentile,
        "weeks": ((until - since).days + 1) / 7,
        "contributors": contributors,
    }
    return run_sql(sql, by, parameters, activity=activity, seats=seats, people=people)


def place_against_benchmarks(
    activity: pd.DataFrame,
    seats: pd.DataFrame,
    people: pd.DataFrame,
    benchmarks: pd.DataFrame,
    *,
    by: Grouping = "department",
    tool: str = ANY_TOOL,
    since: date,
    until: date,
    rule: BenchmarkRule = DEFAULT_RULE,
) -> pd.DataFrame:
    """The organisation (``scope`` "organisation", ``group`` "ALL") and each group of ``by`` against every
    reference figure of the same metric: ``ratio`` = observed / benchmark value (1 = at the reference).

    Columns ``scope, group, metric, observed, value, ratio, unit, population, source, source_date, url,
    people`` (``people``: who the observed number rests on). A crossed ``by`` names its groups "a / b".
    """
    options = {"tool": tool, "since": since, "until": until, "rule": rule}
    organisation = observed_metrics(activity, seats, people, by=None, **options).drop(columns="top_share")
    organisation = organisation.assign(scope="organisation", group="ALL")
    keys = key_columns(by)
    groups = observed_metrics(activity, seats, people, by=by, **options)
    groups = groups.assign(scope=" x ".join(keys), group=groups[keys].astype(str).agg(" / ".join, axis=1))
    groups = groups.drop(columns="top_share")
    observed = pd.concat([organisation, groups.drop(columns=keys)], ignore_index=True)
    placed = observed.merge(benchmarks.drop(columns="note"), on="metric")
    return placed.assign(ratio=placed["observed"] / placed["value"])[
        ["scope", "group", "metric", "observed", "value", "ratio", "unit", "population", "source"]
        + ["source_date", "url", "people"]
    ]
