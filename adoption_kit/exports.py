"""The export ledger, and the rule that settles overlaps: for the days an export covers, the later wins.

Every ingested file is one export, known by the hash of its bytes (the same file twice is skipped). An
export that is the full account of a tool's activity over some days (its coverage) replaces, for those
days, the rows of any earlier export; an earlier export arriving late changes nothing there. Rows outside
every coverage, and the other tables, keep the latest export's value per key. Hours (``activity_hours``)
follow their day: they stay, go or are replaced with the activity of their person, tool and day.

Settling reads the tables in place (Parquet files, or frames) and writes what stands to Parquet in
DuckDB, within a memory limit (spilling beyond it): an organisation's activity is never held whole.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from adoption_kit import schema
from adoption_kit.metrics.engines import Table
from adoption_kit.metrics.engines.duckdb_engine import attach, spilling_connection
from adoption_kit.sources.base import Extract

EARLIER = "workspace"  # the export_id of rows the workspace already held (their export is not kept)
SETTLED_KEYS = ["person_id", "tool", "day", "grain", "surface"]  # one activity row per key

# For every (tool, grain, day) of the rows that some coverage includes, the export that covers it last.
WINNERS = """
    CREATE TEMP TABLE winners AS
    SELECT tool, grain, day, arg_max(export_id, rank) AS winner
    FROM (SELECT DISTINCT tool, grain, day FROM rows) AS days
    JOIN coverage USING (tool, grain)
    JOIN ranks USING (export_id)
    WHERE day BETWEEN first_day AND last_day
    GROUP BY tool, grain, day
"""
# The positions of the rows that stay: previous rows ($earlier) unless a fresh export won their day, fresh
# rows where nobody or their own export won; then per key the row of the latest export (previous rows rank
# -1, below every export), of two rows of one export the later.
SETTLED = f"""
    CREATE TEMP TABLE kept AS
    WITH candidates AS (
        SELECT {", ".join(SETTLED_KEYS)}, position, rank
        FROM rows JOIN ranks USING (export_id) LEFT JOIN winners USING (tool, grain, day)
        WHERE winner IS NULL OR winner = export_id
           OR (export_id = $earlier AND winner NOT IN (SELECT export_id FROM fresh_exports))
    )
    SELECT position FROM candidates
    QUALIFY row_number() OVER (
        PARTITION BY {", ".join(SETTLED_KEYS)} ORDER BY rank DESC, position DESC
    ) = 1
"""
# Per fresh export, the days it won from the previous rows and those it lost to a later export.
OVERLAPS = """
    SELECT export_id, count(*) FILTER (WHERE won) AS won, count(*) FILTER (WHERE NOT won) AS lost
    FROM (
        SELECT DISTINCT tool, grain, day, winner AS export_id, true AS won
        FROM rows JOIN winners USING (tool, grain, day)
        WHERE export_id = $earlier AND winner IN (SELECT export_id FROM fresh_exports)
        UNION ALL
        SELECT DISTINCT tool, grain, day, export_id, false
        FROM rows JOIN winners USING (tool, grain, day)
        WHERE export_id <> $earlier AND winner <> export_id
    )
    GROUP BY export_id
    ORDER BY export_id
"""
# The hours (every export's, tagged) whose person, tool and day kept activity of their export.
HOURS = """
    SELECT person_id, tool, day, hour, sum(events)::BIGINT AS events, sum(throttled)::BIGINT AS throttled
    FROM rows SEMI JOIN activity USING (person_id, tool, day, export_id)
    GROUP BY person_id, tool, day, hour
    ORDER BY person_id, tool, day, hour
"""
# Vendor-classified tasks whose person, tool, day and grain kept activity of their export; per key the
# latest export's row (of two rows of one export the later), in the order they came.
TASK_KEYS = ["person_id", "tool", "day", "grain", "category", "source"]
TASKS = f"""
    SELECT * FROM rows
    SEMI JOIN (SELECT DISTINCT person_id, tool, day, grain, export_id FROM activity)
        USING (person_id, tool, day, grain, export_id)
    QUALIFY row_number() OVER (PARTITION BY {", ".join(TASK_KEYS)} ORDER BY position DESC) = 1
