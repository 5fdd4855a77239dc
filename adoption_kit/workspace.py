"""The analyst tier: pseudonymized person-level tables as Parquet, read as pandas frames or DuckDB views."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from adoption_kit.atomic import replace_directory
from adoption_kit.errors import WorkspaceError
from adoption_kit.schema import TABLES, empty, validate

MANIFEST = "manifest.json"


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
        for name in TABLES:
            file = self.file(name)
            if file.is_file():
                quoted = str(file).replace("'", "''")
                connection.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{quoted}')")
            else:
                connection.register(name, empty(name))
        return connection


def write_workspace(path: Path, tables: dict[str, pd.DataFrame], manifest: dict) -> Workspace:
    """Check every table against its schema and replace the workspace in one step."""
    checked = {name: validate(name, tables[name]) for name in TABLES}
    with replace_directory(path) as staging:
        for name, frame in checked.items():
            arrow = pa.Table.from_pandas(frame, preserve_index=False)
            pq.write_table(arrow, staging / f"{name}.parquet", compression="zstd")
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return Workspace.open(path)
