"""Compute every table a run publishes, send them through the release gate together, write them.

The heavy work happens here, once per period, before any notebook runs; report notebooks and dashboards
only read the result through :class:`PublishedRun`.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from adoption_kit import metrics
from adoption_kit.atomic import replace_directory
from adoption_kit.config import load_settings
from adoption_kit.errors import WorkspaceError
from adoption_kit.privacy.release import release_run
from adoption_kit.workspace import Workspace

PUBLISHED_ENV = "ADOPTION_KIT_PUBLISHED"
ORGANISATION = "ALL"
MANIFEST = "manifest.json"
PERIOD_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class PublishedRun:
    """One period's published tables: the only data a report or dashboard may read."""

    path: Path
    period: str
    min_group_size: int
    manifest: dict

    @classmethod
    def open(cls, path: Path) -> PublishedRun:
        """Open the published run stored in ``path`` (a folder holding a manifest)."""
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise WorkspaceError(
                f"no readable published run here: {error}",
                path=path,
                expected="a folder written by `adoption-kit run` (or `adoption-kit publish`)",
            ) from error
        return cls(path, manifest["period"], int(manifest["min_group_size"]), manifest)

    @property
    def tables(self) -> tuple[str, ...]:
        """Names of the tables in this run."""
        return tuple(self.manifest["tables"])

    def table(self, name: str, *, group: str | None = None) -> pd.DataFrame:
        """A published table, optionally only the rows of one group ("ALL" is the organisation)."""
        if name not in self.tables:
            raise WorkspaceError(
                f"no published table named {name!r}", path=self.path, expected=f"one of {self.tables}"
            )
        frame = pd.read_parquet(self.path / f"{name}.parquet")
        if group is not None:
            frame = frame.loc[frame["group"] == group].reset_index(drop=True)
        return frame

    def groups(self) -> pd.DataFrame:
        """Every group of the run with its headcount and whether it is big enough to report on.

        Only a group whose own headcount is under the minimum is too small; a headcount hidden to protect
        another group (complementary suppression) still gets its report, with that number left out.
        """
        headcount = self.table("headcount")
        record = self.table("suppressions")
        too_small = record.loc[(record["table"] == "headcount") & (record["reason"] == "primary"), "group"]
        status = headcount["group"].isin(too_small).map({True: "too_small", False: "ok"})
        return headcount.assign(status=status)[["group_by", "group", "people", "status"]]


def open_run(published: str | Path = "", period: str = "") -> PublishedRun:
    """Open a published run: ``published`` defaults to ``$ADOPTION_KIT_PUBLISHED`` or the settings' path,
    ``period`` to the latest one published there."""
    root = Path(published or os.environ.get(PUBLISHED_ENV) or load_settings().paths.published)
    if not period:
        periods = sorted(p.name for p in root.glob("*") if PERIOD_PATTERN.match(p.name))
        if not periods:
            raise WorkspaceError(
                "nothing has been published yet", path=root, expected="a run of `adoption-kit run`"
            )
        period = periods[-1]
    if not PERIOD_PATTERN.match(period):
        raise WorkspaceError(f"period {period!r} is not a month", expected="YYYY-MM")
    return PublishedRun.open(root / period)


def publish(
    workspace: Workspace, *, published_root: Path, period: str = "", min_group_size: int
) -> PublishedRun:
    """Compute every table of ``period`` (default: the last month with data), gate them, write them."""
    period = period or workspace.manifest["last_day"][:7]
    if not PERIOD_PATTERN.match(period):
        raise WorkspaceError(f"period {period!r} is not a month", expected="YYYY-MM")
    as_of = (pd.Period(period, freq="M").end_time).date()
    computed = compute_tables(workspace, as_of=as_of)
    released = release_run(computed, keys=KEYS, min_group_size=min_group_size)
    record = pd.concat([r.suppressions for r in released], ignore_index=True)
    tables = {r.name: r.table for r in released} | {"suppressions": _suppression_table(record)}
    manifest = {
        "period": period,
        "as_of": as_of.isoformat(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "min_group_size": min_group_size,
        "tables": list(tables),
        "workspace_created_at": workspace.manifest["created_at"],
        "suppressed_rows": len(record),
    }
    target = published_root / period
    with replace_directory(target) as staging:
        for name, frame in tables.items():
            frame.to_parquet(staging / f"{name}.parquet", index=False)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return PublishedRun.open(target)


KEYS = {
    "headcount": ["group_by", "group"],
    "activation": ["group_by", "group", "tool"],
    "weekly_active": ["group_by", "group", "tool", "week"],
    "monthly_active": ["group_by", "group", "tool", "month"],
    "volume": ["group_by", "group", "tool", "week"],
}
PEOPLE_BEHIND = {
    "headcount": "people",
    "activation": "seat_holders",
    "weekly_active": "wau",
    "monthly_active": "mau",
    "volume": "active_users",
}
GROUPINGS = {"organisation": None, "department": "department"}


def compute_tables(workspace: Workspace, *, as_of: date) -> dict[str, pd.DataFrame]:
    """Every group-level table of a run, before the gate, each with the ``people`` its rows rest on."""
    people, seats, activity = (workspace.table(name) for name in ("people", "seats", "activity"))
    computed: dict[str, list[pd.DataFrame]] = {name: [] for name in KEYS}
    for group_by, by in GROUPINGS.items():
        frames = {
            "headcount": metrics.headcount(people, by=by, as_of=as_of),
            "activation": metrics.seat_activation(seats, activity, people, by=by, as_of=as_of),
            "weekly_active": metrics.weekly_active_users(activity, people, by=by, until=as_of),
            "monthly_active": metrics.monthly_active_users(activity, people, by=by, until=as_of),
            "volume": metrics.events_per_active_user(activity, people, by=by, until=as_of),
        }
        for name, frame in frames.items():
            group = frame.pop(by) if by else pd.Series(ORGANISATION, index=frame.index)
            frame.insert(0, "group", group.astype("str"))
            frame.insert(0, "group_by", group_by)
            computed[name].append(frame)
    return {
        name: pd.concat(frames, ignore_index=True).assign(people=lambda f, n=name: f[PEOPLE_BEHIND[n]])
        for name, frames in computed.items()
    }


def _suppression_table(record: pd.DataFrame) -> pd.DataFrame:
    columns = ["table", "group_by", "group", "tool", "period", "reason"]
    period = record.get("week", pd.Series(pd.NA, index=record.index)).fillna(
        record.get("month", pd.Series(pd.NA, index=record.index))
    )
    return record.assign(period=period).reindex(columns=columns).astype("str")
