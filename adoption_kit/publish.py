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

from adoption_kit import metrics, schema
from adoption_kit.atomic import replace_directory
from adoption_kit.config import load_settings
from adoption_kit.errors import WorkspaceError
from adoption_kit.privacy import ledger
from adoption_kit.privacy.budget import PrivacyBudget
from adoption_kit.privacy.noise import NoiseSettings, noisy_distinct_counts
from adoption_kit.privacy.release import DEFAULT_DOMINANCE, release_run
from adoption_kit.privacy.suppression import MAGNITUDES, Dominance
from adoption_kit.workspace import Workspace

PUBLISHED_ENV = "ADOPTION_KIT_PUBLISHED"
NO_NOISE = NoiseSettings()
DEFAULT_STAGES = metrics.StageRule()
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

    def table(self, name: str, *, group: str | None = None, group_by: str | None = None) -> pd.DataFrame:
        """A published table, optionally only the rows of one group ("ALL" is the organisation) of one
        grouping (by default the organisation or a department, whose names never clash)."""
        if name not in self.tables:
            raise WorkspaceError(
                f"no published table named {name!r}", path=self.path, expected=f"one of {self.tables}"
            )
        frame = pd.read_parquet(self.path / f"{name}.parquet")
        if group is not None:
            levels = [group_by] if group_by else ["organisation", "department"]
            frame = frame.loc[(frame["group"] == group) & frame["group_by"].isin(levels)]
            frame = frame.reset_index(drop=True)
        return frame

    def groups(self) -> pd.DataFrame:
        """Every group of the run with its headcount and whether it is big enough to report on.

        Only a group whose own headcount is under the minimum is too small (departments that small are
        left out of the run's tables and listed here from the manifest); a headcount hidden to protect
        another group (complementary suppression) still gets its report, with that number left out.
        """
        headcount = self.table("headcount")
        record = self.table("suppressions")
        small = record.loc[(record["table"] == "headcount") & (record["reason"] == "primary")]
        pairs = pd.MultiIndex.from_frame(headcount[["group_by", "group"]].astype("str"))
        too_small = pairs.isin(pd.MultiIndex.from_frame(small[["group_by", "group"]]))
        status = pd.Series(too_small, index=headcount.index).map({True: "too_small", False: "ok"})
        shown = headcount.assign(status=status)[["group_by", "group", "people", "status"]]
        left_out = pd.DataFrame(
            {"group_by": "department", "group": self.manifest.get("left_out", []), "status": "too_small"}
        )
        return pd.concat([shown, left_out.assign(people=pd.NA)[shown.columns]], ignore_index=True)


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
    workspace: Workspace,
    *,
    published_root: Path,
    period: str = "",
    min_group_size: int,
    dominance: Dominance = DEFAULT_DOMINANCE,
    noise: NoiseSettings = NO_NOISE,
    stages: metrics.StageRule = DEFAULT_STAGES,
) -> PublishedRun:
    """Compute every table of ``period`` (default: the last month with data), gate them against the
    release ledger, record them in the ledger, then write them. With ``noise`` enabled the run also
    publishes ``noisy_monthly_active`` (see :func:`noisy_monthly_active`)."""
    period = period or workspace.manifest["last_day"][:7]
    if not PERIOD_PATTERN.match(period):
        raise WorkspaceError(f"period {period!r} is not a month", expected="YYYY-MM")
    as_of = (pd.Period(period, freq="M").end_time).date()
    computed = compute_tables(
        workspace, as_of=as_of, min_group_size=min_group_size, dominance=dominance, stages=stages
    )
    released = release_run(
        computed,
        keys=KEYS,
        min_group_size=min_group_size,
        dominance=dominance,
        prior=ledger.prior(published_root, KEYS),
    )
    record = pd.concat([r.suppressions for r in released], ignore_index=True)
    tables = {r.name: r.table for r in released} | {"suppressions": _suppression_table(record)}
    if noise.enabled:
        tables[NOISY] = noisy_monthly_active(workspace, published_root, period=period, settings=noise)
    created_at = datetime.now(UTC)
    manifest = {
        "period": period,
        "as_of": as_of.isoformat(),
        "created_at": created_at.isoformat(timespec="seconds"),
        "min_group_size": min_group_size,
        "dominance": {"contributors": dominance.contributors, "share": dominance.share},
        "noise": {"enabled": noise.enabled, "epsilon_per_period": noise.epsilon_per_period},
        "tables": list(tables),
        "workspace_created_at": workspace.manifest["created_at"],
        "suppressed_rows": len(record),
        "left_out": departments_under_minimum(
            workspace.table("people"), as_of=as_of, min_group_size=min_group_size
        ),
    }
    run_id = f"{created_at:%Y%m%dT%H%M%S%f}_{period}"
    ledger.record(published_root, run_id, tables, manifest | {"run_id": run_id})
    target = published_root / period
    with replace_directory(target) as staging:
        for name, frame in tables.items():
            frame.to_parquet(staging / f"{name}.parquet", index=False)
        (staging / MANIFEST).write_text(json.dumps(manifest | {"run_id": run_id}, indent=2), encoding="utf-8")
    return PublishedRun.open(target)


