"""The analyst tier: pseudonymized person-level tables as Parquet, read as pandas frames or DuckDB views."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from adoption_kit.atomic import replace_directory
from adoption_kit.errors import KitError, WorkspaceError
from adoption_kit.metrics.engines.duckdb_engine import attach, spilling_connection
from adoption_kit.schema import SCHEMAS, TABLES, empty, validate

MANIFEST = "manifest.json"
BATCH_ROWS = 1_000_000  # rows checked and written at a time when a table comes in parts
Parts = Sequence[pd.DataFrame | Path]  # a table as frames and Parquet files, one after another


@dataclass(frozen=True)
class Workspace:
    """An ingested workspace folder: one Parquet file per canonical table plus the ingest manifest."""

    path: Path
    manifest: dict

    @classmethod
    def open(cls, path: Path) -> Workspace:
        """Open a workspace written by `adoption-kit ingest`."""
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise WorkspaceError(
                "no ingested workspace here", path=path, expected="a folder written by `adoption-kit ingest`"
            ) from error
        return cls(path, manifest)

    def file(self, name: str) -> Path:
        """Where one canonical table is stored (it may be missing: a table the workspace was written
        without)."""
        return self.path / f"{name}.parquet"

    def table(self, name: str) -> pd.DataFrame:
        """One canonical table as a pandas frame; a table the workspace was written without is empty."""
        if name not in TABLES:
            raise WorkspaceError(f"no table named {name!r}", path=self.path, expected=f"one of {TABLES}")
        file = self.file(name)
        return pd.read_parquet(file) if file.is_file() else empty(name)

    def source(self, name: str) -> pd.DataFrame | Path:
        """One canonical table where a query engine reads it in place: its Parquet file (nothing is loaded
        into pandas), or an empty frame when the workspace was written without it."""
        file = self.file(name)
        return file if file.is_file() else self.table(name)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB connection with one view per table, reading the Parquet files in place
        (a table the workspace was written without is an empty one)."""
        connection = duckdb.connect()
        attach(connection, {name: self.source(name) for name in TABLES})
        return connection


def write_workspace(path: Path, tables: Mapping[str, pd.DataFrame | Parts], manifest: dict) -> Workspace:
    """Check every table against its schema and replace the workspace in one step.

    A table is a frame, or a sequence of parts (frames, Parquet files) written one batch after another,
    each checked as it goes: a table larger than memory is never held whole (its keys are checked
    unique over all its parts in DuckDB). A Parquet part is read for the table's columns (a settled
    table's file may carry the export each row came from)."""
    with replace_directory(path) as staging:
        for name in TABLES:
            table = tables[name]
            parts = [table] if isinstance(table, pd.DataFrame) else list(table)
            _write_parts(name, parts, staging / f"{name}.parquet")
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return Workspace.open(path)


def rows_in(parts: Parts) -> int:
    """How many rows the parts of a table hold (Parquet files count from their footers)."""
    return sum(pq.ParquetFile(p).metadata.num_rows if isinstance(p, Path) else len(p) for p in parts)


def _write_parts(name: str, parts: list[pd.DataFrame | Path], target: Path) -> None:
    if len(parts) > 1 or isinstance(parts[0], Path):  # else pandera sees the whole table at once
        _check_unique(name, parts, folder=target.parent.parent)
    writer: pq.ParquetWriter | None = None
    try:
        for frame in _batches(name, parts):
            checked = validate(name, frame)
            if writer is None:  # the checked dtypes are the schema's, whatever the batch (text even if empty)
                types = pa.Schema.from_pandas(checked, preserve_index=False)
                writer = pq.ParquetWriter(target, types, compression="zstd")
            writer.write_table(pa.Table.from_pandas(checked, schema=writer.schema, preserve_index=False))
    finally:
        if writer is not None:
            writer.close()


def _batches(name: str, parts: list[pd.DataFrame | Path]) -> Iterator[pd.DataFrame]:
    """The parts' rows as frames (a Parquet file's in batches of ``BATCH_ROWS``, read for the table's
    columns only); an empty table as one empty frame."""
    columns = list(SCHEMAS[name].columns)
    empty_table = True
    for part in parts:
        if isinstance(part, Path):
            for batch in pq.ParquetFile(part).iter_batches(batch_size=BATCH_ROWS, columns=columns):
                empty_table = False
                yield batch.to_pandas()
        elif len(part):
            empty_table = False
            yield part
    if empty_table:
        yield next((p for p in parts if isinstance(p, pd.DataFrame)), empty(name))


def _check_unique(name: str, parts: list[pd.DataFrame | Path], *, folder: Path) -> None:
    """The table's unique keys (if its schema has them) hold over all the parts together (DuckDB spills to
    ``folder`` if it must)."""
    keys = SCHEMAS[name].unique
    if not keys:
        return
    columns = ", ".join(f'"{key}"' for key in keys)
    with spilling_connection(folder) as connection:
        names = [f"part_{number}" for number in range(len(parts))]
        attach(connection, dict(zip(names, parts, strict=True)))
        union = " UNION ALL ".join(f"SELECT {columns} FROM {part}" for part in names)
        repeated = connection.sql(f"SELECT {columns} FROM ({union}) GROUP BY ALL HAVING count(*) > 1 LIMIT 1")
        found = repeated.fetchall()
    if found:
        raise KitError(
            f"the {name} table does not satisfy its schema: the key {dict(zip(keys, found[0], strict=True))} "
            "is there twice",
            column=", ".join(keys),
            expected=f"the canonical '{name}' table of DESIGN.md",
        )
