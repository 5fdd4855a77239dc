"""The Spark engine gives what DuckDB gives: the same SQL on hand-built tables, then every table a run of the
small demo computes. Spark really runs, in local mode on two cores: one session for the whole module."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from adoption_kit import publish
from adoption_kit.config import load_settings
from adoption_kit.metrics import query
from adoption_kit.metrics.engines import EngineSettings, spark_engine
from adoption_kit.metrics.query import MONTH, WEEK, active_periods, cells, run_sql, top_shares
from adoption_kit.publish import KEYS, compute_tables
from adoption_kit.workspace import Workspace
from conftest import shared_demo

pytestmark = pytest.mark.slow

SPARK = EngineSettings(
    name="spark",
    master="local[2]",
    config={
        "spark.ui.enabled": False,
        "spark.driver.bindAddress": "127.0.0.1",  # no network: the driver talks to itself on loopback
        "spark.driver.host": "127.0.0.1",
        "spark.sql.shuffle.partitions": 1,
        "spark.sql.codegen.wholeStage": False,  # tiny tables: compiling each query costs more than it saves,
        "spark.sql.codegen.factoryMode": "NO_CODEGEN",  # so expressions are interpreted too
        "spark.sql.autoBroadcastJoinThreshold": -1,  # sort-merge joins, as a cluster plans big tables
    },
)


@pytest.fixture(scope="module", autouse=True)
def _one_spark_session():
    yield
    spark_engine.stop()


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": ["a1", "a2", "b1", "b2"],
            "department": ["Alpha", "Alpha", "Beta", "Beta"],
            "team": ["North", "South", "East", "East"],
            "employed_from": pd.to_datetime(["2025-01-01", "2026-03-04", "2024-06-01", "2025-09-15"]),
            "employed_to": pd.to_datetime([None, None, "2026-03-20", None]),
        }
    ).astype({"employed_from": "datetime64[s]", "employed_to": "datetime64[s]"})


@pytest.fixture(scope="module")
def activity() -> pd.DataFrame:
    rows = [  # March 2026 starts on a Sunday: 03-02 and 03-09 are Mondays
        ("a1", "github_copilot", "2026-03-01", "day", 3, 0.5, None),
        ("a1", "github_copilot", "2026-03-02", "day", 1, None, None),
        ("a1", "chatgpt_enterprise", "2026-03-01", "week", 40, None, None),  # weekly row: counts from 03-02
        ("a2", "chatgpt_enterprise", "2026-03-08", "week", 75, None, None),
        ("a2", "openai_api", "2026-03-03", "day", 10, 1.25, 2),
        ("a2", "openai_api", "2026-03-14", "day", 10, 2.0, 0),
        ("b1", "openai_api", "2026-03-10", "day", 5, 0.75, 1),
        ("b1", "github_copilot", "2026-03-15", "day", 7, None, None),
        ("b2", "github_copilot", "2026-02-01", "month", 20, None, None),
        ("b2", "github_copilot", "2026-03-09", "day", 7, None, None),
    ]
    frame = pd.DataFrame(
        rows, columns=["person_id", "tool", "day", "grain", "events", "cost_usd", "throttled"]
    )
    return frame.assign(
        day=pd.to_datetime(frame["day"]).astype("datetime64[s]"),
        events=frame["events"].astype("int32"),
        throttled=frame["throttled"].astype("Int64"),
    )


_BY_TOOL = """
    SELECT {keys}, tool, sum(events) AS events, avg(cost_usd) AS mean_cost, count(*) AS rows_
    FROM activity JOIN people USING (person_id)
    GROUP BY ALL ORDER BY ALL