ATTRIBUTES = ("department", "team", "location", "job_function")
# Every grouping a run publishes, as the roster attributes it splits by; each is the sum of the groupings
# one attribute finer, and the gate protects them as one system (see privacy.suppression).
GROUPINGS = {
    "organisation": (),
    "department": ("department",),
    "location": ("location",),
    "team": ("department", "team"),
    "department_location": ("department", "location"),
    "job_function": ("job_function",),
}
GROUP_SEPARATOR = " / "
_GROUP_KEYS = ["group_by", "group", *ATTRIBUTES]
KEYS = {
    "headcount": _GROUP_KEYS,
    "activation": [*_GROUP_KEYS, "tool"],
    "weekly_active": [*_GROUP_KEYS, "tool", "week"],
    "monthly_active": [*_GROUP_KEYS, "tool", "month"],
    "stages": [*_GROUP_KEYS, "tool", "stage"],
}
PEOPLE_BEHIND = {
    "headcount": "people",
    "activation": "seat_holders",
    "weekly_active": "wau",
    "monthly_active": "mau",
    "stages": "people",
}


# Weekly series stop at departments and locations, and the finest groupings get monthly figures for "any
# AI tool" only: per team and tool nearly every cell rests on fewer than the minimum, so those cells would
# be hidden anyway, and each one makes the gate's proof slower.
WEEKLY_GROUPINGS = ("organisation", "department", "location")
ANY_TOOL_ONLY = ("team", "department_location", "job_function")


def compute_tables(
    workspace: Workspace,
    *,
    as_of: date,
    min_group_size: int,
    dominance: Dominance = DEFAULT_DOMINANCE,
    stages: metrics.StageRule = DEFAULT_STAGES,
) -> dict[str, pd.DataFrame]:
    """Every group-level table of a run from the workspace (see :func:`compute_frames`)."""
    people, seats, seat_pools, activity = (
        workspace.table(name) for name in ("people", "seats", "seat_pools", "activity")
    )
    return compute_frames(
        people,
        seats,
        activity,
        seat_pools=seat_pools,
        as_of=as_of,
        min_group_size=min_group_size,
        dominance=dominance,
        stages=stages,
    )


def compute_frames(
    people: pd.DataFrame,
    seats: pd.DataFrame,
    activity: pd.DataFrame,
    *,
    seat_pools: pd.DataFrame | None = None,
    as_of: date,
    min_group_size: int,
    dominance: Dominance = DEFAULT_DOMINANCE,
    stages: metrics.StageRule = DEFAULT_STAGES,
) -> dict[str, pd.DataFrame]:
    """Every group-level table of a run, before the gate: each row with its group's attributes, the
    ``people`` it rests on, and the gate's person-derived inputs (dominance shares, turnover flags).

    Departments with fewer than ``min_group_size`` people on ``as_of`` are left out of every table, the
    organisation's rows included (see :func:`departments_under_minimum`). The adoption stages are
    published as counts only: conversions and the bottleneck are worked out by
    the reports from the counts the gate lets through (:mod:`adoption_kit.report`)."""
    seat_pools = schema.empty("seat_pools") if seat_pools is None else seat_pools
    left_out = departments_under_minimum(people, as_of=as_of, min_group_size=min_group_size)
    people = people.loc[~people["department"].isin(left_out)]
    computed: dict[str, list[pd.DataFrame]] = {name: [] for name in KEYS}
    for group_by, by in GROUPINGS.items():
        grouping = by or None
        frames = {
            "headcount": metrics.headcount(people, by=grouping, as_of=as_of),
            "activation": metrics.seat_activation(seats, activity, people, by=grouping, as_of=as_of),
            "monthly_active": metrics.monthly_active_users(activity, people, by=grouping, until=as_of).merge(
                metrics.changes_only_by_joiners_and_leavers(
                    activity, people, by=grouping, until=as_of, period="month", fewer_than=min_group_size
                )
            ),
        }
        if group_by in WEEKLY_GROUPINGS:
            frames["weekly_active"] = _weekly(activity, people, grouping, as_of, min_group_size, dominance)
            frames["stages"] = metrics.adoption_stages(
                people, seats, seat_pools, activity, by=grouping, as_of=as_of, rule=stages
            ).drop(columns="conversion")
        if group_by in ANY_TOOL_ONLY:
            monthly = frames["monthly_active"]
            frames["monthly_active"] = monthly.loc[monthly["tool"] == metrics.ANY_TOOL]
        for name, frame in frames.items():
            computed[name].append(_labelled(frame, group_by, by))
    return {
        name: pd.concat(frames, ignore_index=True).assign(people=lambda f, n=name: f[PEOPLE_BEHIND[n]])
        for name, frames in computed.items()
    }


