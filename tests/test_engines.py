"""The query layer's engines without Spark: the registry and its settings, DuckDB over Parquet paths, and the
DuckDB-to-Spark translation (tests/test_spark.py runs the translation on Spark itself)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pandas.testing import assert_frame_equal

from adoption_kit.config import load_settings
from adoption_kit.errors import ConfigError, KitError
from adoption_kit.metrics import query
from adoption_kit.metrics.engines import ENGINES, EngineSettings, threads_per_query
from adoption_kit.metrics.engines.duckdb_engine import DuckDBEngine
from adoption_kit.metrics.engines.spark_engine import spark_location
from adoption_kit.metrics.engines.transpile import literal, to_spark
from adoption_kit.metrics.query import run_sql

REPO = Path(__file__).resolve().parents[1]
HEADCOUNT = "SELECT {keys}, count(*) AS people FROM people GROUP BY ALL ORDER BY ALL"


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame({"person_id": ["a1", "a2", "b1"], "department": ["Alpha", "Alpha", "Beta"]})


@pytest.mark.parametrize(
    ("value", "sql"),
    [
        (date(2026, 7, 31), "CAST('2026-07-31' AS DATE)"),
        (datetime(2026, 7, 31, 12, 30), "CAST('2026-07-31 12:30:00' AS TIMESTAMP)"),
        (3, "3"),
        (0.95, "CAST('0.95' AS DOUBLE)"),  # a double, not Spark's DECIMAL literal
        (float("nan"), "CAST('nan' AS DOUBLE)"),
        (True, "TRUE"),
        (None, "NULL"),
        ("it's", "'it\\'s'"),  # escaped the way Spark reads quotes
        ("a\\b", "'a\\\\b'"),  # and backslashes
        (["writing", "coding"], "ARRAY('writing', 'coding')"),
    ],
)
def test_when_a_parameter_is_bound_then_it_is_a_typed_literal(value, sql):
    assert literal(value).sql(dialect="spark") == sql


def test_when_a_text_parameter_holds_sql_then_it_stays_a_string():
    spark = to_spark("SELECT * FROM t WHERE tool = $tool", {"tool": "x' OR '1'='1"})
    assert spark == "SELECT * FROM t WHERE tool = 'x\\' OR \\'1\\'=\\'1'"


@pytest.mark.parametrize(
    ("duckdb", "spark"),
    [
        # ISO weekday: sqlglot's own translation, (DAYOFWEEK(day) % 7) + 1, gives 2 for a Sunday
        ("SELECT isodow(day) FROM t", "SELECT (WEEKDAY(day) + 1) FROM t"),
        # quantile_cont(x, p): Spark's PERCENTILE_CONT takes only the WITHIN GROUP form
        ("SELECT quantile_cont(x, 0.5) FROM t", "SELECT PERCENTILE(x, 0.5) FROM t"),
        # a parameter inside a rewritten call, and a rewrite inside another
        (
            "SELECT coalesce(quantile_cont(isodow(day), $p), 0) FROM t",
            "SELECT COALESCE(PERCENTILE((WEEKDAY(day) + 1), CAST('0.9' AS DOUBLE)), 0) FROM t",
        ),
        # the n largest values and their sum (the dominance rule's top share); a plain max stays
        (
            "SELECT list_sum(max(x, $n)) AS top, max(x) AS most FROM t",
            "SELECT AGGREGATE(CASE WHEN COUNT(x) = 0 THEN NULL "
            "ELSE SLICE(SORT_ARRAY(COLLECT_LIST(x), FALSE), 1, 2) END, CAST(0 AS DOUBLE), "
            "(total, item) -> total + item) AS top, MAX(x) AS most FROM t",
        ),
        # left to sqlglot: GROUP BY ALL, ORDER BY ALL with DuckDB's null order, FILTER, unnest(range)
        (
            "SELECT a, count(*) FILTER (WHERE b > 1) AS n FROM t GROUP BY ALL ORDER BY ALL",
            "SELECT a, COUNT(*) FILTER(WHERE b > 1) AS n FROM t GROUP BY ALL ORDER BY ALL NULLS LAST",
        ),
        ("SELECT unnest(range(1, 8)) AS weekday", "SELECT EXPLODE(SEQUENCE(1, 7)) AS weekday"),
    ],
)
def test_when_duckdb_sql_is_translated_then_spark_gets_its_own_dialect(duckdb, spark):
    assert to_spark(duckdb, {"p": 0.9, "n": 2}) == spark


@pytest.mark.parametrize(
    ("sql", "parameters", "message"),
    [
        ("SELECT $missing AS x", {}, r"\$missing has no value"),  # a parameter nobody gave
        ("SELECT $when AS x", {"when": pd.Timedelta(days=1)}, "cannot bind"),  # a type with no literal
        ("SELECT * FROM t QUALIFY row_number() OVER () = 1", {}, "QUALIFY"),  # sqlglot would add a column
    ],
)
def test_when_a_query_cannot_be_translated_faithfully_then_it_is_refused(sql, parameters, message):
    with pytest.raises(KitError, match=message):
        to_spark(sql, parameters)


def test_when_tables_are_parquet_paths_then_duckdb_reads_a_file_and_a_folder_in_place(people, tmp_path):
    people.to_parquet(tmp_path / "people.parquet", index=False)
    (tmp_path / "roster").mkdir()
    people.iloc[:2].to_parquet(tmp_path / "roster" / "part-0.parquet", index=False)
    people.iloc[2:].to_parquet(tmp_path / "roster" / "part-1.parquet", index=False)
    expected = run_sql(HEADCOUNT, "department", {}, people=people)
    assert_frame_equal(run_sql(HEADCOUNT, "department", {}, people=tmp_path / "people.parquet"), expected)
    assert_frame_equal(run_sql(HEADCOUNT, "department", {}, people=tmp_path / "roster"), expected)


def test_when_a_block_uses_an_engine_then_the_previous_one_comes_back_even_after_an_error(people):
    before = query.engine_in_use()
    with pytest.raises(RuntimeError), query.using(EngineSettings(name="duckdb")) as engine:
        assert query.engine_in_use() is engine is not before
        raise RuntimeError("inside the block")
    assert query.engine_in_use() is before
    assert isinstance(before, DuckDBEngine)


def test_when_the_parameters_choose_spark_then_the_settings_carry_its_session_options(tmp_path):
    overrides = tmp_path / "spark.yaml"
    overrides.write_text(
        textwrap.dedent(
            """
            engine:
              name: spark
              master: local[2]
              config: {spark.ui.enabled: false, spark.sql.shuffle.partitions: 4}
              locations: {/mnt/ws: "s3a://bucket/ws"}
            """
        )
    )
    engine = load_settings(REPO, overrides_file=overrides).engine
    assert engine == EngineSettings(
        name="spark",
        master="local[2]",
        config={"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4"},  # as Spark spells them
        locations={"/mnt/ws": "s3a://bucket/ws"},
    )
    assert load_settings(REPO).engine == EngineSettings()  # org.yaml's default: DuckDB


@pytest.mark.parametrize(
    ("section", "column"),
    [
        ({"name": "presto"}, "engine"),  # no such engine
        ({"name": "spark", "cluster": "yarn"}, "engine"),  # no such setting
        ({"name": "spark", "config": ["spark.ui.enabled"]}, "engine"),  # config is a mapping
    ],
)
def test_when_the_engine_section_is_wrong_then_the_parameters_are_refused(section, column, tmp_path):
    overrides = tmp_path / "engine.yaml"
    overrides.write_text(yaml.safe_dump({"engine": section}))
    with pytest.raises(ConfigError) as raised:
        load_settings(REPO, overrides_file=overrides)
    assert raised.value.column == column


def test_when_a_table_lives_under_a_mapped_folder_then_spark_reads_it_at_its_uri(tmp_path):
    locations = {str(tmp_path): "s3a://bucket/workspace/"}
    assert (
        spark_location(tmp_path / "activity.parquet", locations) == "s3a://bucket/workspace/activity.parquet"
    )
    assert spark_location(tmp_path, locations) == "s3a://bucket/workspace/"
    assert spark_location(Path("/elsewhere/people.parquet"), locations) == "file:///elsewhere/people.parquet"


def test_when_the_kit_runs_on_duckdb_then_neither_sqlglot_nor_the_spark_engine_is_imported():
    check = textwrap.dedent(
        """
        import sys
        import pandas as pd
        from adoption_kit import cli, metrics, publish
        people = pd.DataFrame({"person_id": ["a"], "department": ["D"], "employed_from": [None],
                               "employed_to": [None]})
        metrics.headcount(people, as_of=pd.Timestamp("2026-01-01").date())
        loaded = [m for m in ("sqlglot", "adoption_kit.metrics.engines.spark_engine") if m in sys.modules]
        assert not loaded, loaded
        """
    )
    subprocess.run([sys.executable, "-c", check], check=True, cwd=REPO, timeout=120)


def test_when_engines_are_listed_then_duckdb_and_spark_are_registered():
    assert {"duckdb", "spark"} <= set(ENGINES)


def test_when_a_block_limits_the_threads_per_query_then_duckdb_queries_use_that_many_and_summaries_all():
    engine = DuckDBEngine()
    threads = "SELECT current_setting('threads') AS threads"
    every_core = int(engine.run(threads, {}, {})["threads"].iloc[0])
    with threads_per_query(1):
        limited = int(engine.run(threads, {}, {})["threads"].iloc[0])
        summary = engine.summarise(threads, {}, {}).column("threads").to_pylist()[0]
    assert (limited, summary) == (1, every_core)
    assert int(engine.run(threads, {}, {})["threads"].iloc[0]) == every_core
