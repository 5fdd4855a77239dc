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

import pandas as pd

from adoption_kit import schema
from adoption_kit.sources.base import Extract

ACTIVITY_DAY = ["tool", "grain", "day"]
PERSON_DAY = ["person_id", "tool", "day"]
HOUR = [*PERSON_DAY, "hour"]
EARLIER = "workspace"  # the export_id of rows the workspace already held (their export is not kept)


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
    previous: pd.DataFrame, fresh: pd.DataFrame, ledger: pd.DataFrame, *, fresh_exports: set[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Previous rows plus fresh ones (tagged ``export_id``), each (tool, grain, day) from its latest export.

    Returns the settled activity, each row still tagged with its ``export_id`` (``EARLIER`` for previous
    rows), and one row per fresh export and outcome ("won" days it took over from an earlier export,
    "lost" days where a later export already stood), for the ingest report.
    """
    rank = ranks(ledger)
    winner = _winners(pd.concat([previous[ACTIVITY_DAY], fresh[ACTIVITY_DAY]]), ledger, rank)
    old = previous.assign(export_id=EARLIER).merge(winner, on=ACTIVITY_DAY, how="left")
    keep_old = old["winner"].isna() | ~old["winner"].isin(fresh_exports)
    new = fresh.merge(winner, on=ACTIVITY_DAY, how="left")
    keep_new = new["winner"].isna() | (new["winner"] == new["export_id"])
    settled = pd.concat(
        [old.loc[keep_old].assign(rank=-1), new.loc[keep_new].assign(rank=new["export_id"].map(rank))],
        ignore_index=True,
    ).sort_values("rank", kind="stable")
    keys = ["person_id", "tool", "day", "grain", "surface"]
    settled = settled.drop_duplicates(keys, keep="last").drop(columns=["winner", "rank"])
    return settled, _overlaps(old.loc[~keep_old], new.loc[~keep_new], winner)


def settle_hours(previous: pd.DataFrame, fresh: list[pd.DataFrame], activity: pd.DataFrame) -> pd.DataFrame:
    """The previous hours and the fresh ones (tagged ``export_id``) whose person, tool and day kept an
    activity row from the same export in the settled ``activity`` (tagged as :func:`settle_activity` does).

    So an hour stays, goes or is replaced exactly when its day's activity does. Two exports whose rows of
    one person, tool and day both stand (other surfaces) add their hours up, as the day adds their events.
    """
    earlier = schema.conform("activity_hours", previous).assign(export_id=EARLIER)
    tagged = [schema.conform("activity_hours", f).assign(export_id=f["export_id"]) for f in fresh]
    hours = pd.concat([earlier, *tagged], ignore_index=True)
    standing = activity[[*PERSON_DAY, "export_id"]].drop_duplicates()
    kept = hours.merge(standing, on=[*PERSON_DAY, "export_id"])
    return kept.groupby(HOUR, as_index=False)[["events", "throttled"]].sum(min_count=1)


def latest_per_key(frames: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    """Concatenate in time order (earliest first) and keep the last row of each key."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=keys)
    return pd.concat(frames, ignore_index=True).drop_duplicates(keys, keep="last")


def _winners(days: pd.DataFrame, ledger: pd.DataFrame, rank: pd.Series) -> pd.DataFrame:
    """For every (tool, grain, day) that some coverage includes, the export that covers it last."""
    covered = ledger.dropna(subset=["tool", "grain"]).assign(rank=lambda f: f["export_id"].map(rank))
    candidates = days.drop_duplicates().merge(covered, on=["tool", "grain"])
    candidates = candidates.loc[
        (candidates["first_day"] <= candidates["day"]) & (candidates["day"] <= candidates["last_day"])
    ]
    best = candidates.sort_values("rank").drop_duplicates(ACTIVITY_DAY, keep="last")
    return best[[*ACTIVITY_DAY, "export_id"]].rename(columns={"export_id": "winner"})


def _overlaps(replaced: pd.DataFrame, discarded: pd.DataFrame, winner: pd.DataFrame) -> pd.DataFrame:
    won = replaced.drop_duplicates(ACTIVITY_DAY).groupby("winner").size().rename("won")
    lost = discarded.drop_duplicates([*ACTIVITY_DAY, "export_id"]).groupby("export_id").size().rename("lost")
    return pd.concat([won, lost], axis=1).fillna(0).astype(int).rename_axis("export_id").reset_index()


def _newest_day(extract: Extract) -> pd.Timestamp | None:
    days = [c.last_day for c in extract.coverage]
    days += [f[column].max() for f in extract.tables.values() for column in ("day", "period") if column in f]
    days = [d for d in days if pd.notna(d)]
    return max(days) if days else None