def departments_under_minimum(people: pd.DataFrame, *, as_of: date, min_group_size: int) -> list[str]:
    """Departments too small to report on, whose people no table of the run includes.

    Every number about such a department would be hidden, and hiding it forces the gate to hide a
    neighbour too (the organisation minus the other departments would give it away): in practice the
    next smallest department, often the very one a review wants to see. Leaving the few people out of
    the published population instead removes the sum that needs protecting; the run's manifest names
    the departments left out (never their size)."""
    sizes = metrics.headcount(people, by="department", as_of=as_of)
    small = sizes.loc[sizes["people"] < min_group_size, "department"]
    return sorted(set(people["department"]) - set(sizes["department"]) | set(small))


def _weekly(
    activity: pd.DataFrame,
    people: pd.DataFrame,
    by: tuple[str, ...] | None,
    as_of: date,
    min_group_size: int,
    dominance: Dominance,
) -> pd.DataFrame:
    """WAU and the volume of use per active person, one row per group, tool and week, with gate inputs."""
    # the active people behind each week's events are its weekly active users: one query gives both
    volume = metrics.events_per_active_user(activity, people, by=by, until=as_of)
    wau = volume.rename(columns={"active_users": "wau"})
    shares = metrics.top_contributors_share(
        activity, people, by=by, until=as_of, contributors=dominance.contributors
    )
    turnover = metrics.changes_only_by_joiners_and_leavers(
        activity, people, by=by, until=as_of, period="week", fewer_than=min_group_size
    )
    weekly = wau.merge(shares).merge(turnover)
    # Events are counted in each tool's own unit (messages, accepted suggestions, API requests): summed
    # over tools they mean nothing, and their sum would let a hidden tool's total be subtracted out.
    weekly.loc[weekly["tool"] == metrics.ANY_TOOL, list(MAGNITUDES["weekly_active"])] = float("nan")
    return weekly


def _labelled(frame: pd.DataFrame, group_by: str, by: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` keyed by ``group_by``, a readable ``group`` label and one column per hierarchy attribute."""
    labels = pd.Series(ORGANISATION, index=frame.index, dtype="str")
    for position, attribute in enumerate(by):
        value = frame[attribute].astype("str")
        labels = value if position == 0 else labels + GROUP_SEPARATOR + value
    attributes = {a: frame[a].astype("str") if a in by else "" for a in ATTRIBUTES}
    keys = pd.DataFrame({"group_by": group_by, "group": labels, **attributes}, index=frame.index)
    return pd.concat([keys, frame.drop(columns=list(by))], axis=1)


NOISY = "noisy_monthly_active"
BUDGET_FILE = "privacy_budget.json"
NOISY_COLUMNS = ["department", "tool", "month", "noisy_count", "accuracy", "epsilon"]


def noisy_monthly_active(
    workspace: Workspace, published_root: Path, *, period: str, settings: NoiseSettings
) -> pd.DataFrame:
    """Monthly active people per department and tool in ``period`` with OpenDP noise and its accuracy.

    Departments come from the roster and tools from the kit's list, so every key is public and even an
    empty cell gets a noisy count. A period is released with noise once: a later run of the same period
    publishes the numbers the ledger already holds, so re-running never spends the budget twice.
    """
    earlier = ledger.prior(published_root, {NOISY: ["department", "tool", "month"]}).get(NOISY)
    month = pd.Period(period, freq="M").start_time
    if earlier is not None and (pd.to_datetime(earlier["month"]) == month).any():
        kept = earlier.loc[pd.to_datetime(earlier["month"]) == month]
        return kept.assign(month=month).reset_index(drop=True)[NOISY_COLUMNS]
    people, activity = workspace.table("people"), workspace.table("activity")
    as_of = (month + pd.offsets.MonthEnd(0)).date()
    active = metrics.monthly_active_people(activity, people, by="department", until=as_of)
    active = active.loc[active["month"] == month]
    tools = [*sorted(activity["tool"].unique()), metrics.ANY_TOOL]
    keys = pd.MultiIndex.from_product(
        [sorted(people["department"].unique()), tools], names=["department", "tool"]
    ).to_frame(index=False)
    budget = PrivacyBudget(published_root / BUDGET_FILE, epsilon_per_period=settings.epsilon_per_period)
    (noisy,) = noisy_distinct_counts(
        active, {NOISY: keys}, period=period, settings=settings, budget=budget
    ).values()
    return noisy.assign(month=month)[NOISY_COLUMNS]


def _suppression_table(record: pd.DataFrame) -> pd.DataFrame:
    columns = ["table", "group_by", "group", *ATTRIBUTES, "tool", "period", "reason"]
    period = pd.Series(pd.NA, index=record.index, dtype="object")
    for column in ("week", "month", "stage"):  # the row's slot: its period, or its funnel stage
        if column in record.columns:
            period = period.fillna(record[column])
    return record.assign(period=period).reindex(columns=columns).astype("str")
