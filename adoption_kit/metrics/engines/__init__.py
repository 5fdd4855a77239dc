"""Query engines: where the metrics' person-level SQL runs. A registry by name, DuckDB by default.

Every engine takes the same SQL, written in DuckDB's dialect with ``$name`` parameters, and tables by name:
a pandas frame, an Arrow table, or a :class:`~pathlib.Path` to a Parquet file or a folder of Parquet files.
It returns a pandas frame with the columns and dtypes DuckDB gives for that query, or, for a summary other
queries will read, a table in the form it reads fastest. An engine module is imported only
when an engine of its name is created, so PySpark costs nothing to a run on DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import pyarrow as pa

from adoption_kit.errors import ConfigError

Table = pd.DataFrame | pa.Table | Path
# How many threads one query may use (None: the engine's default, every core). Work that runs several
# queries at once sets it (see :func:`threads_per_query`); an engine may ignore it.
query_threads: ContextVar[int | None] = ContextVar("query_threads", default=None)


@contextmanager
def threads_per_query(threads: int) -> Iterator[None]:
    """Within the block (and contexts copied from it), each query uses at most ``threads`` threads."""
    token = query_threads.set(threads)
    try:
        yield
    finally:
        query_threads.reset(token)


class Engine(Protocol):
    """Runs one query of DuckDB-dialect SQL over named tables, with its parameters bound."""

    def run(self, sql: str, parameters: Mapping[str, Any], tables: Mapping[str, Table]) -> pd.DataFrame: ...

    def summarise(self, sql: str, parameters: Mapping[str, Any], tables: Mapping[str, Table]) -> Table:
        """The query's result as a table for this engine's later queries to read."""
        ...


@dataclass(frozen=True)
class EngineSettings:
    """Which engine runs the person-level queries (``engine:`` in ``parameters/org.yaml``).

    - ``name``: ``duckdb`` (the default: in process, out of core) or ``spark``.
    - ``master``: Spark's master URL (``local[2]``, ``spark://host:7077``, ``yarn``...); left out, Spark's
      own conventions decide: ``spark-submit --master``, ``spark-defaults.conf``, else ``local[*]``, or
      Spark Connect when ``SPARK_REMOTE`` is set.
    - ``config``: Spark settings for the session (``spark.executor.memory: 8g``...).
    - ``locations``: where Spark's executors read a folder the kit sees locally (``/mnt/ws:
      s3a://bucket/ws``): a table at a path under a key is read at the URI under its value.
    """

    name: str = "duckdb"
    master: str | None = None
    config: Mapping[str, str] = field(default_factory=dict)
    locations: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name not in ENGINES:
            raise ConfigError(
                f"unknown engine {self.name!r}", column="engine.name", expected=" or ".join(ENGINES)
            )
        for section in ("config", "locations"):
            values = getattr(self, section)
            if not isinstance(values, Mapping):
                raise ConfigError(
                    f"engine.{section}: {values!r}", column=f"engine.{section}", expected="a mapping"
                )
            object.__setattr__(self, section, {str(k): _text(v) for k, v in values.items()})


def _text(value: Any) -> str:
    """A setting as Spark reads it (YAML's ``true`` is Spark's ``true``, not Python's ``True``)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


ENGINES: dict[str, Callable[[EngineSettings], Engine]] = {}


def register(name: str, factory: Callable[[EngineSettings], Engine]) -> None:
    """Make an engine available under ``name`` (the value of ``engine.name``)."""
    ENGINES[name] = factory


def create(settings: EngineSettings) -> Engine:
    """The engine the settings name."""
    return ENGINES[settings.name](settings)


def _duckdb(settings: EngineSettings) -> Engine:
    from adoption_kit.metrics.engines.duckdb_engine import DuckDBEngine

    return DuckDBEngine()


def _spark(settings: EngineSettings) -> Engine:
    from adoption_kit.metrics.engines.spark_engine import SparkEngine

    return SparkEngine(settings)


register("duckdb", _duckdb)
register("spark", _spark)
