"""OpenAI API: analysts and a few engineers call it through the corporate gateway; the organisation's usage
and cost responses also count a production service that does not go through the gateway.

    gateway/api-calls-<YYYY-MM>.csv        the gateway's log: one row per call (user = roster email); at
                                           peak minutes the organisation's rate limit answers 429; every
                                           PROMPT_EVERY-th call logs its prompt's title (engineers mostly
                                           code, analysts analyse: PROMPT_MIX), some naming a colleague
                                           (free text that ingest scrubs)
    openai/usage-completions-<YYYY-MM>.json GET /v1/organization/usage/completions, daily buckets grouped by
                                           model and project (no user)
    openai/costs-<YYYY-MM>.json            GET /v1/organization/costs, daily buckets grouped by project and
                                           line item

The usage responses count exactly the gateway's successful calls of each gateway project, day and model.
The API is priced by use: there is no seat pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from adoption_kit.demo.files import write_json, write_large_csv
from adoption_kit.demo.identifiers import ALNUM, random_ids
from adoption_kit.demo.organisation import DEPT_INDEX, Calendar, Org
from adoption_kit.demo.usage import Rollout, Seats, heavy_tail, seats_of, seconds_of_workday, tool_activity

ACCESS = Rollout("openai_api", 0, {"Data & Analytics": (0, 0.6), "Engineering": (0, 0.08)})
GATEWAY_HEADER = ["timestamp", "user", "model", "tokens_in", "tokens_out", "status", "latency_ms"]
PROMPT_EVERY = 50
# Prompt titles by use case; {name} is a colleague from the roster (free text that ingest scrubs)
PROMPTS = {
    "coding": (
        "Explain this SQL error",
        "Refactor this Python script",
        "Debug the failing deploy for {name}",
    ),
    "data_analysis": (
        "Analyse the weekly churn numbers",
        "Build a pivot of revenue by region",
        "Explain the variance in the monthly forecast",
    ),
    "summarization": ("Summarise the incident notes for {name}", "Condense the meeting transcript"),
    "research": ("Compare vector databases for our search", "Find sources on pricing elasticity"),
    "writing": ("Draft the release announcement", "Prepare talking points for my 1:1 with {name}"),
    "other": ("Turn these notes into a Jira ticket", "Plan the team offsite"),
}
# What each gateway project's people ask, in tenths of their prompts: engineers mostly code, analysts analyse
PROMPT_MIX = {
    "engineering": {"coding": 6, "summarization": 1, "research": 1, "writing": 1, "other": 1},
    "analytics": {"data_analysis": 5, "coding": 2, "summarization": 1, "research": 1, "writing": 1},
}
NAMED_COLLEAGUES = 25  # prompts name one of the first people of the roster: few distinct texts to scrub
# model, taste, (input, output) USD per million tokens, milliseconds per output token
MODELS = (
    ("gpt-5-mini", 4.0, (0.25, 2.0), 6.0),
    ("gpt-5", 2.5, (1.25, 10.0), 14.0),
    ("gpt-4.1-mini", 2.0, (0.40, 1.6), 5.0),
    ("gpt-4.1", 1.0, (2.0, 8.0), 10.0),
    ("o4-mini", 0.5, (1.1, 4.4), 12.0),
)
PROJECTS = {"Data & Analytics": "analytics", "Engineering": "engineering", "service": "support-assistant"}
THROTTLED_SHARE = 0.03  # of the busiest minutes, where the organisation's rate limit answers 429
CACHED_SHARE = 0.3


@dataclass(frozen=True)
class OpenAIUse:
    """API access, days of use, every gateway call, and the service's calls outside the gateway."""

    access: Seats
    active: np.ndarray  # person x day
    calls: (
        pd.DataFrame
    )  # person, day_index, millis, model, tokens_in, tokens_out, status, latency_ms, project
    project_ids: dict[str, str]


