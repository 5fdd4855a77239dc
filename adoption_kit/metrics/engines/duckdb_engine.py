"""The default engine: DuckDB in process, over pandas frames, Arrow tables or Parquet read in place."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from adoption_kit.metrics.engines import Table, query_threads


class DuckDBEngine:
    """Each query on a new in-memory connection: frames are registered, Parquet is read in place."""

    def run(self, sql: str, parameters: Mapping[str, Any], tables: Mapping[str, Table]) -> pd.DataFrame:
        """The result as pandas, on ``query_threads`` threads if set (summaries keep every core: every
        other query waits for them)."""
        threads = query_threads.get()
        with duckdb.connect(config={} if threads is None else {"threads": threads}) as connection:
            attach(connection, tables)
            return connection.sql(sql, params=dict(parameters)).df()

    def summarise(self, sql: str, parameters: Mapping[str, Any], tables: Mapping[str, Table]) -> pa.Table:
        """The result as Arrow, which later queries scan without copying (and which skips making Python
        strings of every id, as a pandas frame would: a third of a large summary's time)."""
        with duckdb.connect() as connection:
            attach(connection, tables)
            return connection.sql(sql, params=dict(parameters)).to_arrow_table()


# What work over an organisation's person-level tables (settling an ingest, checking its keys) may hold in
# memory; DuckDB spills the rest to disk.
MEMORY_LIMIT = "3GB"


def spilling_connection(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection held to ``MEMORY_LIMIT``, spilling to files in ``folder``."""
    return duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(folder)})


def attach(
    connection: duckdb.DuckDBPyConnection, tables: Mapping[str, Table], *, empty: bool = False
) -> None:
    """Make each table queryable by its name: a frame or Arrow table as it is, a Parquet path as a view
    over ``read_parquet`` (a folder: every Parquet file under it, Hive partitions as columns). ``empty``:
    frames and Arrow tables without their rows (a query over them is typed, never run on data)."""
    for name, table in tables.items():
        if isinstance(table, Path):
            connection.read_parquet(parquet_files(table)).create_view(name)
        elif isinstance(table, pa.Table):
            connection.register(name, table.slice(0, 0) if empty else table)
        else:
            connection.register(name, table.iloc[:0] if empty else table)


def parquet_files(path: Path) -> str:
    """What ``read_parquet`` reads for a table stored at ``path``: the file, or a folder's Parquet files."""
    return str(path / "**" / "*.parquet") if path.is_dir() else str(path)
