"""Compute every table a run publishes, send them through the release gate together, write them.

The heavy work happens here, once per period, before any notebook runs; report notebooks and dashboards
only read the result through :class:`PublishedRun`.
"""

from __future__ import annotations

import contextvars
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from adoption_kit import metrics, schema
from adoption_kit.atomic import replace_directory
from adoption_kit.config import MetricSettings, load_settings
from adoption_kit.errors import ConfigError, WorkspaceError
from adoption_kit.metrics import query
from adoption_kit.metrics.engines import EngineSettings, Table, threads_per_query
from adoption_kit.privacy import ledger
from adoption_kit.privacy.budget import PrivacyBudget
from adoption_kit.privacy.noise import NoiseSettings, noisy_distinct_counts
from adoption_kit.privacy.release import DEFAULT_DOMINANCE, release_run
from adoption_kit.privacy.suppression import ATTRIBUTES, MAGNITUDES, SEAT_HOLDERS, Dominance
from adoption_kit.workspace import Workspace

PUBLISHED_ENV = "ADOPTION_KIT_PUBLISHED"
NO_NOISE = NoiseSettings()
DEFAULT_ENGINE = EngineSettings()
DEFAULT_RULES = MetricSettings()
NO_GROUPINGS: Mapping[str, tuple[str, ...]] = {}
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
    by: str = "department"

    @classmethod
    def open(cls, path: Path) -> PublishedRun:
        """Open the published run stored in ``path`` (a folder holding a manifest), its groups seen by
        department (see :meth:`grouped_by`)."""
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

    @property
    def groupings(self) -> tuple[str, ...]:
        """The groupings this run publishes (organisation, department, location, team, ...)."""
        return tuple(self.table("headcount")["group_by"].astype("str").unique())

    def grouped_by(self, by: str) -> PublishedRun:
        """The same run, whose reports speak of the groups of ``by`` (a grouping it publishes: "department",
        "location", "job_function", ...) next to the organisation."""
        if by == "organisation" or by not in self.groupings:
            known = [grouping for grouping in self.groupings if grouping != "organisation"]
            raise WorkspaceError(
                f"the run for {self.period} publishes no grouping {by!r}",
                path=self.path,
                expected=f"one of {', '.join(known)}",
            )
        return replace(self, by=by)

    def table(self, name: str, *, group: str | None = None, group_by: str | None = None) -> pd.DataFrame:
        """A published table, optionally only the rows of one group ("ALL" is the organisation) of one
        grouping (by default the organisation or a group of :attr:`by`, whose names never clash)."""
        if name not in self.tables:
            raise WorkspaceError(
                f"no published table named {name!r}", path=self.path, expected=f"one of {self.tables}"
            )
        frame = pd.read_parquet(self.path / f"{name}.parquet")
        if group is not None:
            levels = [group_by] if group_by else ["organisation", self.by]
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


def published_root(published: str | Path = "") -> Path:
    """The folder of published runs: ``published``, else ``$ADOPTION_KIT_PUBLISHED``, else the settings'."""
    return Path(published or os.environ.get(PUBLISHED_ENV) or load_settings().paths.published)


def published_periods(root: Path) -> list[str]:
    """The periods published under ``root`` (folders named YYYY-MM), oldest first."""
    return sorted(p.name for p in root.glob("*") if PERIOD_PATTERN.match(p.name) and p.is_dir())


def open_run(published: str | Path = "", period: str = "", *, by: str = "department") -> PublishedRun:
    """Open a published run: ``published`` defaults to ``$ADOPTION_KIT_PUBLISHED`` or the settings' path,
    ``period`` to the latest one published there; its reports speak of the groups of ``by``."""
    root = published_root(published)
    if not period:
        periods = published_periods(root)
        if not periods:
            raise WorkspaceError(
                "nothing has been published yet", path=root, expected="a run of `adoption-kit run`"
            )
        period = periods[-1]
    if not PERIOD_PATTERN.match(period):
        raise WorkspaceError(f"period {period!r} is not a month", expected="YYYY-MM")
    run = PublishedRun.open(root / period)
    return run if by == run.by else run.grouped_by(by)


