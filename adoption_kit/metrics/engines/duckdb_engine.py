"""The default engine: DuckDB in process, over pandas frames or Parquet read in place."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from adoption_kit.metrics.engines import Table


class DuckDBEngine:
    """Each query on a new in-memory connection: frames are registered, Parquet is read in place."""

    def run(self, sql: str, parameters: Mapping[str, Any], tables: Mapping[str, Table]) -> pd.DataFrame:
        with duckdb.connect() as connection:
            attach(connection, tables)
            return connection.execute(sql, dict(parameters)).df()


def attach(
    connection: duckdb.DuckDBPyConnection, tables: Mapping[str, Table], *, empty: bool = False
) -> None:
    """Make each table queryable by its name: a frame as it is, a Parquet path as a view over
    ``read_parquet`` (a folder: every Parquet file under it, Hive partitions as columns). ``empty``: frames
    without their rows (a query over them is typed, never run on data)."""
    for name, table in tables.items():
        if isinstance(table, Path):
            connection.read_parquet(parquet_files(table)).create_view(name)
        else:
            connection.register(name, table.iloc[:0] if empty else table)


def parquet_files(path: Path) -> str:
    """What ``read_parquet`` reads for a table stored at ``path``: the file, or a folder's Parquet files."""
    return str(path / "**" / "*.parquet") if path.is_dir() else str(path)