def simulate(rng: np.random.Generator, org: Org, cal: Calendar) -> OpenAIUse:
    """Who has an API key, when they call, and each call through the gateway."""
    access = seats_of(rng, org, cal, ACCESS, eligible=np.ones(org.dept.size, dtype=bool))
    active = tool_activity(rng, org, access, cal, idle_scale=0.6, adopt_days=4)
    person, day = np.nonzero(active)
    rate = heavy_tail(rng, org, median=6, spread=1.1)[person]
    count = 1 + rng.poisson(rate * rng.gamma(2, 0.5, person.size))
    person, day = np.repeat(person, count), np.repeat(day, count)
    taste = rng.dirichlet([m[1] for m in MODELS], org.dept.size)
    model = np.minimum((rng.random(person.size)[:, None] > np.cumsum(taste, axis=1)[person]).sum(axis=1), 4)
    millis = seconds_of_workday(rng, org, person) * 1000 + rng.integers(0, 1000, person.size)
    tokens_in = np.rint(rng.lognormal(np.log(1_500), 1.0, person.size)).astype(np.int64)
    tokens_out = np.rint(rng.lognormal(np.log(300), 0.9, person.size)).astype(np.int64)
    status = _status(rng, day, millis)
    ok = status == 200
    per_token = np.array([m[3] for m in MODELS])[model]
    latency = np.where(
        ok,
        250 + tokens_out * per_token * rng.lognormal(0, 0.25, person.size),
        np.where(status == 429, rng.integers(15, 80, person.size), rng.integers(800, 5_000, person.size)),
    )
    dept_names = np.where(org.dept == DEPT_INDEX["Data & Analytics"], "Data & Analytics", "Engineering")
    calls = pd.DataFrame(
        {
            "person": person,
            "day_index": day,
            "millis": millis,
            "model": np.array([m[0] for m in MODELS])[model],
            "tokens_in": np.where(ok, tokens_in, 0),
            "tokens_out": np.where(ok, tokens_out, 0),
            "status": status,
            "latency_ms": np.rint(latency).astype(np.int64),
            "project": pd.Series(dept_names[person], dtype=object).map(PROJECTS).to_numpy(),
        }
    )
    calls = calls.sort_values(["day_index", "millis"], kind="stable", ignore_index=True)
    ids = np.strings.add("proj_", random_ids(rng, len(PROJECTS), 24, ALNUM))
    return OpenAIUse(access, active, calls, dict(zip(PROJECTS.values(), ids.tolist(), strict=True)))


def _status(rng: np.random.Generator, day: np.ndarray, millis: np.ndarray) -> np.ndarray:
    """200, except 429 for the calls over the limit in the busiest minutes and a few server errors."""
    minute = day.astype(np.int64) * 1440 + millis // 60_000
    minutes, slot, load = np.unique(minute, return_inverse=True, return_counts=True)
    limit = max(float(np.quantile(load, 1 - THROTTLED_SHARE)), 2.0) if minutes.size else 2.0
    throttled = rng.random(minute.size) < np.clip(1 - limit / load, 0, 1)[slot]
    failed = rng.random(minute.size) < 0.002
    return np.where(throttled, 429, np.where(failed, 500, 200))


def _service_calls(rng: np.random.Generator, cal: Calendar) -> pd.DataFrame:
    """Daily totals of the customer-support assistant, which calls the API outside the gateway."""
    days = np.arange(cal.first_idx, cal.last_idx + 1)
    weekday = (days % 7 >= 1) & (days % 7 <= 5)
    requests = rng.poisson(np.where(weekday, 1_800, 500)[:, None] * np.array([[0.8, 0.2]]))
    return pd.DataFrame(
        {
            "day_index": np.repeat(days, 2),
            "model": np.tile(["gpt-5-mini", "gpt-4.1-mini"], days.size),
            "project": PROJECTS["service"],
            "tokens_in": (requests * 2_200).ravel(),
            "tokens_out": (requests * 180).ravel(),
            "requests": requests.ravel(),
        }
    )


def daily_usage(rng: np.random.Generator, use: OpenAIUse, cal: Calendar) -> pd.DataFrame:
    """Tokens and requests per (day, project, model): the gateway's successful calls plus the service's."""
    ok = use.calls[use.calls["status"] == 200]
    gateway = (
        ok.assign(requests=1)
        .groupby(["day_index", "project", "model"], as_index=False)[["tokens_in", "tokens_out", "requests"]]
        .sum()
    )
    usage = pd.concat([gateway, _service_calls(rng, cal)], ignore_index=True)
    usage["cached"] = np.rint(usage["tokens_in"] * CACHED_SHARE).astype(np.int64)
    usage["project_id"] = usage["project"].map(use.project_ids)
    return usage.sort_values(["day_index", "project", "model"], kind="stable", ignore_index=True)