def publish(
    workspace: Workspace,
    *,
    published_root: Path,
    period: str = "",
    min_group_size: int,
    dominance: Dominance = DEFAULT_DOMINANCE,
    noise: NoiseSettings = NO_NOISE,
    rules: MetricSettings = DEFAULT_RULES,
    groupings: Mapping[str, tuple[str, ...]] = NO_GROUPINGS,
    engine: EngineSettings = DEFAULT_ENGINE,
) -> PublishedRun:
    """Compute every table of ``period`` (default: the last month with data), gate them against the
    release ledger, record them in the ledger, then write them. ``groupings`` adds groupings by roster
    attributes (see :func:`compute_frames`). With ``noise`` enabled the run also publishes
    ``noisy_monthly_active`` (see :func:`noisy_monthly_active`). The person-level queries run on
    ``engine`` (DuckDB by default, or Spark: see :mod:`adoption_kit.metrics.engines`)."""
    period = period or workspace.manifest["last_day"][:7]
    if not PERIOD_PATTERN.match(period):
        raise WorkspaceError(f"period {period!r} is not a month", expected="YYYY-MM")
    as_of = (pd.Period(period, freq="M").end_time).date()
    with query.using(engine):
        computed = compute_tables(
            workspace,
            as_of=as_of,
            min_group_size=min_group_size,
            dominance=dominance,
            rules=rules,
            groupings=groupings,
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
        tables |= outcome_tables(workspace, as_of=as_of, min_group_size=min_group_size, rules=rules)
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
    "seat_use": [*_GROUP_KEYS, "tool", "status"],
    "seat_moves": [*_GROUP_KEYS, "tool", "from_team", "to_team"],
    "weekly_active": [*_GROUP_KEYS, "tool", "week"],
    "monthly_active": [*_GROUP_KEYS, "tool", "month"],
    "power_users": [*_GROUP_KEYS, "tool", "month"],
    "tool_overlaps": [*_GROUP_KEYS, "tool", "month"],
    "tool_moves": [*_GROUP_KEYS, "tool", "month"],
    "stages": [*_GROUP_KEYS, "tool", "stage"],
    "benchmarks": [*_GROUP_KEYS, "tool", "metric"],
    "hourly_profile": [*_GROUP_KEYS, "tool", "hour"],
    "weekday_profile": [*_GROUP_KEYS, "tool", "weekday"],
    "peak_headroom": [*_GROUP_KEYS, "tool"],
    "use_cases": [*_GROUP_KEYS, "tool", "month", "category"],
}
PEOPLE_BEHIND = {
    "headcount": "people",
    "activation": "seat_holders",
    "seat_use": "people",
    "seat_moves": "seats_to_move",
    "weekly_active": "wau",
    "monthly_active": "mau",
    "power_users": "power_users",
    "tool_overlaps": "people",
    "tool_moves": "people",
    "stages": "people",
    "benchmarks": "people",
    "hourly_profile": "people",
    "weekday_profile": "people",
    "peak_headroom": "people",
    "use_cases": "people",
}
# a row's place
SLOTS = ("week", "month", "stage", "status", "metric", "hour", "weekday", "category", "from_team", "to_team")
TOOLS_USED = "tools_used:"  # monthly_active rows of people by how many tools they used (parts of "any")
PAIR = " & "  # a tool_overlaps row: people who used both tools in the month
MOVE = " -> "  # a tool_moves row: people who dropped one tool for the other


ALL_GROUPINGS = tuple(GROUPINGS)
# The groupings each table is published for. Weekly series, stages and power users stop at departments
# (and locations): finer, nearly every cell per tool rests on fewer than the minimum, so it would be hidden
# anyway, and each one makes the gate's proof slower; seat use goes down to teams, where seats are moved.
# The finest groupings get monthly figures for "any AI tool" only. Money, the number of tools people use,
# tool pairs and moves are published for the organisation: per department most of them rest on a few
# people, and each hidden one forces the gate to hide whole rows of a neighbour (its active people too).
PUBLISHED_FOR = {
    "headcount": ALL_GROUPINGS,
    "activation": ALL_GROUPINGS,
    "seat_use": ("organisation", "department", "team"),
    "seat_moves": ("organisation",),
    "weekly_active": ("organisation", "department", "location"),
    "monthly_active": ALL_GROUPINGS,
    "power_users": ("organisation", "department"),
    "tool_overlaps": ("organisation",),
    "tool_moves": ("organisation",),
    "stages": ("organisation", "department", "location"),
    "benchmarks": ("organisation", "department"),
    "hourly_profile": ("organisation", "department"),
    "weekday_profile": ("organisation", "department"),
    "peak_headroom": ("organisation", "department"),
    "use_cases": ("organisation", "department"),
}
ANY_TOOL_ONLY = ("team", "department_location", "job_function")
# Tables are built on this many threads, each query on its share of the cores: a builder's pandas work and
# its queries' single-threaded parts then overlap another's queries (about 10% faster at 100,000 people
# than two builders whose queries each take every core).
BUILD_THREADS = 2
# A grouping the parameters add (``groupings:``, by any roster attributes) gets what the finest built-in
# ones get: headcount, seat activation and monthly active people of any AI tool.
ADDED_GROUPING_TABLES = ("headcount", "activation", "monthly_active")


