"""The Spark engine: the same queries on a Spark cluster (or Spark in local mode), for organisations that
outgrow one machine.

A query is transpiled from DuckDB's dialect by :mod:`~adoption_kit.metrics.engines.transpile`, run by Spark
over the tables as temporary views, and collected as Arrow. DuckDB then types the result: it binds the same
query over the tables' schemas (frames without rows, Parquet footers) and casts Spark's columns to the types
it would have given, so the frame a metric gets has the dtypes of the DuckDB engine (dates as
``datetime64``, sums of integers as floats, categories as categories).

The Spark session is started on the first query, once per process, and stopped at exit (one the kit did
not start, such as a notebook's ``spark``, is used and left running). PySpark is imported only then.
"""

from __future__ import annotations

import atexit
import os
import shutil
import threading
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset

from adoption_kit.errors import ConfigError, KitError
from adoption_kit.metrics.engines import EngineSettings, Table
from adoption_kit.metrics.engines.duckdb_engine import attach
from adoption_kit.metrics.engines.transpile import to_spark

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# Settings a session the kit starts gets unless `config` says otherwise (none over Spark Connect).
LOCAL_DEFAULTS = {
    "spark.ui.showConsoleProgress": "false",  # progress bars would break into the command line's output
    "spark.log.level": "ERROR",
}
# Settings every session gets: day boundaries are UTC's, as for DuckDB's time-zone-free dates; Parquet time
# stamps in nanoseconds (pandas' unit, the workspace's), which Spark cannot read as time stamps, come as
# integers that :func:`_read_parquet` turns back.
REQUIRED = {"spark.sql.session.timeZone": "UTC", "spark.sql.legacy.parquet.nanosAsLong": "true"}

_lock = threading.RLock()  # temporary views are per session: one query at a time registers and runs
_session: SparkSession | None = None
_session_settings: EngineSettings | None = None
_started_here = False  # whether the kit started the session (else it found one running, a notebook's)
_converted: dict[int, tuple[weakref.ref, DataFrame]] = {}  # pandas frames already sent to Spark


class SparkEngine:
    """Runs each query on the process's Spark session, started from ``settings`` on first use."""

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings

    def run(self, sql: str, parameters: Mapping[str, Any], tables: Mapping[str, Table]) -> pd.DataFrame:
        text = to_spark(sql, parameters)
        columns, types = result_types(sql, parameters, tables)
        with _lock:
            spark = session(self.settings)
            for name, table in tables.items():
                _spark_table(spark, table, self.settings.locations).createOrReplaceTempView(name)
            result = spark.sql(text).toArrow()
        return typed_like_duckdb(result, columns, types)

    def summarise(self, sql: str, parameters: Mapping[str, Any], tables: Mapping[str, Table]) -> pd.DataFrame:
        """The result collected on the driver (and sent again to the queries that read it)."""
        return self.run(sql, parameters, tables)


def session(settings: EngineSettings) -> SparkSession:
    """The process's Spark session, started from ``settings`` the first time (see :class:`EngineSettings`)."""
    global _session, _session_settings
    with _lock:
        if _session is None:
            _session, _session_settings = _start(settings), settings
        elif (settings.master, settings.config) != (_session_settings.master, _session_settings.config):
            raise ConfigError(  # the settings are not shown: a config may hold a storage key
                "a Spark session with other settings already runs in this process",
                column="engine",
                expected="the master and config it was started with (one Spark session per process)",
            )
        return _session


def _start(settings: EngineSettings) -> SparkSession:
    global _started_here
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise ConfigError(
            "the spark engine needs PySpark",
            column="engine.name",
            expected="pip install 'adoption-kit[spark]'",
        ) from error
    remote = bool(os.environ.get("SPARK_REMOTE"))  # Spark Connect: PySpark's builder connects by itself
    if remote and settings.master:
        raise ConfigError(
            "both engine.master and SPARK_REMOTE are set", column="engine.master", expected="one of them"
        )
    if not remote and not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise ConfigError(
            "Spark needs a Java runtime and none was found",
            column="engine.name",
            expected="Java 17 or 21 (Debian: apt-get install openjdk-17-jre-headless), or JAVA_HOME",
        )
    builder = SparkSession.builder.appName("adoption-kit")
    if settings.master:
        builder = builder.master(settings.master)
    for key, value in {**({} if remote else LOCAL_DEFAULTS), **settings.config, **REQUIRED}.items():
        builder = builder.config(key, value)
    _started_here = SparkSession.getActiveSession() is None
    return builder.getOrCreate()


