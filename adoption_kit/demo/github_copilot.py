"""GitHub Copilot: seats, daily use, and what the organisation's admin downloads.

github_copilot/organization-users-28-day-<end>.ndjson  per-user usage reports (28-day windows)
github_copilot/organization-28-day-<end>.json          the organisation's report of the same windows,
                                                       counted from the same per-user records
github_copilot/copilot-seats-<last day>.json           the seats API snapshot on the last day
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from adoption_kit.demo.identifiers import ALNUM, random_ids
from adoption_kit.demo.organisation import DEPARTMENTS, NEVER, Calendar, Org
from adoption_kit.demo.usage import Plan, Seats, active_days, assign_seats, expit, idle_seats
from adoption_kit.sources.copilot_users import ACTIVITY_COUNTS

PRICE_USD = 19
ORGANIZATION_ID = "48213907"
ENTERPRISE_ID = "210457"
_FEATURES = ("code_completion", "chat_panel_ask_mode", "chat_panel_agent_mode", "agent_edit", "copilot_cli")
_COUNTERS = ACTIVITY_COUNTS
_IDES = np.array(["vscode", "jetbrains", "visualstudio"])
_IDE_P = [0.72, 0.2, 0.08]
_PLUGINS = np.array(["copilot-chat", "copilot-intellij", "copilot-vs"])
_EDITOR_PREFIX = np.array(["vscode", "JetBrains-IU", "VisualStudio"])
PLAN = Plan("github_copilot", PRICE_USD, tuple(d.copilot_month for d in DEPARTMENTS))


def seats(rng: np.random.Generator, org: Org, cal: Calendar) -> Seats:
    """Seats for people with a GitHub login, in the departments that get Copilot."""
    rollout = np.array([NEVER if m is None else cal.rollout_day(m) for m in PLAN.months])
    share = np.array([d.copilot_seats for d in DEPARTMENTS])
    return assign_seats(rng, org, cal, rollout=rollout, share=share, eligible=org.login != "")


def activity(rng: np.random.Generator, org: Org, seats: Seats, cal: Calendar) -> np.ndarray:
    """Daily Copilot activity, mostly on workdays, inside the period."""
    n, z = org.dept.size, org.enthusiasm
    active = active_days(
        rng,
        usable=seats.invited,
        until=np.minimum(org.leave, cal.last_idx),
        idle=idle_seats(rng, z, np.array([d.copilot_idle for d in DEPARTMENTS])[org.dept]),
        adopt_days=6 * np.exp(-0.3 * z),
        p_week=expit(2.2 + 0.8 * z + 0.4 * rng.standard_normal(n)),
        p_day=expit(1.0 + 0.6 * z + 0.5 * rng.standard_normal(n)),
        cal=cal,
    )
    active[:, : cal.first_idx] = False
    return active


def _copilot_usage(rng: np.random.Generator, org: Org, person: np.ndarray, day: np.ndarray) -> pd.DataFrame:
    """Counters per active (user, day), wide: ``<feature>__<counter>``, the totals and the IDE totals.

    Features: code completion (not user initiated), ask and agent chat, the agent's edits, the CLI (which
    counts in the totals but not in any IDE's totals, as in GitHub's reports).
    """
    n, cells = org.dept.size, person.size
    z = org.enthusiasm
    completions = np.exp(np.log(30) + 0.6 * (0.5 * z + 0.87 * rng.standard_normal(n)))[person]
    accept_rate = rng.beta(6, 14, n)[person]
    agent_from = np.where(rng.random(n) < 0.6, rng.exponential(45, n), np.inf)[person]
    first_day = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_day, person, day)
    uses = {
        "code_completion": (rng.random(n) < 0.93)[person] & (rng.random(cells) < 0.92),
        "chat_panel_ask_mode": rng.random(cells) < rng.beta(2, 3, n)[person],
        "chat_panel_agent_mode": (day - first_day[person] >= agent_from) & (rng.random(cells) < 0.5),
        "copilot_cli": (rng.random(n) < 0.1)[person] & (rng.random(cells) < 0.3),
    }
    uses["code_completion"] |= ~np.logical_or.reduce(list(uses.values()))
    uses["agent_edit"] = uses["chat_panel_agent_mode"]

    zero = np.zeros(cells, dtype=np.int64)
    gen = 1 + rng.poisson(completions * rng.gamma(4, 0.25, cells))
    acc = rng.binomial(gen, accept_rate)
    suggested = gen + rng.poisson(gen * 1.3)
    ask = 1 + rng.poisson(1.8, cells)
    ask_gen = rng.binomial(2 * ask, 0.45)
    agent = 1 + rng.poisson(np.exp(np.log(3) + 0.7 * rng.standard_normal(n))[person])
    agent_gen = rng.binomial(agent, 0.35)
    edits = 1 + rng.poisson(agent * 0.8)
    cli = 1 + rng.poisson(3, cells)
    cli_gen = cli + rng.poisson(2 * cli)
    completed = np.minimum(acc + rng.poisson(acc * 0.9), suggested)
    cli_kept = cli_gen - rng.binomial(cli_gen, 0.05)
    counters = {  # in the order of _COUNTERS
        "code_completion": (zero, gen, acc, suggested, zero, completed, zero),
        "chat_panel_ask_mode": (ask, ask_gen, zero, rng.poisson(ask_gen * 9), zero, zero, zero),
        "chat_panel_agent_mode": (agent, agent_gen, zero, rng.poisson(agent_gen * 7), zero, zero, zero),
        "agent_edit": (zero, edits, zero, zero, zero, rng.poisson(edits * 22), rng.poisson(edits * 7)),
        "copilot_cli": (cli, cli_gen, cli_kept, zero, zero, rng.poisson(cli_gen * 25), rng.poisson(cli * 9)),
    }
    columns: dict[str, np.ndarray] = {}
    for feature in _FEATURES:
        columns[f"{feature}__used"] = uses[feature]
        for name, values in zip(_COUNTERS, counters[feature], strict=True):
            columns[f"{feature}__{name}"] = np.where(uses[feature], values, 0)
    for name in _COUNTERS:
        columns[name] = np.sum([columns[f"{feature}__{name}"] for feature in _FEATURES], axis=0)
        columns[f"ide__{name}"] = columns[name] - columns[f"copilot_cli__{name}"]
    columns["in_ide"] = np.logical_or.reduce([uses[f] for f in _FEATURES if f != "copilot_cli"])
    columns["used_agent"] = uses["chat_panel_agent_mode"] | uses["agent_edit"]
    columns["used_chat"] = uses["chat_panel_ask_mode"] | uses["chat_panel_agent_mode"]
    columns["used_cli"] = uses["copilot_cli"]
    return pd.DataFrame(columns)


def _copilot_records(
    rng: np.random.Generator, org: Org, active: np.ndarray, cal: Calendar
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per (user, day) with activity, in report order (day, login), and the IDE versions they use."""
    person, day = np.nonzero(active)
    login_rank = np.argsort(np.argsort(org.login, kind="stable"), kind="stable")
    order = np.lexsort((login_rank[person], day))
    person, day = person[order], day[order]
    n, cells = org.dept.size, person.size
    window = (cal.last_idx - day) // 28
    # months since 2026-03, when VS Code 1.113 and copilot-chat 0.41 shipped
    month = (np.datetime64(cal.origin, "D") + day).astype("datetime64[M]").astype(int) - (56 * 12 + 2)
    ide = rng.choice(3, size=n, p=_IDE_P)[person]
    codes, version = np.unique(
        (ide * 1000 + np.clip(month, -40, 900) + 40) * 4 + rng.integers(0, 4, cells), return_inverse=True
    )
    records = pd.DataFrame(
        {
            "seq": np.arange(cells),
            "person": person,
            "day": day,
            "report_window": window,
            "window_start": cal.last_idx - 28 * window - 27,
            "window_end": cal.last_idx - 28 * window,
            "version": version,
            "stamp_ms": day * 86_400_000 + rng.integers(7 * 3_600_000, 21 * 3_600_000, cells),
        }
    )
    return records, _ide_versions(codes)