@dataclass(frozen=True)
class _Inputs:
    """The person-level frames a run's tables are computed from, and the run's settings."""

    people: pd.DataFrame
    seats: pd.DataFrame
    seat_pools: pd.DataFrame
    seat_requests: pd.DataFrame
    activity: Table
    activity_hours: Table
    tasks: Table
    as_of: date
    min_group_size: int
    dominance: Dominance
    rules: MetricSettings


def compute_tables(
    workspace: Workspace,
    *,
    as_of: date,
    min_group_size: int,
    dominance: Dominance = DEFAULT_DOMINANCE,
    rules: MetricSettings = DEFAULT_RULES,
    groupings: Mapping[str, tuple[str, ...]] = NO_GROUPINGS,
) -> dict[str, pd.DataFrame]:
    """Every group-level table of a run from the workspace (see :func:`compute_frames`): the person-level
    tables whose size grows with use (activity, hours, tasks) are read by the engine where they lie."""
    people, seats, seat_pools, seat_requests = (
        workspace.table(name) for name in ("people", "seats", "seat_pools", "seat_requests")
    )
    activity, activity_hours, tasks = (
        workspace.source(name) for name in ("activity", "activity_hours", "tasks")
    )
    return compute_frames(
        people,
        seats,
        activity,
        seat_pools=seat_pools,
        seat_requests=seat_requests,
        activity_hours=activity_hours,
        tasks=tasks,
        as_of=as_of,
        min_group_size=min_group_size,
        dominance=dominance,
        rules=rules,
        groupings=groupings,
    )


