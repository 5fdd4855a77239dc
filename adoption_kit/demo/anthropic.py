"""Claude Code: premium seats for volunteers in Engineering, and the Admin API's usage report.

    anthropic/claude-code-usage-<YYYY-MM>.json   GET /v1/organizations/usage_report/claude_code, one request
                                                 per day of the month (``starting_at`` is a single day), each
                                                 paged by ``limit``: the file is the array of the responses

One record per actor and day: a ``user_actor`` (email) for each engineer who used Claude Code that day and
an ``api_actor`` (API key name) for the CI jobs that run it headless. ``estimated_cost.amount`` is in cents.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from adoption_kit.demo.files import json_list, json_records, write_text
from adoption_kit.demo.organisation import DEPT_INDEX, Calendar, Org
from adoption_kit.demo.usage import Rollout, Seats, heavy_tail, seats_of, tool_activity

ROLLOUT = Rollout("claude_code", 100, {"Engineering": (2, 0.45)})
ORGANIZATION_ID = "5f0c2a7e-8d41-4b7a-9c3e-6a1d2f4b8e90"
PAGE_LIMIT = 100
# model, USD per million (input, output, cache read, cache write) tokens
MODELS = (
    ("claude-sonnet-4-5-20250929", (3.0, 15.0, 0.30, 3.75)),
    ("claude-opus-4-1-20250805", (15.0, 75.0, 1.50, 18.75)),
    ("claude-haiku-4-5-20251001", (1.0, 5.0, 0.10, 1.25)),
)
TERMINALS = np.array(["vscode", "iTerm.app", "tmux", "Apple_Terminal", "WarpTerminal", "ghostty", "cursor"])
_TERMINAL_P = [0.42, 0.2, 0.12, 0.06, 0.08, 0.07, 0.05]
API_KEYS = ("ci-pr-review", "nightly-dependency-upgrades", "docs-generator")
TOOLS = ("edit_tool", "multi_edit_tool", "write_tool", "notebook_edit_tool")


@dataclass(frozen=True)
class ClaudeCodeUse:
    """Claude Code seats, days of use, and one row per (actor, day) with the report's numbers."""

    seats: Seats
    active: np.ndarray  # person x day
    records: pd.DataFrame


def simulate(rng: np.random.Generator, org: Org, cal: Calendar) -> ClaudeCodeUse:
    """Seats for engineers who volunteered for the pilot, their days of use, and the CI keys' runs."""
    volunteer = (org.dept == DEPT_INDEX["Engineering"]) & (
        org.enthusiasm + rng.normal(0, 0.7, org.dept.size) > 0
    )
    seats = seats_of(rng, org, cal, ROLLOUT, eligible=volunteer)
    active = tool_activity(rng, org, seats, cal, idle_scale=0.4, adopt_days=3)
    person, day = np.nonzero(active)
    sessions = heavy_tail(rng, org, median=2.5, spread=0.7)[person]
    users = _metrics(rng, person.size, sessions)
    users = users.assign(
        day_index=day,
        actor_type="user_actor",
        actor=org.email[person],
        customer_type="subscription",
        subscription_type="enterprise",
        terminal_type=rng.choice(TERMINALS, size=org.dept.size, p=_TERMINAL_P)[person],
        opus=(rng.random(org.dept.size) < 0.3)[person] & (rng.random(person.size) < 0.5),
    )
    workdays = np.arange(cal.first_idx, cal.last_idx + 1)
    workdays = workdays[(workdays % 7 >= 1) & (workdays % 7 <= 5) & (workdays >= cal.rollout_day(2))]
    key, key_day = np.nonzero(rng.random((len(API_KEYS), workdays.size)) < np.array([0.9, 0.2, 0.5])[:, None])
    keys = _metrics(rng, key.size, np.full(key.size, 4.0))
    keys = keys.assign(
        day_index=workdays[key_day],
        actor_type="api_actor",
        actor=np.array(API_KEYS)[key],
        customer_type="api",
        subscription_type=None,
        terminal_type="non-interactive",
        opus=False,
    )
    records = pd.concat([users, keys], ignore_index=True)
    return ClaudeCodeUse(seats, active, _with_models(records))


def _metrics(rng: np.random.Generator, cells: int, sessions: np.ndarray) -> pd.DataFrame:
    """Sessions, lines, commits, pull requests and tool decisions of each (actor, day)."""
    num_sessions = 1 + rng.poisson(np.maximum(sessions - 1, 0) * rng.gamma(3, 1 / 3, cells))
    added = rng.poisson(num_sessions * rng.lognormal(np.log(110), 0.7, cells))
    commits = rng.poisson(num_sessions * 0.6)
    frame = pd.DataFrame(
        {
            "num_sessions": num_sessions,
            "added": added,
            "removed": rng.poisson(0.4 * added),
            "commits": commits,
            "pull_requests": rng.binomial(commits, 0.25),
        }
    )
    for tool, rate in zip(TOOLS, (6.0, 2.0, 1.5, 0.1), strict=True):
        decisions = rng.poisson(num_sessions * rate)
        rejected = rng.binomial(decisions, 0.1)
        frame[f"{tool}_accepted"], frame[f"{tool}_rejected"] = decisions - rejected, rejected
    frame["input"] = np.rint(num_sessions * rng.lognormal(np.log(40_000), 0.6, cells)).astype(np.int64)
    return frame


