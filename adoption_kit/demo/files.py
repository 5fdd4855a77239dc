"""Writing the demo's files, and replacing the demo's folder without touching anything else."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from adoption_kit.atomic import replace_directory
from adoption_kit.errors import ConfigError

RAW_FOLDERS = frozenset(
    {
        "hr",
        "it",
        "kpis",
        "chatgpt",
        "github_copilot",
        "m365",
        "anthropic",
        "cursor",
        "gateway",
        "openai",
        "google",
        "survey",
    }
)


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def write_large_csv(path: Path, frame: pd.DataFrame) -> None:
    """A long CSV of plain values, as ``write_csv`` writes it but with DuckDB's much faster writer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _copy(frame, path, "HEADER")


def write_quoted_csv(path: Path, frame: pd.DataFrame) -> None:
    """A CSV as dashboards export it: a bare header, every value double-quoted, no newline at the end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _copy(frame, path, "HEADER false, FORCE_QUOTE *")
    body = path.read_text(encoding="utf-8")
    path.write_text(",".join(frame.columns) + "\n" + body.removesuffix("\n"), encoding="utf-8")


def _copy(frame: pd.DataFrame, path: Path, options: str) -> None:
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.register("frame", frame)
        target = str(path).replace("'", "''")
        con.execute(f"COPY frame TO '{target}' (FORMAT csv, DELIMITER ',', QUOTE '\"', {options})")


def write_json(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def write_text(path: Path, parts: Iterable[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")


def json_records(frame: pd.DataFrame, fields: str) -> np.ndarray:
    """Each row of ``frame`` as compact JSON text, built by the DuckDB ``struct_pack`` arguments ``fields``.

    Rows keep their order; nested objects and lists come from DuckDB structs and lists.
    """
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.register("frame", frame.assign(_row=np.arange(len(frame))))
        query = f"SELECT to_json(struct_pack({fields})) AS j FROM frame ORDER BY _row"
        return con.execute(query).fetchnumpy()["j"].astype(object)


def json_list(records: np.ndarray) -> str:
    """A JSON array of already-encoded records."""
    return "[" + ",".join(records.tolist()) + "]"


def replace_folder(target: Path, write: Callable[[Path], None]) -> tuple[str, ...]:
    """Write into a fresh sibling that then takes ``target``'s place; a failure leaves the old folder.

    A folder holding anything the demo does not write is refused rather than replaced.
    """
    if target.exists():
        if not target.is_dir():
            raise ConfigError("the demo's raw folder is a file", path=target, expected="a folder or nothing")
        unknown = sorted(p.name for p in target.iterdir() if p.name not in RAW_FOLDERS)
        if unknown:
            raise ConfigError(
                f"refusing to replace a folder holding {', '.join(unknown[:3])}",
                path=target,
                expected=f"an empty folder or one written by the demo ({', '.join(sorted(RAW_FOLDERS))})",
            )
    with replace_directory(target) as staging:
        write(staging)
        return tuple(sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()))