"""
ROW_BITS = 40  # a row's position: the number of its table among the inputs, then its row in that table


def export_id(path: Path) -> str:
    """A stable name for a file's content (read in chunks: an export may run to gigabytes)."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()[:16]


def by_export_id(paths: list[Path]) -> dict[str, Path]:
    """Each file under its export id (the last of identical files), hashed on a thread per core: hashing
    lets other threads run."""
    with ThreadPoolExecutor(os.cpu_count()) as pool:
        return dict(zip(pool.map(export_id, paths), paths, strict=True))


def ledger_rows(extract: Extract, *, export: str, ingested_at: pd.Timestamp) -> pd.DataFrame:
    """The ledger's rows for one export: one per coverage (or one without coverage)."""
    exported_at = extract.exported_at or _newest_day(extract) or ingested_at.normalize()
    coverage = [
        {"tool": c.tool, "grain": c.grain, "first_day": c.first_day, "last_day": c.last_day}
        for c in extract.coverage
    ] or [{"tool": None, "grain": None, "first_day": None, "last_day": None}]
    frame = pd.DataFrame(coverage).assign(
        export_id=export,
        source=extract.source,
        exported_at=pd.Timestamp(exported_at),
        ingested_at=ingested_at,
        rows_read=extract.rows_read,
    )
    return schema.conform("exports", frame)


def ranks(ledger: pd.DataFrame) -> pd.Series:
    """Each export's rank in time (higher is later): by production time, then by ingestion, then order."""
    order = ledger.drop_duplicates("export_id").reset_index(drop=True)
    order = order.assign(sequence=order.index).sort_values(["exported_at", "ingested_at", "sequence"])
    return pd.Series(range(len(order)), index=order["export_id"].to_numpy())


def settle_activity(
    previous: Table, fresh: list[Table], ledger: pd.DataFrame, *, fresh_exports: set[str], into: Path
) -> pd.DataFrame:
    """Previous rows plus fresh ones (one table per export, with its ``export_id``, earliest first), each
    (tool, grain, day) from its latest export, written to the Parquet file ``into``.

    The settled rows keep their ``export_id`` (``EARLIER`` for previous rows) and their order (previous
    rows, then each export's). Returns one row per fresh export and outcome ("won" days it took over from
    an earlier export, "lost" days where a later export already stood), for the ingest report.
    """
    with spilling_connection(into.parent) as connection:
        _register_rows(connection, previous, fresh)
        _register_coverage(connection, ledger, fresh_exports)
        connection.execute(SETTLED, {"earlier": EARLIER})
        settled = "SELECT * FROM rows SEMI JOIN kept USING (position)"
        _copy(connection, settled, into, columns=[*schema.SCHEMAS["activity"].columns, "export_id"])
        return connection.execute(OVERLAPS, {"earlier": EARLIER}).df()


def settle_hours(previous: Table, fresh: list[Table], activity: Path, *, into: Path) -> None:
    """The previous hours and the fresh ones (with their ``export_id``) whose person, tool and day kept
    an activity row from the same export in the settled ``activity`` (as :func:`settle_activity` writes
    it), written to ``into``.

    So an hour stays, goes or is replaced exactly when its day's activity does. Two exports whose rows of
    one person, tool and day both stand (other surfaces) add their hours up, as the day adds their events.
    """
    with spilling_connection(into.parent) as connection:
        _register_rows(connection, previous, fresh)
        attach(connection, {"activity": activity})
        connection.sql(HOURS).write_parquet(str(into), compression="zstd")


def settle_vendor_tasks(previous: Table, fresh: list[Table], activity: Path, *, into: Path) -> None:
    """Vendor-classified tasks (the previous ones of source ``vendor``, and the fresh ones with their
    ``export_id``) whose person, tool, day and grain kept activity from the same export in the settled
    ``activity``; per key the latest export's row. Written to ``into`` in their order.

    So they stay, go or are replaced with their export's activity. Rows classified from prompts are left
    out: ingest rebuilds them from all stored prompts.
    """
    with spilling_connection(into.parent) as connection:
        _register_rows(connection, previous, fresh, where="source = 'vendor'")
        attach(connection, {"activity": activity})
        _copy(connection, TASKS, into, columns=list(schema.SCHEMAS["tasks"].columns))