def _with_models(records: pd.DataFrame) -> pd.DataFrame:
    """Tokens and estimated cost (cents) per model: the main one, Opus on some days, Haiku for small tasks."""
    main = np.where(records["opus"], 1, 0)
    tokens = records["input"].to_numpy()
    for m, (model, prices) in enumerate(MODELS):
        share = np.where(m == 2, 0.08, np.where(main == m, 0.92, 0.0))
        used = share > 0
        fresh = np.rint(tokens * share).astype(np.int64)
        output = np.rint(fresh * 0.25).astype(np.int64)
        cache_read = fresh * 9
        cache_write = np.rint(fresh * 0.6).astype(np.int64)
        cents = (np.array([fresh, output, cache_read, cache_write]).T @ np.array(prices)) / 1e4
        records[f"m{m}_used"] = used
        records[f"m{m}_model"] = model
        for name, values in (
            ("input", fresh),
            ("output", output),
            ("cache_read", cache_read),
            ("cache_creation", cache_write),
        ):
            records[f"m{m}_{name}"] = values
        records[f"m{m}_cost"] = np.round(cents, 2)
    return records


def _record_fields(cal: Calendar) -> str:
    """The DuckDB ``struct_pack`` arguments of one report record (keys in the documentation's order)."""
    origin = cal.origin.isoformat()
    models = ", ".join(
        f"""CASE WHEN m{m}_used THEN struct_pack(
            estimated_cost := struct_pack(amount := m{m}_cost, currency := 'USD'),
            model := m{m}_model,
            tokens := struct_pack(cache_creation := m{m}_cache_creation, cache_read := m{m}_cache_read,
                                  input := m{m}_input, output := m{m}_output)) END"""
        for m in range(len(MODELS))
    )
    tools = ", ".join(
        f"{t} := struct_pack(accepted := {t}_accepted, rejected := {t}_rejected)" for t in TOOLS
    )
    return f"""
        actor := CASE WHEN actor_type = 'user_actor'
                      THEN json_object('email_address', actor, 'type', actor_type)
                      ELSE json_object('api_key_name', actor, 'type', actor_type) END,
        core_metrics := struct_pack(
            commits_by_claude_code := commits,
            lines_of_code := struct_pack(added := added, removed := removed),
            num_sessions := num_sessions,
            pull_requests_by_claude_code := pull_requests),
        customer_type := customer_type,
        date := strftime(DATE '{origin}' + day_index::INTEGER, '%Y-%m-%dT00:00:00Z'),
        model_breakdown := [b FOR b IN [{models}] IF b IS NOT NULL],
        organization_id := '{ORGANIZATION_ID}',
        terminal_type := terminal_type,
        tool_actions := struct_pack({tools}),
        subscription_type := subscription_type
    """


def write(folder: Path, use: ClaudeCodeUse, cal: Calendar) -> None:
    """One file per month with any use: the array of every day's response pages (empty days included)."""
    records = use.records.sort_values(["day_index", "actor_type", "actor"], kind="stable")
    day = records["day_index"].to_numpy()
    encoded = json_records(records, _record_fields(cal))
    months = cal.month_of(day)
    for m in np.unique(months).tolist():  # months before the pilot have nothing to fetch
        pages = []
        for d in range(int(cal.month_starts[m]), int(cal.month_starts[m + 1])):
            mine = encoded[np.searchsorted(day, d) : np.searchsorted(day, d, side="right")]
            chunks = [mine[i : i + PAGE_LIMIT] for i in range(0, max(mine.size, 1), PAGE_LIMIT)]
            for c, chunk in enumerate(chunks):
                more = c + 1 < len(chunks)
                cursor = base64.b64encode(f"{cal.iso(d)}T00:00:00Z:{(c + 1) * PAGE_LIMIT}".encode()).decode()
                after = (
                    f'"has_more":true,"next_page":"page_{cursor}"'
                    if more
                    else '"has_more":false,"next_page":null'
                )
                pages.append('{"data":' + json_list(chunk) + "," + after + "}")
        write_text(
            folder / f"claude-code-usage-{cal.month_label(m)}.json", ["[\n", ",\n".join(pages), "\n]\n"]
        )