"""

# (sql, by, parameters): each runs on DuckDB and on Spark over the same tables.
QUERIES = {
    # one roster attribute; GROUP BY ALL, ORDER BY ALL; a date parameter; an end of employment left empty
    "headcount": (
        """SELECT {keys}, count(*) AS people, count(employed_to) AS leavers FROM people
           WHERE employed_from <= $as_of GROUP BY ALL ORDER BY ALL""",
        "department",
        {"as_of": date(2026, 3, 31)},
    ),
    # a cross of two attributes, and the whole organisation (its placeholder column is dropped)
    "cross": (_BY_TOOL, ("department", "team"), {}),
    "organisation": (_BY_TOOL, None, {}),
    # dates: ISO weeks with the weekly-grain shift, months, ISO weekdays (a Sunday is 7), days between
    "dates": (
        f"""SELECT {{keys}}, person_id, tool, day, {WEEK} AS week, {MONTH} AS month, isodow(day) AS weekday,
                   date_diff('day', $start, day) AS days, day + INTERVAL 1 MONTH AS next_month
            FROM activity JOIN people USING (person_id) ORDER BY ALL""",
        "department",
        {"start": date(2026, 3, 1)},
    ),
    # a calendar of ISO weeks for every group (generate_series, unnest, CROSS JOIN)
    "calendar": (
        """WITH weeks AS (SELECT unnest(generate_series($start, $end, INTERVAL 7 DAY)) AS week),
                groups AS (SELECT DISTINCT {keys} FROM people)
           SELECT {key_names}, week FROM groups CROSS JOIN weeks ORDER BY ALL""",
        "team",
        {"start": date(2026, 3, 2), "end": date(2026, 3, 30)},
    ),
    # parameters of every type, a quote and a backslash in a text, a list (unnest, array_position)
    "parameters": (
        """SELECT {keys}, person_id, tool, $text AS text, $share * events AS weighted, $limit AS limit_,
                  array_position($tools, tool) AS tool_rank, $flag AS flag
           FROM activity JOIN people USING (person_id)
           WHERE tool IN (SELECT unnest($tools)) AND events < $limit ORDER BY ALL""",
        "department",
        {
            "text": "it's a \\ test",
            "share": 0.5,
            "limit": 30,
            "tools": ["openai_api", "github_copilot"],
            "flag": True,
        },
    ),
    # FILTER and QUALIFY (the top sender per group and tool; QUALIFY needs its columns listed for Spark)
    "filter_and_qualify": (
        """WITH per_person AS (
               SELECT {keys}, tool, person_id, sum(events) AS events,
                      count(*) FILTER (WHERE grain = 'day') AS day_rows
               FROM activity JOIN people USING (person_id) GROUP BY ALL
           )
           SELECT {key_names}, tool, person_id, events, day_rows FROM per_person
           QUALIFY row_number() OVER (PARTITION BY {key_names}, tool ORDER BY events DESC, person_id) = 1
           ORDER BY ALL""",
        "department",
        {},
    ),
    # quantiles, NULLs in sums and ratios, nullable integers, the dominance input the metrics share
    "quantiles": (
        f"""WITH per_person AS (
                SELECT {{keys}}, tool, person_id, events, throttled
                FROM activity JOIN people USING (person_id)
            ),
            {top_shares("{key_names}, tool", "per_person")}
            SELECT {{key_names}}, tool, quantile_cont(events, 0.5) AS median,
                   quantile_cont(events, $p) AS p90,
                   sum(throttled) AS throttled, sum(events) / nullif(sum(throttled), 0) AS per_throttled,
                   any_value(top_share) AS top_share, bool_or(throttled IS NOT NULL) AS reports
            FROM per_person JOIN top_shares USING ({{key_names}}, tool) GROUP BY ALL ORDER BY ALL""",
        "department",
        {"p": 0.9, "contributors": 1},
    ),
    # EXCEPT, UNION, a LEFT JOIN ... USING that zero-fills (Spark puts USING columns first)
    "set_operations": (
        """WITH before AS (SELECT DISTINCT person_id, tool FROM activity WHERE day < $start),
                after AS (SELECT DISTINCT person_id, tool FROM activity WHERE day >= $start),
                dropped AS (SELECT * FROM before EXCEPT SELECT * FROM after),
                tools AS (SELECT tool FROM before UNION SELECT tool FROM after),
                counted AS (SELECT {keys}, tool, count(*) AS dropped
                            FROM dropped JOIN people USING (person_id) GROUP BY ALL)
           SELECT {key_names}, tool, coalesce(dropped, 0) AS dropped
           FROM (SELECT DISTINCT {keys} FROM people) CROSS JOIN tools
           LEFT JOIN counted USING ({key_names}, tool)
           ORDER BY ALL""",
        "department",
        {"start": date(2026, 3, 9)},
    ),
    # the dominance rule's input: the share of the 2 largest values, ties and nulls among them
    "top share": (
        """SELECT {key_names}, tool, list_sum(max(events, $contributors)) AS top,
                  coalesce(list_sum(max(events, $contributors)) / nullif(sum(events), 0), 0) AS top_share,
                  list_sum(max(CASE WHEN events > 3 THEN events END, $contributors)) AS top_of_some
           FROM activity JOIN people USING (person_id) GROUP BY ALL ORDER BY ALL""",
        "department",
        {"contributors": 2},
    ),
    # the shared pieces of the metrics: active periods (from the weekly summary) and zero-filled cells
    "cells": (
        f"""WITH active AS ({active_periods("week", keep=["events", "joined", "leaving"])}), {cells("week")},
            counted AS (
                SELECT {{key_names}}, tool, week, count(DISTINCT person_id) AS wau, sum(events) AS events,
                       count(*) FILTER (WHERE joined) AS joined, count(*) FILTER (WHERE leaving) AS leaving
                FROM active GROUP BY ALL
            )
            SELECT {{key_names}}, tool, week, coalesce(wau, 0) AS wau, events, joined, leaving
            FROM cells LEFT JOIN counted USING ({{key_names}}, tool, week) ORDER BY ALL""",
        "department",
        {"until": date(2026, 3, 14)},
    ),
}


@pytest.mark.parametrize("name", list(QUERIES))
def test_when_a_query_runs_on_spark_then_it_gives_duckdbs_frame(name, people, activity):
    sql, by, parameters = QUERIES[name]
    expected = run_sql(sql, by, parameters, people=people, activity=activity)
    with query.using(SPARK):
        result = run_sql(sql, by, parameters, people=people, activity=activity)
    assert len(expected) > 0
    assert_frame_equal(result, expected, check_exact=False, rtol=1e-12)


def test_when_tables_are_parquet_paths_then_both_engines_read_them_in_place(people, activity, tmp_path):
    people.to_parquet(tmp_path / "people.parquet", index=False)
    folder = tmp_path / "activity"  # a folder of Parquet files, as Spark writes a table
    folder.mkdir()
    activity.iloc[:5].to_parquet(folder / "part-0.parquet", index=False)
    activity.iloc[5:].to_parquet(folder / "part-1.parquet", index=False)
    tables = {"people": tmp_path / "people.parquet", "activity": folder}
    expected = run_sql(_BY_TOOL, "department", {}, **tables)
    with query.using(SPARK):
        result = run_sql(_BY_TOOL, "department", {}, **tables)
    assert_frame_equal(result, expected, check_exact=False, rtol=1e-12)
    assert_frame_equal(expected, run_sql(_BY_TOOL, "department", {}, people=people, activity=activity))


def test_when_the_demo_is_computed_on_spark_then_every_table_equals_duckdbs(monkeypatch):
    """Every table of the demo, for the organisation (which has them all) and by team (two keys): the other
    groupings run the same SQL with other keys, and each Spark query costs about two seconds here."""
    monkeypatch.setattr(publish, "GROUPINGS", {k: publish.GROUPINGS[k] for k in ("organisation", "team")})
    project = shared_demo(run_reports=False)
    settings = load_settings(project.root)
    workspace = Workspace.open(project.workspace)
    options = {
        "as_of": _last_day(workspace),
        "min_group_size": settings.min_group_size,
        "dominance": settings.dominance,
        "rules": settings.metrics,
        "groupings": settings.groupings,
    }
    expected = compute_tables(workspace, **options)
    with query.using(SPARK):
        result = compute_tables(workspace, **options)
    assert list(result) == list(expected)
    for name, table in expected.items():
        keys = [k for k in KEYS[name] if k in table.columns]
        assert_frame_equal(
            result[name].sort_values(keys, ignore_index=True),
            table.sort_values(keys, ignore_index=True),
            check_exact=False,
            rtol=1e-9,
            obj=name,
        )


def _last_day(workspace: Workspace) -> date:
    """The last day of the workspace's last month, as ``adoption-kit publish`` computes it."""
    return pd.Period(workspace.manifest["last_day"][:7], freq="M").end_time.date()