def latest_per_key(frames: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    """Concatenate in time order (earliest first) and keep the last row of each key."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=keys)
    return pd.concat(frames, ignore_index=True).drop_duplicates(keys, keep="last")


def _register_rows(
    connection: duckdb.DuckDBPyConnection, previous: Table, fresh: list[Table], *, where: str = "true"
) -> None:
    """A view ``rows``: the previous rows (tagged ``EARLIER``, those matching ``where``) and the fresh
    ones, each with its ``position`` in that order; a table's columns may be a subset of the others'.

    The fresh Parquet files are read in one scan (a scan per file would hold a buffer for each of them)."""
    parts = [_numbered(connection, 0, previous, tag=f", '{EARLIER}' AS export_id", where=where)]
    parts += [_numbered(connection, n, t) for n, t in enumerate(fresh, start=1) if not isinstance(t, Path)]
    files = {str(table): number for number, table in enumerate(fresh, start=1) if isinstance(table, Path)}
    if files:
        numbers = pd.DataFrame({"filename": list(files), "file_number": list(files.values())})
        connection.register("file_numbers", numbers)
        scan = connection.read_parquet(list(files), filename=True, file_row_number=True, union_by_name=True)
        scan.create_view("fresh_files")
        parts.append(
            f"SELECT * EXCLUDE (filename, file_number, file_row_number), "
            f"(file_number::BIGINT << {ROW_BITS}) + file_row_number AS position "
            "FROM fresh_files JOIN file_numbers USING (filename)"
        )
    connection.execute(f"CREATE TEMP VIEW rows AS {' UNION ALL BY NAME '.join(parts)}")


def _numbered(
    connection: duckdb.DuckDBPyConnection, number: int, table: Table, *, tag: str = "", where: str = "true"
) -> str:
    """The SELECT of one table's rows (those matching ``where``) with their ``position``, the table being
    the ``number``-th input; ``tag`` adds columns."""
    name = f"rows_{number}"
    if isinstance(table, Path):
        connection.read_parquet(str(table), file_row_number=True).create_view(name)
    else:
        connection.register(name, table.assign(file_row_number=np.arange(len(table), dtype="int64")))
    return (
        f"SELECT * EXCLUDE (file_row_number){tag}, ({number}::BIGINT << {ROW_BITS}) + file_row_number "
        f"AS position FROM {name} WHERE {where}"
    )


def _copy(connection: duckdb.DuckDBPyConnection, sql: str, into: Path, *, columns: Sequence[str]) -> None:
    """The ``columns`` of the rows of ``sql`` (NULL for one it lacks), written to ``into`` in the order of
    their ``position``."""
    present = set(connection.sql(sql).columns)
    selected = ", ".join(f'"{c}"' if c in present else f'NULL AS "{c}"' for c in columns)
    ordered = f"SELECT {selected} FROM ({sql}) ORDER BY position"
    connection.sql(ordered).write_parquet(str(into), compression="zstd")


def _register_coverage(
    connection: duckdb.DuckDBPyConnection, ledger: pd.DataFrame, fresh_exports: set[str]
) -> None:
    """The exports' ranks (the previous rows' -1), their coverage, the fresh exports, and ``winners``."""
    rank = pd.concat([pd.Series({EARLIER: -1}), ranks(ledger)])
    connection.register("ranks", pd.DataFrame({"export_id": rank.index, "rank": rank.to_numpy()}))
    connection.register("coverage", ledger.dropna(subset=["tool", "grain"]))
    connection.register("fresh_exports", pd.DataFrame({"export_id": sorted(fresh_exports)}, dtype="str"))
    connection.execute(WINNERS)


def _newest_day(extract: Extract) -> pd.Timestamp | None:
    days = [c.last_day for c in extract.coverage]
    days += [f[column].max() for f in extract.tables.values() for column in ("day", "period") if column in f]
    days = [d for d in days if pd.notna(d)]
    return max(days) if days else None