def write(
    folder: Path, gateway_folder: Path, use: OpenAIUse, usage: pd.DataFrame, org: Org, cal: Calendar
) -> None:
    """The monthly gateway logs, usage responses and cost responses."""
    calls = use.calls
    day = calls["day_index"].to_numpy()
    log = pd.DataFrame(
        {
            "timestamp": cal.timestamps(day, calls["millis"].to_numpy()),
            "user": org.email[calls["person"].to_numpy()],
            **{c: calls[c].to_numpy() for c in GATEWAY_HEADER[2:]},
            "prompt": _prompts(calls["person"].to_numpy(), calls["project"].to_numpy(), org),
        }
    )
    month = cal.month_of(day)
    usage_month = cal.month_of(usage["day_index"].to_numpy())
    for m in range(cal.n_months):
        label = cal.month_label(m)
        write_large_csv(gateway_folder / f"api-calls-{label}.csv", log[month == m])
        days = range(int(cal.month_starts[m]), int(cal.month_starts[m + 1]))
        mine = usage[usage_month == m]
        write_json(folder / f"usage-completions-{label}.json", _page(cal, days, mine, _usage_results))
        write_json(folder / f"costs-{label}.json", _page(cal, days, mine, _cost_results))


def _prompts(person: np.ndarray, project: np.ndarray, org: Org) -> np.ndarray:
    """The prompt title of every PROMPT_EVERY-th call (none for the rest), by position: no random draw.

    The log's n-th prompt takes the use case at n modulo 10 of its caller's project's PROMPT_MIX, and one
    of that use case's titles, moving on with the caller and with each round of ten.
    """
    call = np.arange(person.size)
    prompt = call // PROMPT_EVERY
    cycles = np.array([np.repeat(list(mix), list(mix.values())) for mix in PROMPT_MIX.values()])
    row = pd.Series(project).map({name: i for i, name in enumerate(PROMPT_MIX)}).to_numpy(dtype=int)
    use_case = pd.Series(cycles[row, prompt % cycles.shape[1]])
    counts = {case: len(titles) for case, titles in PROMPTS.items()}
    starts = dict(zip(PROMPTS, np.cumsum([0, *counts.values()])[:-1], strict=True))
    pick = (
        use_case.map(starts).to_numpy()
        + (prompt // cycles.shape[1] + person) % use_case.map(counts).to_numpy()
    )
    title = np.array([title for titles in PROMPTS.values() for title in titles])[pick]
    colleague = org.roster["full_name"].to_numpy(dtype=str)[
        (person + call) % min(NAMED_COLLEAGUES, org.dept.size)
    ]
    named = np.strings.replace(title, "{name}", colleague)
    return np.where(call % PROMPT_EVERY == 0, named.astype(object), None)


def _page(cal: Calendar, days: range, usage: pd.DataFrame, results) -> dict:
    """One response page of daily buckets (every day of the month, empty ones included)."""
    by_day = dict(tuple(usage.groupby("day_index")))
    buckets = [
        {
            "object": "bucket",
            "start_time": int(cal.epoch_seconds(d)),
            "end_time": int(cal.epoch_seconds(d + 1)),
            "results": results(by_day[d]) if d in by_day else [],
        }
        for d in days
    ]
    return {"object": "page", "data": buckets, "has_more": False, "next_page": None}


def _usage_results(day: pd.DataFrame) -> list[dict]:
    return [
        {
            "object": "organization.usage.completions.result",
            "input_tokens": int(r.tokens_in),
            "output_tokens": int(r.tokens_out),
            "input_cached_tokens": int(r.cached),
            "input_audio_tokens": 0,
            "output_audio_tokens": 0,
            "num_model_requests": int(r.requests),
            "project_id": r.project_id,
            "user_id": None,
            "api_key_id": None,
            "model": r.model,
            "batch": None,
        }
        for r in day.itertuples()
    ]


def _cost_results(day: pd.DataFrame) -> list[dict]:
    prices = {m[0]: m[2] for m in MODELS}
    rows = []
    for r in day.itertuples():
        price_in, price_out = prices[r.model]
        input_cost = ((r.tokens_in - r.cached) + 0.1 * r.cached) * price_in / 1e6
        for kind, value in (("input", input_cost), ("output", r.tokens_out * price_out / 1e6)):
            rows.append(
                {
                    "object": "organization.costs.result",
                    "amount": {"value": round(float(value), 6), "currency": "usd"},
                    "line_item": f"{r.model}, {kind}",
                    "project_id": r.project_id,
                }
            )
    return rows