def _ide_versions(codes: np.ndarray) -> pd.DataFrame:
    """IDE and plugin version strings for each (IDE, month, patch) code."""
    rows = []
    for version, code in enumerate(codes.tolist()):
        ide, month, patch = code // 4000, code // 4 % 1000 - 40, code % 4
        ide_version, plugin_version = (
            (f"1.{113 + month}.{patch}", f"0.{41 + month}.{patch}"),
            (f"2026.1.{max(2 + month, 0)}", f"1.5.{59 + 3 * month}"),
            (f"18.3.{max(3 + month, 0)}", f"18.3.{511 + 20 * month}"),
        )[ide]
        editor = f"{_EDITOR_PREFIX[ide]}/{ide_version}/{_PLUGINS[ide]}/{plugin_version}"
        rows.append((version, _IDES[ide], _PLUGINS[ide], plugin_version, ide_version, editor))
    return pd.DataFrame(rows, columns=["version", "ide", "plugin", "plugin_version", "ide_version", "editor"])


def _report_sql(cal: Calendar) -> str:
    """The query writing one 28-day window of the per-user report (``{window}`` left to fill in)."""
    origin = cal.origin.isoformat()

    def counters(prefix: str) -> str:
        return ", ".join(f"{name} := r.{prefix}{name}" for name in _COUNTERS)

    features = ", ".join(
        f"CASE WHEN r.{f}__used THEN struct_pack(feature := '{f}', {counters(f + '__')}) END"
        for f in _FEATURES
    )
    stamp = f"strftime(TIMESTAMP '{origin}' + to_milliseconds(r.stamp_ms), '%Y-%m-%dT%H:%M:%S.%gZ')"
    return f"""
        SELECT DATE '{origin}' + r.window_start::INTEGER AS report_start_day,
            DATE '{origin}' + r.window_end::INTEGER AS report_end_day,
            DATE '{origin}' + r.day::INTEGER AS day,
            '{ORGANIZATION_ID}' AS organization_id, '{ENTERPRISE_ID}' AS enterprise_id,
            u.user_id, u.user_login,
            r.user_initiated_interaction_count, r.code_generation_activity_count,
            r.code_acceptance_activity_count,
            CASE WHEN r.in_ide THEN [struct_pack(ide := v.ide, {counters("ide__")},
                last_known_plugin_version := struct_pack(
                    sampled_at := {stamp}, plugin := v.plugin, plugin_version := v.plugin_version),
                last_known_ide_version := struct_pack(sampled_at := {stamp}, ide_version := v.ide_version))]
            ELSE [] END AS totals_by_ide,
            [f FOR f IN [{features}] IF f IS NOT NULL] AS totals_by_feature,
            r.used_agent, r.used_chat, r.used_cli,
            r.loc_suggested_to_add_sum, r.loc_suggested_to_delete_sum, r.loc_added_sum, r.loc_deleted_sum
        FROM records r JOIN users u USING (person) JOIN versions v USING (version)
        WHERE r.report_window = {{window}}
        ORDER BY r.seq
    """


