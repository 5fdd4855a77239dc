"""The export ledger, and the rule that settles overlaps: for the days an export covers, the later wins.

Every ingested file is one export, known by the hash of its bytes (the same file twice is skipped). An
export that is the full account of a tool's activity over some days (its coverage) replaces, for those
days, the rows of any earlier export; an earlier export arriving late changes nothing there. Rows outside
every coverage, and the other tables, keep the latest export's value per key. Hours (``activity_hours``)
follow their day: they stay, go or are replaced with the activity of their person, tool and day.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from adoption_kit import schema
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
# The positions of the rows that stay, in order: previous rows ($earlier) unless a fresh export won their
# day, fresh rows where nobody or their own export won; then per key the row of the latest export
# (previous rows rank -1, below every export), of two rows of one export the later.
SETTLED = f"""
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
    ORDER BY position
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
    FROM hours SEMI JOIN activity USING (person_id, tool, day, export_id)
    GROUP BY person_id, tool, day, hour
    ORDER BY person_id, tool, day, hour
"""


def export_id(path: Path) -> str:
    """A stable name for a file's content."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


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
    previous: pd.DataFrame, fresh: list[pd.DataFrame], ledger: pd.DataFrame, *, fresh_exports: set[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Previous rows plus fresh ones (one frame per export, tagged ``export_id``, earliest first), each
    (tool, grain, day) from its latest export.

    Returns the settled activity, each row still tagged with its ``export_id`` (``EARLIER`` for previous
    rows), and one row per fresh export and outcome ("won" days it took over from an earlier export,
    "lost" days where a later export already stood), for the ingest report.

    DuckDB picks the rows that stay from their keys; only those rows are copied out of the frames, once.
    """
    frames = [previous.assign(export_id=EARLIER), *fresh]
    starts = np.cumsum([0, *map(len, frames)])  # each frame's first position among all the rows
    keys = [  # of every frame with rows (one without may lack columns), and always of the previous rows
        frame[[*SETTLED_KEYS, "export_id"]].assign(position=np.arange(start, end))
        for number, (frame, start, end) in enumerate(zip(frames, starts[:-1], starts[1:], strict=True))
        if number == 0 or end > start
    ]
    with duckdb.connect() as connection:
        _register_union(connection, "rows", keys)
        _register_coverage(connection, ledger, fresh_exports)
        kept = connection.execute(SETTLED, {"earlier": EARLIER}).fetchnumpy()["position"]
        overlaps = connection.execute(OVERLAPS, {"earlier": EARLIER}).df()
    bounds = np.searchsorted(kept, starts)  # the positions kept are in order: a slice per frame
    rows = [
        frame.take(kept[low:high] - start)
        for frame, start, low, high in zip(frames, starts[:-1], bounds[:-1], bounds[1:], strict=True)
    ]
    return pd.concat(rows, ignore_index=True), overlaps


def settle_hours(previous: pd.DataFrame, fresh: list[pd.DataFrame], activity: pd.DataFrame) -> pd.DataFrame:
    """The previous hours and the fresh ones (tagged ``export_id``) whose person, tool and day kept an
    activity row from the same export in the settled ``activity`` (tagged as :func:`settle_activity` does).

    So an hour stays, goes or is replaced exactly when its day's activity does. Two exports whose rows of
    one person, tool and day both stand (other surfaces) add their hours up, as the day adds their events.
    """
    earlier = schema.conform("activity_hours", previous).assign(export_id=EARLIER)
    tagged = [schema.conform("activity_hours", f).assign(export_id=f["export_id"]) for f in fresh]
    with duckdb.connect() as connection:
        _register_union(connection, "hours", [earlier, *tagged])
        connection.register("activity", activity)  # DuckDB reads only the columns it joins on
        hours = connection.execute(HOURS).df()
    return hours.astype(schema.empty("activity_hours").dtypes.to_dict())


def latest_per_key(frames: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    """Concatenate in time order (earliest first) and keep the last row of each key."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=keys)
    return pd.concat(frames, ignore_index=True).drop_duplicates(keys, keep="last")


def _register_union(connection: duckdb.DuckDBPyConnection, name: str, frames: list[pd.DataFrame]) -> None:
    """A view ``name`` of the ``frames`` (alike in columns) one after another, none of them copied."""
    for number, frame in enumerate(frames):
        connection.register(f"{name}_{number}", frame)
    parts = " UNION ALL ".join(f"SELECT * FROM {name}_{number}" for number in range(len(frames)))
    connection.execute(f"CREATE TEMP VIEW {name} AS {parts}")


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
