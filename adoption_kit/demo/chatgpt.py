"""ChatGPT Enterprise: seats, daily use, and the weekly reports the workspace admin exports.

    chatgpt/Acme weekly user report <Sunday>.csv   one row per seat holder (pending, enabled, deleted)
    chatgpt/Acme weekly gpt report <Sunday>.csv    one row per custom GPT from its creation; its messages
                                                   add up the user reports' ``gpt_to_messages``

GPT names are free text; two carry their creator's first name ("Maria's Pricing Helper").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from adoption_kit.demo.identifiers import ALNUM, HEX, random_ids
from adoption_kit.demo.organisation import DEPARTMENTS, DEPT_INDEX, EXEC, NEVER, Calendar, Org
from adoption_kit.demo.usage import Plan, Seats, active_days, assign_seats, expit, idle_seats

WORKSPACE = "Acme"
PRICE_USD = 60
_STR = np.dtypes.StringDType()

CHATGPT_HEADER = (  # noqa: SIM905 (the header exactly as the export writes it)
    "cadence,period_start,period_end,account_id,public_id,name,email,role,user_role,department,groups,"
    "user_status,created_or_invited_date,is_active,first_day_active_in_period,last_day_active_in_period,"
    "messages,messages_rank,model_to_messages,gpt_messages,gpts_messaged,gpt_to_messages,tool_messages,"
    "tools_messaged,tool_to_messages,project_messages,projects_messaged,project_to_messages,"
    "projects_created,last_day_active"
).split(",")
_MODELS = np.array(["gpt-5", "gpt-5-reasoning", "gpt-4o", "o3"])
_TOOLS = np.array(
    ["Search", "Data Analysis", "Canvas", "Image Gen", "Deep Research", "Retrieval", "Memory", "Tasks"]
)
_TOOL_POPULARITY = np.array([3.0, 1.2, 1.0, 0.6, 0.6, 0.8, 0.4, 0.2])
GPT_HEADER = (  # noqa: SIM905 (the header exactly as the export writes it)
    "cadence,period_start,period_end,account_id,gpt_id,gpt_name,gpt_description,gpt_url,gpt_creator_public_id,"
    "gpt_creator_email,is_active,first_day_active_in_period,last_day_active_in_period,messages_workspace,"
    "unique_messagers_workspace"
).split(",")
_GPT_NAMES = (
    ("Contract Helper", "Summarises contracts and flags unusual clauses"),
    ("SQL Buddy", "Writes and explains SQL against the warehouse"),
    ("Pricing Helper", "Drafts pricing proposals from the rate card"),
    ("Release Notes Writer", "Turns merged pull requests into release notes"),
    ("Brand Voice", "Rewrites copy in the Acme brand voice"),
    ("Support Macro Drafter", "Drafts replies to customer tickets"),
    ("Policy Finder", "Answers questions from the HR policy handbook"),
    ("Interview Question Coach", "Suggests structured interview questions"),
    ("RFP Responder", "Drafts answers to requests for proposal"),
    ("Incident Postmortem", "Structures incident timelines into postmortems"),
    ("Board Deck Polisher", "Tightens slides for the board pack"),
    ("Expense Policy Checker", "Checks expenses against the travel policy"),
    ("Onboarding Guide", "Answers new joiners' questions"),
    ("Churn Analyst", "Explains churn drivers from account notes"),
    ("Meeting Notes to Actions", "Turns meeting notes into action items"),
    ("Vendor Risk Reviewer", "Pre-screens vendor security questionnaires"),
    ("Job Description Writer", "Drafts inclusive job descriptions"),
    ("API Docs Explainer", "Answers questions about the public API"),
    ("Campaign Brief Builder", "Drafts campaign briefs from a goal"),
    ("Forecast Commentary", "Writes variance commentary for the monthly forecast"),
)
PLAN = Plan("chatgpt_enterprise", PRICE_USD, tuple(d.chatgpt_month for d in DEPARTMENTS))


def seats(rng: np.random.Generator, org: Org, cal: Calendar) -> Seats:
    """Everyone in a department (85%, the whole Executive Office) is invited at its rollout month."""
    rollout = np.array([cal.rollout_day(d.chatgpt_month) for d in DEPARTMENTS])
    share = np.where(np.arange(len(DEPARTMENTS)) == EXEC, 1.0, 0.85)
    return assign_seats(rng, org, cal, rollout=rollout, share=share, pending=True)


def activity(
    rng: np.random.Generator, org: Org, seats: Seats, cal: Calendar
) -> tuple[np.ndarray, np.ndarray]:
    """Daily ChatGPT activity and each person's weekly message intensity when active (lognormal)."""
    n, z = org.dept.size, org.enthusiasm
    idle = idle_seats(rng, z, np.array([d.idle for d in DEPARTMENTS])[org.dept])
    repeat = np.array([d.repeat for d in DEPARTMENTS])[org.dept]
    active = active_days(
        rng,
        usable=seats.accepted,
        until=org.leave,
        idle=idle,
        adopt_days=np.array([d.adopt_days for d in DEPARTMENTS])[org.dept] * np.exp(-0.3 * z),
        p_week=expit(repeat + 0.9 * z + 0.5 * rng.standard_normal(n)),
        p_day=expit(-0.3 + 0.8 * z + 0.6 * rng.standard_normal(n)),
        cal=cal,
    )
    intensity = 14 * np.exp(0.95 * (0.5 * z + 0.87 * rng.standard_normal(n)))
    return active, intensity