def stop() -> None:
    """Stop the session the kit started (at exit, or when a test is done with Spark); the next query starts
    a new one. A session the kit found running is only let go."""
    global _session, _session_settings
    with _lock:
        if _session is not None and _started_here:
            _session.stop()
        _session = _session_settings = None
        _converted.clear()


atexit.register(stop)


def _spark_table(spark: SparkSession, table: Table, locations: Mapping[str, str]) -> DataFrame:
    """A table as a Spark frame: Parquet read where the executors find it, a pandas frame or Arrow table
    sent once."""
    if isinstance(table, Path):
        return _read_parquet(spark, table, locations)
    known = _converted.get(id(table))
    if known is not None and known[0]() is table:
        return known[1]
    frame = spark.createDataFrame(_plain_arrow(table))
    key = id(table)
    _converted[key] = (weakref.ref(table, lambda _, key=key: _converted.pop(key, None)), frame)
    return frame


def _read_parquet(spark: SparkSession, path: Path, locations: Mapping[str, str]) -> DataFrame:
    """A Parquet file or folder as Spark reads it, its nanosecond time stamps (read as integers) turned
    into Spark's microsecond ones; the driver finds which columns they are in the files' footers."""
    schema = pyarrow.dataset.dataset(path, format="parquet", partitioning="hive").schema
    nanos = [f.name for f in schema if pa.types.is_timestamp(f.type) and f.type.unit == "ns"]
    frame = spark.read.parquet(spark_location(path, locations))
    return frame.selectExpr(
        *(f"timestamp_micros(`{c}` div 1000) AS `{c}`" if c in nanos else f"`{c}`" for c in frame.columns)
    )


def spark_location(path: Path, locations: Mapping[str, str]) -> str:
    """Where Spark reads a table stored at ``path``: under the URI that ``locations`` maps its folder to,
    else the local file (every executor must then see it at the same path)."""
    resolved = path.resolve()
    for local, uri in locations.items():
        if resolved.is_relative_to(local):
            rest = resolved.relative_to(local).as_posix()
            return uri if rest == "." else f"{uri.rstrip('/')}/{rest}"
    return resolved.as_uri()


def _plain_arrow(frame: pd.DataFrame | pa.Table) -> pa.Table:
    """A frame as Arrow without dictionaries (pandas categories), which Spark does not read."""
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    columns = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns]
    return pa.Table.from_arrays(columns, names=table.column_names)


def result_types(sql: str, parameters: Mapping[str, Any], tables: Mapping[str, Table]) -> tuple[list, list]:
    """The columns and DuckDB types of the query's result, from binding it in DuckDB over the tables'
    schemas (no row is read)."""
    with duckdb.connect() as connection:
        attach(connection, tables, empty=True)
        relation = connection.sql(sql, params=dict(parameters))
        return relation.columns, [str(t) for t in relation.types]


def typed_like_duckdb(result: pa.Table, columns: list[str], types: list[str]) -> pd.DataFrame:
    """Spark's result as the pandas frame DuckDB gives: DuckDB's columns, in its order (Spark puts the
    columns of a ``USING`` join first), cast to DuckDB's types, converted by DuckDB. Spark's time stamps
    are UTC (the session's zone) and lose their zone first."""
    if sorted(result.column_names) != sorted(columns):
        raise KitError(
            f"Spark's result has the columns {result.column_names}", expected=f"DuckDB's: {columns}"
        )
    plain = [
        c.cast(pa.timestamp(c.type.unit)) if pa.types.is_timestamp(c.type) and c.type.tz else c
        for c in (result.column(name) for name in columns)
    ]
    positional = pa.Table.from_arrays(plain, names=[f"c{i}" for i in range(len(plain))])
    casts = ", ".join(
        f'CAST(c{i} AS {kind}) AS "{name.replace(chr(34), chr(34) * 2)}"'
        for i, (name, kind) in enumerate(zip(columns, types, strict=True))
    )
    with duckdb.connect() as connection:
        connection.register("spark_result", positional)
        return connection.sql(f"SELECT {casts} FROM spark_result").df()