def compute_frames(
    people: pd.DataFrame,
    seats: pd.DataFrame,
    activity: Table,
    *,
    seat_pools: pd.DataFrame | None = None,
    seat_requests: pd.DataFrame | None = None,
    activity_hours: Table | None = None,
    tasks: Table | None = None,
    as_of: date,
    min_group_size: int,
    dominance: Dominance = DEFAULT_DOMINANCE,
    rules: MetricSettings = DEFAULT_RULES,
    groupings: Mapping[str, tuple[str, ...]] = NO_GROUPINGS,
) -> dict[str, pd.DataFrame]:
    """Every group-level table of a run, before the gate: each row with its group's attributes, the
    ``people`` it rests on, and the gate's person-derived inputs (dominance shares, turnover flags, the
    counts behind an extreme rate).

    Departments with fewer than ``min_group_size`` people on ``as_of`` are left out of every table, the
    organisation's rows included (see :func:`departments_under_minimum`), and so are their seat pools.
    Shares whose parts and whole are published elsewhere (conversion between adoption stages, the share of
    power users, of people using two tools, license efficiency) are not published: the reports work them
    out from the counts the gate lets through (:mod:`adoption_kit.report`). ``groupings`` adds groupings
    by roster attributes (name: attributes) to the built-in ones, with the tables of
    ``ADDED_GROUPING_TABLES``. ``activity``, ``activity_hours`` and ``tasks`` may be frames or paths to
    their canonical Parquet files (see :meth:`Workspace.source`)."""
    published_for = _published_for(groupings)
    seat_pools = schema.empty("seat_pools") if seat_pools is None else seat_pools
    left_out = departments_under_minimum(people, as_of=as_of, min_group_size=min_group_size)
    inputs = _Inputs(
        people=people.loc[~people["department"].isin(left_out)],
        seats=schema.conform("seats", seats),
        seat_pools=seat_pools.loc[~seat_pools["department"].isin(left_out)],
        seat_requests=schema.empty("seat_requests") if seat_requests is None else seat_requests,
        activity=activity if isinstance(activity, Path) else schema.conform("activity", activity),
        activity_hours=schema.empty("activity_hours") if activity_hours is None else activity_hours,
        tasks=schema.empty("tasks") if tasks is None else tasks,
        as_of=as_of,
        min_group_size=min_group_size,
        dominance=dominance,
        rules=rules,
    )
    jobs = [
        (name, group_by, by)
        for group_by, by in (GROUPINGS | dict(groupings)).items()
        for name in [n for n, names in published_for.items() if group_by in names]
    ]
    computed: dict[str, list[pd.DataFrame]] = {name: [] for name in KEYS}
    # The activity's person-level summaries are computed once for every table, and the tables are built
    # on BUILD_THREADS threads (each in a copy of this context, so they share the summaries, the engine and
    # the threads per query).
    per_query = max(1, (os.cpu_count() or 1) // BUILD_THREADS)
    with query.sharing(), threads_per_query(per_query), ThreadPoolExecutor(BUILD_THREADS) as pool:
        built = [
            pool.submit(contextvars.copy_context().run, _build, inputs, name, group_by, by, groupings)
            for name, group_by, by in jobs
        ]
        for (name, _, _), frame in zip(jobs, built, strict=True):
            computed[name].append(frame.result())
    return {
        name: pd.concat(frames, ignore_index=True).assign(people=lambda f, n=name: f[PEOPLE_BEHIND[n]])
        for name, frames in computed.items()
    }


def _build(
    inputs: _Inputs, name: str, group_by: str, by: tuple[str, ...], groupings: Mapping[str, tuple[str, ...]]
) -> pd.DataFrame:
    """Table ``name`` for one grouping, labelled with it; the finest groupings' monthly figures are
    computed for tool ``any`` only (the gate keeps no other)."""
    if name == "monthly_active" and (group_by in ANY_TOOL_ONLY or group_by in groupings):
        frame = _monthly(inputs, by, tools=[metrics.ANY_TOOL])
    else:
        frame = _BUILDERS[name](inputs, by or None)
    return _labelled(frame, group_by, by)


def _published_for(groupings: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The groupings each table is published for, with the added ones; an added grouping may not take a
    built-in one's name."""
    clash = sorted(set(groupings) & set(GROUPINGS))
    if clash:
        raise ConfigError(
            f"grouping {clash[0]!r} is built in", column=f"groupings.{clash[0]}", expected="another name"
        )
    added = tuple(groupings)
    return {
        name: names + (added if name in ADDED_GROUPING_TABLES else ())
        for name, names in PUBLISHED_FOR.items()
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


Grouping = tuple[str, ...] | None


def _headcount(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    return metrics.headcount(inputs.people, by=by, as_of=inputs.as_of)


def _activation(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    """Seat holders, who of them ever used their seat, and the days from seat to first use (median and
    75th percentile over those who used it; empty where fewer than ``min_group_size`` did, since a
    quantile of a few people is one of their own values)."""
    activation = metrics.seat_activation(
        inputs.seats, inputs.activity, inputs.people, by=by, as_of=inputs.as_of
    )
    delays = metrics.time_to_first_use(
        inputs.people, inputs.seats, inputs.activity, by=by, as_of=inputs.as_of
    )
    enough = delays["used"] >= inputs.min_group_size
    delays = delays.assign(
        median_days_to_first_use=delays["median_days"].where(enough),
        p75_days_to_first_use=delays["p75_days"].where(enough),
    )
    keys = [*metrics.result_keys(by), "tool"]
    return activation.merge(
        delays[[*keys, "median_days_to_first_use", "p75_days_to_first_use"]], on=keys, how="left"
    )


def _seat_use(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    """Per group and tool, two rows of people: ``active`` seats (their holder used the tool lately: license
    efficiency is active / seat holders, idle seats the rest) and ``demand`` (people without a seat of their
    own who use the tool or wait on a seat request). Each is its own count, so the gate can hide one
    without the other."""
    use = metrics.seat_use(
        inputs.seats,
        inputs.activity,
        inputs.people,
        requests=inputs.seat_requests,
        by=by,
        as_of=inputs.as_of,
        rule=inputs.rules.cost,
    )
    keys = [*metrics.result_keys(by), "tool"]
    active = use[keys].assign(status="active", people=use["active_seats"], **{SEAT_HOLDERS: use["seats"]})
    demand = use[keys].assign(status="demand", people=use["demand"])
    return pd.concat([active, demand], ignore_index=True)


def _seat_moves(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    """Where idle seats could go, team to team (the organisation's table; ``by`` is unused): every team's
    true idle seats and demand paired by :func:`adoption_kit.metrics.allocate_idle_seats`, the teams with
    the most idle seats giving first (fewer, larger moves), each move rounded down to whole steps of
    ``min_group_size`` seats (moves under one step are left out), so a move never tells a team's exact
    idle seats or waitlist: only that it has at least that many."""
    teams = ["department", "team"]
    use = metrics.seat_use(
        inputs.seats,
        inputs.activity,
        inputs.people,
        requests=inputs.seat_requests,
        by=teams,
        as_of=inputs.as_of,
        rule=inputs.rules.cost,
    )
    use = use.sort_values(["idle_seats", "demand", *teams], ascending=[False, False, True, True])
    moves = metrics.allocate_idle_seats(use, keys=teams)
    step = inputs.min_group_size
    moves = moves.assign(seats_to_move=moves["seats_to_move"] // step * step)
    moves = moves.loc[moves["seats_to_move"] > 0]
    return moves[["tool", "from_team", "to_team", "seats_to_move"]].reset_index(drop=True)


def _monthly(inputs: _Inputs, by: Grouping, *, tools: Sequence[str] | None = None) -> pd.DataFrame:
    """MAU, mean WAU and stickiness with the turnover flag, for every tool or only ``tools``. For the
    organisation also the month's mean DAU (day-grain tools only), each tool's cost, and the active people
    by how many tools they used.

    A mean of a few people a day cannot be hidden in an interval as wide as the minimum, so groups get
    weekly and monthly figures only."""
    activity, people, as_of = inputs.activity, inputs.people, inputs.as_of
    turnover = metrics.changes_only_by_joiners_and_leavers(
        activity, people, by=by, until=as_of, period="month", fewer_than=inputs.min_group_size, tools=tools
    )
    monthly = metrics.monthly_active_users(activity, people, by=by, until=as_of, tools=tools).merge(turnover)
    if by:
        return monthly
    daily = metrics.daily_active_users(activity, people, by=None, until=as_of)
    daily = daily.assign(month=daily["day"].dt.to_period("M").dt.start_time.astype(monthly["month"].dtype))
    monthly = monthly.merge(daily.groupby(["tool", "month"], as_index=False)["dau"].mean(), how="left")
    return pd.concat([_with_cost(inputs, monthly), _tools_used(inputs)], ignore_index=True)


def _tools_used(inputs: _Inputs) -> pd.DataFrame:
    """The month's active people by how many tools they used, as rows of ``monthly_active`` whose tool is
    ``tools_used:<n>``: they are the parts of tool ``any``, and the gate protects that sum too."""
    counts = metrics.active_people_by_tool_count(
        inputs.activity, inputs.people, by=None, until=inputs.as_of, options=inputs.rules.cross_tool
    )
    counts = counts.assign(tool=TOOLS_USED + counts["tools"], isolates_turnover=False)
    return counts.drop(columns="tools").rename(columns={"people": "mau"})


def _with_cost(inputs: _Inputs, monthly: pd.DataFrame) -> pd.DataFrame:
    """``monthly`` with each tool's seat and usage cost and its cost per active person. Tool ``any`` has
    none: its total would let a hidden tool's cost be subtracted out (the reports add up shown tools)."""
    cost = metrics.cost_per_active_user(
        inputs.seats,
        inputs.seat_pools,
        inputs.activity,
        inputs.people,
        first_month=pd.Timestamp(monthly["month"].min() if len(monthly) else inputs.as_of).date(),
        last_month=inputs.as_of,
        contributors=inputs.dominance.contributors,
    )
    cost = cost.loc[cost["tool"] != metrics.ANY_TOOL].drop(columns=["people", "cost"])
    return monthly.merge(cost.astype({"month": monthly["month"].dtype}), how="left", on=["tool", "month"])


def _power_users(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    """Power users per group, tool and month. Their share is not published with them: its denominator
    (MAU) is, in ``monthly_active``, and the two tables may hide different rows."""
    found = metrics.power_users(
        inputs.activity,
        inputs.people,
        by=by,
        period="month",
        until=inputs.as_of,
        rule=inputs.rules.power_users,
    )
    return found.drop(columns="power_user_share")


def _overlaps(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    """People who used both tools of a pair in a month, with each tool's people who did not use the other
    (the gate's inputs: a Venn region of a few people would be told by the published MAUs)."""
    pairs = metrics.tool_overlaps(inputs.activity, inputs.people, by=by, until=inputs.as_of)
    return pairs.assign(
        tool=pairs["tool_a"] + PAIR + pairs["tool_b"],
        people=pairs["people_both"],
        only_a=pairs["people_a"] - pairs["people_both"],
        only_b=pairs["people_b"] - pairs["people_both"],
    )[[*metrics.result_keys(by), "tool", "month", "people", "only_a", "only_b"]]


def _moves(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    """People who dropped one tool for another from one month to the next (where one substitutes another)."""
    moves = metrics.tool_moves(inputs.activity, inputs.people, by=by, until=inputs.as_of)
    return moves.assign(tool=moves["from_tool"] + MOVE + moves["to_tool"], people=moves["moved"])[
        [*metrics.result_keys(by), "tool", "month", "people"]
    ]


def _weekly(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    """WAU and the volume of use per active person, one row per group, tool and week, with the requests
    the service throttled (tools whose source reports them) and the gate's inputs."""
    activity, people, as_of = inputs.activity, inputs.people, inputs.as_of
    # the active people behind each week's events are its weekly active users: one query gives both
    volume = metrics.events_per_active_user(activity, people, by=by, until=as_of)
    wau = volume.rename(columns={"active_users": "wau"})
    shares = metrics.top_contributors_share(
        activity, people, by=by, until=as_of, contributors=inputs.dominance.contributors
    )
    turnover = metrics.changes_only_by_joiners_and_leavers(
        activity, people, by=by, until=as_of, period="week", fewer_than=inputs.min_group_size
    )
    throttled = metrics.throttled_requests(activity, people, by=by, until=as_of)
    throttled = throttled[[*metrics.result_keys(by), "tool", "week", "throttled"]]
    throttled = throttled.astype({"week": wau["week"].dtype})
    weekly = wau.merge(shares).merge(turnover).merge(throttled, how="left")
    # Events are counted in each tool's own unit (messages, accepted suggestions, API requests): summed
    # over tools they mean nothing, and their sum would let a hidden tool's total be subtracted out.
    weekly.loc[weekly["tool"] == metrics.ANY_TOOL, list(MAGNITUDES["weekly_active"])] = float("nan")
    return weekly


def _stages(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    stages = metrics.adoption_stages(
        inputs.people,
        inputs.seats,
        inputs.seat_pools,
        inputs.activity,
        by=by,
        as_of=inputs.as_of,
        rule=inputs.rules.stages,
    )
    return stages.drop(columns="conversion")


BENCHMARKED_TOOLS = (metrics.ANY_TOOL, "chatgpt_enterprise")  # the bundled figures are about ChatGPT


def _benchmarks(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    """The figures the kit can place against reference tables, over the run's month, for all tools and for
    ChatGPT Enterprise (the population of the bundled figures); the reports add the reference values."""
    since = inputs.as_of.replace(day=1)
    observed = [
        metrics.observed_metrics(
            inputs.activity,
            inputs.seats,
            inputs.people,
            by=by[0] if by else None,
            tool=tool,
            since=since,
            until=inputs.as_of,
            rule=inputs.rules.benchmarks,
            contributors=inputs.dominance.contributors,
        ).assign(tool=tool)
        for tool in BENCHMARKED_TOOLS
    ]
    return pd.concat(observed, ignore_index=True)


def _hourly(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    """Events and active people per UTC hour of the run's month, per tool (event-level sources only)."""
    hours = metrics.hourly_profile(
        inputs.activity_hours,
        inputs.people,
        by=by,
        since=inputs.as_of.replace(day=1),
        until=inputs.as_of,
        contributors=inputs.dominance.contributors,
    )
    return _per_tool(hours.drop(columns=["share", "throttled"]))


def _weekdays(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    """Events and active people per weekday of the run's month, per tool (day-grain sources only)."""
    weekdays = metrics.weekday_profile(
        inputs.activity,
        inputs.people,
        by=by,
        since=inputs.as_of.replace(day=1),
        until=inputs.as_of,
        contributors=inputs.dominance.contributors,
    )
    return _per_tool(weekdays.drop(columns="share"))


def _peak_headroom(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    """The run's month's busiest day against its usual busy day, per tool (day-grain sources only)."""
    peaks = metrics.peak_headroom(
        inputs.activity,
        inputs.people,
        by=by,
        since=inputs.as_of.replace(day=1),
        until=inputs.as_of,
        rule=inputs.rules.consumption,
        contributors=inputs.dominance.contributors,
    )
    return _per_tool(peaks).assign(reference_percentile=inputs.rules.consumption.peak_percentile)


def _use_cases(inputs: _Inputs, by: Grouping) -> pd.DataFrame:
    """Classified events and their people per use case, tool and month."""
    mix = metrics.use_case_mix(
        inputs.tasks, inputs.people, by=by, until=inputs.as_of, contributors=inputs.dominance.contributors
    )
    return _per_tool(mix.drop(columns="share"))


def _per_tool(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without its tool "any" rows: events of different tools are not added up in a published
    table (their sum would let a hidden tool's events be subtracted out); shares are the reports' work."""
    return frame.loc[frame["tool"] != metrics.ANY_TOOL].reset_index(drop=True)


_BUILDERS = {
    "headcount": _headcount,
    "activation": _activation,
    "seat_use": _seat_use,
    "seat_moves": _seat_moves,
    "weekly_active": _weekly,
    "monthly_active": _monthly,
    "power_users": _power_users,
    "tool_overlaps": _overlaps,
    "tool_moves": _moves,
    "stages": _stages,
    "benchmarks": _benchmarks,
    "hourly_profile": _hourly,
    "weekday_profile": _weekdays,
    "peak_headroom": _peak_headroom,
    "use_cases": _use_cases,
}


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
    period = pd.Series("", index=record.index, dtype="str")
    for column in [c for c in SLOTS if c in record.columns]:  # the row's slots: period, stage, hour...
        value = record[column].astype("str").where(record[column].notna(), "")
        period = period.where(value == "", period.where(period == "", period + GROUP_SEPARATOR) + value)
    return record.assign(period=period).reindex(columns=columns).astype("str")


OUTCOME_EFFECTS = "outcome_effects"
OUTCOME_EVENT_STUDY = "outcome_event_study"
# What an outcome row is about and why it is hidden: its keys, never a number.
OUTCOME_KEYS = {
    OUTCOME_EFFECTS: ["group_by", "group", "kpi", "estimator", "note"],
    OUTCOME_EVENT_STUDY: ["group_by", "group", "kpi", "relative_month", "note"],
}


def outcome_tables(
    workspace: Workspace, *, as_of: date, min_group_size: int, rules: MetricSettings = DEFAULT_RULES
) -> dict[str, pd.DataFrame]:
    """AI use against the KPIs, for the organisation and each department: ``outcome_effects`` (each KPI's
    estimates) and ``outcome_event_study`` (each KPI's months around adoption), from team x month panels
    of teams with at least ``min_group_size`` people that month (departments under the minimum are left
    out, as from every table). The estimates are not counts of people and do not pass the gate: one
    resting on fewer than ``rules.outcomes.min_teams`` teams (an event-study month: adopting teams) keeps
    no number, is ``suppressed`` and says why in ``note``; ``people`` is a lower bound on the people
    behind a row (each team's smallest headcount, summed)."""
    people = workspace.table("people")
    left_out = departments_under_minimum(people, as_of=as_of, min_group_size=min_group_size)
    panel = metrics.outcome_panel(
        people.loc[~people["department"].isin(left_out)],
        workspace.table("activity"),
        workspace.table("outcomes"),
        until=as_of,
        min_group_size=min_group_size,
        rule=rules.power_users,
    )
    groups = {("organisation", ORGANISATION): panel} | {
        ("department", str(name)): frame for name, frame in panel.groupby("department")
    }
    estimates = {OUTCOME_EFFECTS: metrics.outcome_effects, OUTCOME_EVENT_STUDY: metrics.outcome_event_study}
    return {name: _outcome_table(groups, estimate, rules.outcomes) for name, estimate in estimates.items()}


def _outcome_table(
    groups: dict[tuple[str, str], pd.DataFrame],
    estimate: Callable[..., pd.DataFrame],
    rule: metrics.OutcomeRule,
) -> pd.DataFrame:
    """``estimate`` of each group's panel in one table keyed by group, a row with a note ``suppressed``."""
    frames = [estimate(f, rule=rule).assign(group_by=by, group=name) for (by, name), f in groups.items()]
    table = pd.concat(frames, ignore_index=True)
    values = [c for c in table.columns if c not in ("group_by", "group")]
    return table.assign(suppressed=table["note"] != "")[["group_by", "group", *values, "suppressed"]]