def write(
    folder: Path, rng: np.random.Generator, org: Org, seats: Seats, active: np.ndarray, cal: Calendar
) -> None:
    """The 28-day per-user NDJSON reports (back to back, the last ending on the last day) and the seats.

    Windows without any activity (before the first seat) get no file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    records, versions = _copilot_records(rng, org, active, cal)
    usage = _copilot_usage(rng, org, records["person"].to_numpy(), records["day"].to_numpy())
    with_login = np.flatnonzero(org.login != "")
    users = pd.DataFrame(
        {"person": with_login, "user_id": org.github_id[with_login], "user_login": org.login[with_login]}
    )
    sql = _report_sql(cal)
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.register("records", pd.concat([records, usage], axis=1))
        con.register("users", users)
        con.register("versions", versions)
        for window in np.unique(records["report_window"]).tolist():  # windows with some activity
            end = cal.iso(cal.last_idx - 28 * window)
            path = str(folder / f"organization-users-28-day-{end}.ndjson").replace("'", "''")
            con.execute(f"COPY ({sql.format(window=window)}) TO '{path}' (FORMAT json)")
    snapshot = _seats_snapshot(rng, org, seats, records, versions, cal)
    (folder / f"copilot-seats-{cal.iso(cal.last_idx)}.json").write_text(
        json.dumps(snapshot, indent=2) + "\n", encoding="utf-8"
    )
    day_totals = _day_totals(pd.concat([records, usage], axis=1), versions, org.dept.size, cal)
    for window in np.unique(records["report_window"]).tolist():
        end = cal.last_idx - 28 * window
        report = {
            "report_start_day": str(cal.iso(end - 27)),
            "report_end_day": str(cal.iso(end)),
            "organization_id": ORGANIZATION_ID,
            "enterprise_id": ENTERPRISE_ID,
            "created_at": f"{cal.iso(end + 1)}T03:{17 + window % 40:02d}:{7 * window % 60:02d}.{window:03d}Z",
            "day_totals": [day_totals(d) for d in range(end - 27, end + 1)],
        }
        (folder / f"organization-28-day-{cal.iso(end)}.json").write_text(
            json.dumps(report, indent=2) + "\n", encoding="utf-8"
        )


def _trailing_users(
    person: np.ndarray, day: np.ndarray, people: int, cal: Calendar, width: int
) -> np.ndarray:
    """Per day index: distinct people with a (person, day) in the ``width`` days ending that day."""
    used = np.zeros((people, cal.n_days + 1), dtype=np.int32)
    np.add.at(used, (person, day + 1), 1)
    used = np.cumsum(used, axis=1)
    start = np.maximum(np.arange(cal.n_days) + 1 - width, 0)
    return ((used[:, 1:] - used[:, start]) > 0).sum(axis=0)


def _day_totals(
    frame: pd.DataFrame, versions: pd.DataFrame, people: int, cal: Calendar
) -> Callable[[int], dict]:
    """The organisation report's ``day_totals`` entry of a day index, from the per-user records.

    A report's first days may come before the calendar's first day: nobody was active then.

    Weekly and monthly active users count distinct users over the 7 and 28 days ending on the day.
    """
    person, day = frame["person"].to_numpy(), frame["day"].to_numpy()

    def users(mask: np.ndarray | None = None, width: int = 1) -> list[int]:
        kept = np.ones(person.size, dtype=bool) if mask is None else mask
        return _trailing_users(person[kept], day[kept], people, cal, width).tolist()

    counts = {
        "daily_active_users": users(),
        "weekly_active_users": users(width=7),
        "monthly_active_users": users(width=28),
        "monthly_active_chat_users": users(frame["used_chat"].to_numpy(), 28),
        "monthly_active_agent_users": users(frame["used_agent"].to_numpy(), 28),
        "daily_active_cli_users": users(frame["used_cli"].to_numpy()),
    }
    sums = frame.groupby("day")[list(_COUNTERS)].sum()
    features = {
        f: frame[frame[f"{f}__used"]].groupby("day")[[f"{f}__{c}" for c in _COUNTERS]].sum()
        for f in _FEATURES
    }
    in_ide = frame[frame["in_ide"]].assign(
        ide=versions["ide"].to_numpy()[frame.loc[frame["in_ide"], "version"]]
    )
    ides = in_ide.groupby(["day", "ide"])[[f"ide__{c}" for c in _COUNTERS]].sum()

    def entry(d: int) -> dict:
        totals = {
            "day": str(cal.iso(d)),
            "organization_id": ORGANIZATION_ID,
            "enterprise_id": ENTERPRISE_ID,
            **{name: values[d] if 0 <= d < cal.n_days else 0 for name, values in counts.items()},
            **{c: int(sums.at[d, c]) if d in sums.index else 0 for c in _COUNTERS},
        }
        totals["totals_by_ide"] = [
            {"ide": ide, **{c: int(row[f"ide__{c}"]) for c in _COUNTERS}}
            for (_, ide), row in (ides.loc[[d]].iterrows() if d in ides.index.get_level_values(0) else [])
        ]
        totals["totals_by_feature"] = [
            {"feature": f, **{c: int(table.at[d, f"{f}__{c}"]) for c in _COUNTERS}}
            for f, table in features.items()
            if d in table.index
        ]
        return totals

    return entry


def _timestamps(cal: Calendar, day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    stamp = np.datetime64(cal.origin, "s") + day.astype("timedelta64[D]") + seconds.astype("timedelta64[s]")
    return np.char.add(np.datetime_as_string(stamp, unit="s"), "Z")


def _seats_snapshot(
    rng: np.random.Generator,
    org: Org,
    seats: Seats,
    records: pd.DataFrame,
    versions: pd.DataFrame,
    cal: Calendar,
) -> dict:
    """The seats API response on the last day: current seats, and leavers' seats pending cancellation."""
    n, last = org.dept.size, cal.last_idx
    latest = records.drop_duplicates("person", keep="last")  # records are ordered by day
    last_day = np.full(n, -1)
    last_day[latest["person"].to_numpy()] = latest["day"].to_numpy()
    editor = np.full(n, None, dtype=object)
    editor[latest["person"].to_numpy()] = versions["editor"].to_numpy()[latest["version"].to_numpy()]
    leaving = (org.leave < NEVER) & (org.leave >= int(cal.month_starts[-2]))  # cancelled at the month's end
    listed = np.flatnonzero((seats.invited <= last) & ((org.leave >= NEVER) | leaving))
    listed = listed[np.lexsort((org.github_id[listed], seats.invited[listed]))]

    created = _timestamps(cal, seats.invited, rng.integers(8 * 3600, 18 * 3600, n))
    recent = (last_day >= 0) & (last_day >= last - 90)  # GitHub nulls activity older than 90 days
    activity = _timestamps(cal, np.maximum(last_day, 0), rng.integers(9 * 3600, 20 * 3600, n))
    signed_in = _timestamps(cal, np.maximum(last_day, 0), rng.integers(7 * 3600, 9 * 3600, n))
    first_sign_in = _timestamps(
        cal, seats.invited + rng.integers(0, 3, n), rng.integers(8 * 3600, 17 * 3600, n)
    )
    authenticated = np.where(last_day >= 0, signed_in, np.where(rng.random(n) < 0.4, first_sign_in, None))
    node = random_ids(rng, n, 8, ALNUM)
    teams = _github_teams(rng, org.team_names)

    def seat(i: int) -> dict:
        return {
            "created_at": created[i],
            "updated_at": created[i],
            "pending_cancellation_date": str(cal.iso(last + 1)) if org.leave[i] < NEVER else None,
            "last_activity_at": activity[i] if recent[i] else None,
            "last_activity_editor": editor[i] if recent[i] else None,
            "last_authenticated_at": authenticated[i],
            "plan_type": "business",
            "assignee": {
                "login": org.login[i],
                "id": int(org.github_id[i]),
                "node_id": f"U_kgDO{node[i]}",
                "avatar_url": f"https://avatars.githubusercontent.com/u/{org.github_id[i]}?v=4",
                "html_url": f"https://github.com/{org.login[i]}",
                "type": "User",
            },
            "assigning_team": teams[org.team[i]],
        }

    return {"total_seats": int(listed.size), "seats": [seat(int(i)) for i in listed]}


def _github_teams(rng: np.random.Generator, names: np.ndarray) -> list[dict | None]:
    """The GitHub team that assigns each roster team's seats, or None where seats are assigned one by one."""
    slugs = pd.Series(names).str.lower().str.replace(r"[^a-z0-9]+", "-", regex=True)
    via_team = rng.random(names.size) < 0.7
    return [
        {
            "id": 4_100_000 + 17 * t,
            "name": str(names[t]).replace(" / ", " "),
            "slug": slugs[t],
            "node_id": f"T_kwDOAB{4_100_000 + 17 * t:08X}",
            "privacy": "closed",
        }
        if via_team[t]
        else None
        for t in range(names.size)
    ]


# ---------------------------------------------------------------------------------------------- files