def _dict_strings(keys: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Python-dict strings ``{'key': n, ...}`` per row, largest first, without zeros ("" if all are zero)."""
    keys = np.broadcast_to(keys, counts.shape).astype(_STR)
    order = np.argsort(-counts, axis=1, kind="stable")
    counts = np.take_along_axis(counts, order, axis=1)
    entries = "'" + np.take_along_axis(keys, order, axis=1) + "': " + counts.astype(_STR)
    text = entries[:, 0]
    for j in range(1, counts.shape[1]):
        text = np.where(counts[:, j] > 0, text + ", " + entries[:, j], text)
    return np.where(counts[:, 0] > 0, "{" + text + "}", "").astype(object)


def _favourites(rng: np.random.Generator, n: int, catalogue: int, popularity: np.ndarray) -> np.ndarray:
    """Three distinct catalogue entries per person, the first drawn by popularity."""
    first = rng.choice(catalogue, size=n, p=popularity / popularity.sum())
    step1 = rng.integers(1, catalogue, n)
    step2 = rng.integers(1, catalogue - 1, n)
    step2 = step2 + (step2 >= step1)
    return np.stack([first, (first + step1) % catalogue, (first + step2) % catalogue], axis=1)


def _split(rng: np.random.Generator, total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split each row's total over the columns in proportion to that row's (positive) weights."""
    return rng.multinomial(total, weights / weights.sum(axis=1, keepdims=True))


@dataclass(frozen=True)
class _ChatWeeks:
    """Weekly ChatGPT usage: person x week matrices and, for active (person, week) cells, their columns."""

    first_day: np.ndarray
    last_day: np.ndarray
    last_ever: np.ndarray  # last active day up to the end of each week, -1 if never
    cell: np.ndarray  # index into `columns` for active cells, -1 otherwise
    columns: dict[str, np.ndarray]
    gpts: _GptUse


@dataclass(frozen=True)
class _GptUse:
    """Custom GPTs and, for each active (person, week) cell, the messages sent to each of three favourites."""

    ids: np.ndarray  # GPT ids
    person: np.ndarray  # per cell
    week: np.ndarray  # per cell
    favourite: np.ndarray  # cell x 3: index into ids
    messages: np.ndarray  # cell x 3


def _chatgpt_weeks(
    rng: np.random.Generator, org: Org, active: np.ndarray, intensity: np.ndarray, cal: Calendar
) -> _ChatWeeks:
    n, weeks = active.shape[0], cal.n_weeks
    by_week = active.reshape(n, weeks, 7)
    any_day = by_week.any(axis=2)
    days_per_week = active.sum(axis=1) / np.maximum(any_day.sum(axis=1), 1)
    person, day = np.nonzero(active)
    daily = np.maximum(intensity[person] / np.maximum(days_per_week[person], 1) - 1, 0)
    sent = 1 + rng.poisson(daily * rng.gamma(4, 0.25, person.size))
    messages = np.bincount(person * weeks + day // 7, weights=sent, minlength=n * weeks)
    messages = messages.reshape(n, weeks).astype(np.int64)

    first_day = np.where(any_day, np.argmax(by_week, axis=2), -1)
    last_day = np.where(any_day, 6 - np.argmax(by_week[:, :, ::-1], axis=2), -1)
    last_abs = np.where(any_day, np.arange(weeks) * 7 + last_day, -1)
    last_ever = np.maximum.accumulate(last_abs, axis=1)

    p, w = np.nonzero(messages > 0)
    cell = np.full((n, weeks), -1)
    cell[p, w] = np.arange(p.size)
    m = messages[p, w]
    breakdowns, gpt_ids, favourite, gpt = _chatgpt_breakdowns(rng, org, p, m)
    gpts = _GptUse(gpt_ids, p, w, favourite, gpt)
    return _ChatWeeks(first_day, last_day, last_ever, cell, {"messages": m, **breakdowns}, gpts)


def _chatgpt_breakdowns(
    rng: np.random.Generator, org: Org, p: np.ndarray, m: np.ndarray
) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    """Messages per model, custom GPT, tool and project for each active (person, week) cell.

    Also returns the GPT ids, and each cell's three favourite GPTs and messages to them.
    """
    n, z = org.dept.size, org.enthusiasm
    model_taste = rng.dirichlet([5, 2, 0.6, 0.4], n)
    n_gpts = 12 + n // 150
    gpt_ids = np.char.add("g-", random_ids(rng, n_gpts, 9, ALNUM))
    gpts = _favourites(rng, n, n_gpts, 1 / np.arange(1, n_gpts + 1))
    gpt_slots = rng.choice([1, 2, 3], size=n, p=[0.5, 0.3, 0.2])
    gpt_weights = np.array([0.6, 0.3, 0.1]) * (np.arange(3)[None, :] < gpt_slots[:, None])
    gpt_share = np.where(expit(-0.6 + 0.7 * z) > rng.random(n), rng.beta(2, 6, n), 0)
    tool_taste = rng.dirichlet(_TOOL_POPULARITY * 2, n)
    analysts = np.isin(org.dept, [DEPT_INDEX["Data & Analytics"], DEPT_INDEX["Finance"]])
    tool_taste[analysts, 1] *= 3  # Data Analysis
    tool_share = np.where(rng.random(n) < 0.8, rng.beta(2, 5, n), 0)
    projects = np.char.add("g-p-", random_ids(rng, 3 * n, 16, HEX)).reshape(n, 3)
    project_slots = rng.choice([1, 2, 3], size=n, p=[0.5, 0.3, 0.2])
    project_weights = np.array([0.6, 0.3, 0.1]) * (np.arange(3)[None, :] < project_slots[:, None])
    project_share = np.where(rng.random(n) < 0.4, rng.beta(2, 6, n), 0)

    models = _split(rng, m, model_taste[p])
    gpt = _split(rng, rng.binomial(m, gpt_share[p]), gpt_weights[p])
    tool = _split(rng, rng.binomial(m, tool_share[p]), tool_taste[p])
    project = _split(rng, rng.binomial(m, project_share[p]), project_weights[p])
    columns = {
        "model_to_messages": _dict_strings(_MODELS, models),
        "gpt_messages": gpt.sum(axis=1),
        "gpts_messaged": (gpt > 0).sum(axis=1),
        "gpt_to_messages": _dict_strings(gpt_ids[gpts[p]], gpt),
        "tool_messages": tool.sum(axis=1),
        "tools_messaged": (tool > 0).sum(axis=1),
        "tool_to_messages": _dict_strings(_TOOLS, tool),
        "project_messages": project.sum(axis=1),
        "projects_messaged": (project > 0).sum(axis=1),
        "project_to_messages": _dict_strings(projects[p], project),
        "projects_created": rng.poisson(0.12 * (project_share[p] > 0)),
    }
    return columns, gpt_ids, gpts[p], gpt


def _chatgpt_people(rng: np.random.Generator, org: Org, seats: Seats) -> dict[str, np.ndarray]:
    """Per-person columns of the user report that do not change from week to week."""
    n = org.dept.size
    names = org.roster["full_name"].to_numpy(dtype=object)
    dept_names = np.array([d.name for d in DEPARTMENTS])
    group_ids = random_ids(rng, len(DEPARTMENTS), 12, HEX)
    slugs = pd.Series(dept_names).str.lower().str.replace(r"[^a-z0-9]+", "-", regex=True).to_numpy(dtype=str)
    departments = np.char.add(np.char.add('["', dept_names), '"]')  # a JSON array, as SCIM fills it
    groups = np.char.add(np.char.add(np.char.add("{'", group_ids), "': '"), np.char.add(slugs, "-all'}"))
    user_role = np.full(n, "standard-user", dtype=object)
    user_role[np.flatnonzero((org.dept == DEPT_INDEX["Operations"]) & (seats.invited < NEVER))[:2]] = (
        "account-admin"
    )
    return {
        "public_id": np.char.add("user-", random_ids(rng, n, 10, ALNUM)),
        "name": np.where(rng.random(n) < 0.02, org.email, names),
        "role": np.where(rng.random(n) < 0.04, org.roster["job_function"].to_numpy(dtype=object), ""),
        "user_role": user_role,
        "department": np.where(rng.random(n) < 0.55, departments[org.dept], ""),
        "groups": np.where(rng.random(n) < 0.65, groups[org.dept], ""),
    }


_ABSENT, _PENDING, _ENABLED, _DELETED = 0, 1, 2, 3
_STATUS = np.array(["", "pending", "enabled", "deleted"])


def _chatgpt_status(org: Org, seats: Seats, cal: Calendar) -> np.ndarray:
    """Person x week status: pending until accepted, enabled, deleted the week after leaving, then absent."""
    week_start = np.arange(cal.n_weeks) * 7
    week_end = week_start + 6
    left = org.leave[:, None] < week_start
    deleted_week = week_start == (org.leave[:, None] // 7 + 1) * 7
    status = np.where(seats.accepted[:, None] <= week_end, _ENABLED, _PENDING)
    status = np.where(
        left,
        np.where(deleted_week & (seats.accepted[:, None] <= org.leave[:, None]), _DELETED, _ABSENT),
        status,
    )
    return np.where(seats.invited[:, None] <= week_end, status, _ABSENT).astype(np.int8)


def reports(
    rng: np.random.Generator,
    gpt_rng: np.random.Generator,
    org: Org,
    seats: Seats,
    active: np.ndarray,
    intensity: np.ndarray,
    cal: Calendar,
) -> Iterator[tuple[str, pd.DataFrame]]:
    """(file name, frame) of each weekly user report (one row per seat holder), then each GPT report."""
    usage = _chatgpt_weeks(rng, org, active, intensity, cal)
    people = _chatgpt_people(rng, org, seats)
    status = _chatgpt_status(org, seats, cal)
    account_id = random_ids(rng, 1, 32, HEX)[0]
    by_email = np.argsort(org.email, kind="stable")
    weeks = [w for w in range(cal.n_weeks) if (status[:, w] > 0).any()]  # none before the first seat
    for w in weeks:
        rows = by_email[status[by_email, w] > 0]
        yield (
            f"{WORKSPACE} weekly user report {cal.iso(w * 7)}.csv",
            _chatgpt_week(w, rows, status[rows, w], usage, people, seats, org, account_id, cal),
        )
    gpts = _gpt_weeks(gpt_rng, usage, org, seats, people["public_id"], cal)
    for w in weeks:
        frame = gpts[gpts["week"] == w].drop(columns="week").assign(account_id=account_id)
        yield f"{WORKSPACE} weekly gpt report {cal.iso(w * 7)}.csv", frame[GPT_HEADER]


def _chatgpt_week(
    w: int,
    rows: np.ndarray,
    status: np.ndarray,
    usage: _ChatWeeks,
    people: dict[str, np.ndarray],
    seats: Seats,
    org: Org,
    account_id: str,
    cal: Calendar,
) -> pd.DataFrame:
    pending, enabled = status == _PENDING, status == _ENABLED
    cell = usage.cell[rows, w]
    active = cell >= 0
    take = np.where(active, cell, 0)

    def count(values: np.ndarray | int) -> pd.arrays.IntegerArray:
        """An int column, 0 for inactive users and empty for pending ones."""
        return pd.arrays.IntegerArray(np.where(active, values, 0).astype("int64"), pending.copy())

    def text(values: np.ndarray) -> np.ndarray:
        return np.where(active, values, "")

    def day(values: np.ndarray) -> np.ndarray:
        return np.where(active, cal.iso(w * 7 + np.maximum(values, 0)), "")

    c = usage.columns
    messages = np.where(active, c["messages"][take], 0)
    rank = pd.Series(np.where(active, messages, np.nan)).rank(ascending=False, method="min")
    last_ever = usage.last_ever[rows, w]
    frame = {
        "cadence": "Weekly",
        "period_start": cal.iso(w * 7),
        "period_end": cal.iso(w * 7 + 6),
        "account_id": account_id,
        **{k: np.where(pending, "", v[rows]) for k, v in people.items()},
        "email": org.email[rows],
        "user_status": _STATUS[status],
        "created_or_invited_date": cal.iso(seats.invited[rows]),
        "is_active": count(1),
        "first_day_active_in_period": day(usage.first_day[rows, w]),
        "last_day_active_in_period": day(usage.last_day[rows, w]),
        "messages": count(messages),
        "messages_rank": pd.arrays.IntegerArray(np.nan_to_num(rank.to_numpy()).astype("int64"), ~active),
        "model_to_messages": text(c["model_to_messages"][take]),
    }
    for name in ("gpt", "tool", "project"):
        frame[f"{name}_messages"] = count(c[f"{name}_messages"][take])
        frame[f"{name}s_messaged"] = count(c[f"{name}s_messaged"][take])
        frame[f"{name}_to_messages"] = text(c[f"{name}_to_messages"][take])
    frame["projects_created"] = count(c["projects_created"][take])
    frame["last_day_active"] = np.where(enabled & (last_ever >= 0), cal.iso(np.maximum(last_ever, 0)), "")
    return pd.DataFrame(frame)[CHATGPT_HEADER]


# ---------------------------------------------------------------------------------------------- Copilot


def _gpt_catalogue(
    rng: np.random.Generator, count: int, first_names: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Names and descriptions of ``count`` GPTs; two are named after their creator (free text to scrub)."""
    pick = rng.permutation(len(_GPT_NAMES))
    names = np.array([_GPT_NAMES[pick[i % len(pick)]][0] for i in range(count)], dtype=object)
    names = np.where(
        np.arange(count) >= len(pick), names + " " + (np.arange(count) // len(pick) + 1).astype(str), names
    )
    described = rng.random(count) < 0.7
    descriptions = np.array([_GPT_NAMES[pick[i % len(pick)]][1] for i in range(count)], dtype=object)
    personal = rng.choice(count, size=min(2, count), replace=False)
    names[personal] = first_names[personal] + "'s " + names[personal]
    return names, np.where(described, descriptions, "")


def _gpt_weeks(
    rng: np.random.Generator, usage: _ChatWeeks, org: Org, seats: Seats, public_id: np.ndarray, cal: Calendar
) -> pd.DataFrame:
    """One row per GPT and week from its creation: the messages the user reports sent to it that week.

    A GPT is created by someone with a seat by then, shortly before its first message.
    """
    g, n_gpts = usage.gpts, usage.gpts.ids.size
    cell, slot = np.nonzero(g.messages > 0)
    person, week = g.person[cell], g.week[cell]
    sent = pd.DataFrame(
        {
            "gpt": g.favourite[cell, slot],
            "week": week,
            "messages": g.messages[cell, slot],
            "first": usage.first_day[person, week],
            "last": usage.last_day[person, week],
        }
    )
    weekly = sent.groupby(["gpt", "week"]).agg(
        messages_workspace=("messages", "sum"),
        unique_messagers_workspace=("messages", "size"),
        first=("first", "min"),
        last=("last", "max"),
    )
    first_used = np.full(n_gpts, cal.n_weeks)
    np.minimum.at(first_used, sent["gpt"].to_numpy(), sent["week"].to_numpy())
    first_seat = int(seats.accepted.min()) // 7
    created = np.where(
        first_used < cal.n_weeks,
        first_used - rng.integers(0, 4, n_gpts),
        rng.integers(0, cal.n_weeks, n_gpts),
    )
    created = np.clip(created, min(first_seat, cal.n_weeks - 1), None)
    creator = np.empty(n_gpts, dtype=np.int64)
    weight = np.exp(org.enthusiasm)
    for i, week in enumerate(created.tolist()):  # a few dozen GPTs
        can = (seats.accepted <= week * 7 + 6) & (org.leave >= week * 7)
        creator[i] = rng.choice(np.flatnonzero(can), p=weight[can] / weight[can].sum())
    first_names = org.roster["full_name"].str.split(" ").str[0].to_numpy(dtype=object)[creator]
    names, descriptions = _gpt_catalogue(rng, n_gpts, first_names)

    grid = pd.MultiIndex.from_product([range(n_gpts), range(cal.n_weeks)], names=["gpt", "week"])
    frame = weekly.reindex(grid).reset_index()
    frame = frame[frame["week"].to_numpy() >= created[frame["gpt"].to_numpy()]]
    gpt, week = frame["gpt"].to_numpy(), frame["week"].to_numpy()
    active = frame["messages_workspace"].notna().to_numpy()

    def day(column: str) -> np.ndarray:
        offset = frame[column].fillna(0).to_numpy(dtype=np.int64)
        return np.where(active, cal.iso(week * 7 + offset), "")

    return pd.DataFrame(
        {
            "cadence": "Weekly",
            "period_start": cal.iso(week * 7),
            "period_end": cal.iso(week * 7 + 6),
            "gpt_id": g.ids[gpt],
            "gpt_name": names[gpt],
            "gpt_description": descriptions[gpt],
            "gpt_url": np.char.add("https://chatgpt.com/g/", g.ids[gpt]),
            "gpt_creator_public_id": public_id[creator[gpt]],
            "gpt_creator_email": org.email[creator[gpt]],
            "is_active": active.astype(np.int64),
            "first_day_active_in_period": day("first"),
            "last_day_active_in_period": day("last"),
            "messages_workspace": frame["messages_workspace"].fillna(0).to_numpy(dtype=np.int64),
            "unique_messagers_workspace": frame["unique_messagers_workspace"]
            .fillna(0)
            .to_numpy(dtype=np.int64),
            "week": week,
        }
    ).sort_values(["week", "messages_workspace", "gpt_id"], ascending=[True, False, True], kind="stable")
