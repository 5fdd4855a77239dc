"""Gemini for Workspace: Marketing works in Google Workspace; the Admin SDK Reports API's activities.

google/gemini-activities-<YYYY-MM>.json   activities.list(applicationName=gemini_in_workspace_apps,
                                          eventName=feature_utilization) for the month, newest first:
                                          one activity per Gemini action (actor email, action, app)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from adoption_kit.demo.files import json_list, json_records, write_text
from adoption_kit.demo.identifiers import ALNUM, random_ids
from adoption_kit.demo.organisation import Calendar, Org
from adoption_kit.demo.usage import Rollout, Seats, heavy_tail, seats_of, seconds_of_workday, tool_activity

ROLLOUT = Rollout("gemini", 20, {"Marketing": (1, 0.85)})
CUSTOMER_ID = "C03az79cb"
# (app_name, action, weight): what people do with Gemini in each app
ACTIONS = (
    ("gmail", "summarize", 3.0),
    ("gmail", "suggest_full_replies", 2.0),
    ("gmail", "generate_text", 1.5),
    ("docs", "generate_text", 3.0),
    ("docs", "summarize", 1.0),
    ("docs", "auto_proofread", 1.2),
    ("docs", "bulletize", 0.5),
    ("sheets", "generate_text", 0.6),
    ("slides", "generate_images_in_product", 1.2),
    ("slides", "generate_text", 0.8),
    ("meet", "summarize", 1.5),
    ("drive", "summarize", 0.7),
    ("chat", "summarize", 0.4),
    ("gemini_app", "conversation", 4.0),
)


@dataclass(frozen=True)
class GeminiUse:
    """Gemini licences, days of use, and one row per action."""

    seats: Seats
    active: np.ndarray  # person x day
    actions: pd.DataFrame  # person, day_index, millis, app_name, action


def simulate(rng: np.random.Generator, org: Org, cal: Calendar) -> GeminiUse:
    """Licences for Marketing, days of use, and each day's actions."""
    seats = seats_of(rng, org, cal, ROLLOUT, eligible=np.ones(org.dept.size, dtype=bool))
    active = tool_activity(rng, org, seats, cal, idle_scale=0.8, adopt_days=7)
    person, day = np.nonzero(active)
    count = 1 + rng.poisson(heavy_tail(rng, org, median=2.5, spread=0.8)[person])
    person, day = np.repeat(person, count), np.repeat(day, count)
    weights = np.array([w for *_, w in ACTIONS])
    pick = rng.choice(len(ACTIONS), size=person.size, p=weights / weights.sum())
    actions = pd.DataFrame(
        {
            "person": person,
            "day_index": day,
            "millis": seconds_of_workday(rng, org, person) * 1000 + rng.integers(0, 1000, person.size),
            "app_name": np.array([a for a, *_ in ACTIONS])[pick],
            "action": np.array([a for _, a, _ in ACTIONS])[pick],
            "unique_qualifier": rng.integers(-(2**63), 2**63 - 1, person.size, dtype=np.int64).astype(str),
            "etag": random_ids(rng, person.size, 27, ALNUM),
        }
    )
    return GeminiUse(seats, active, actions)


def write(folder: Path, use: GeminiUse, org: Org, cal: Calendar) -> None:
    """One activities response per month with any use, newest activity first."""
    actions = use.actions.sort_values(["day_index", "millis"], ascending=False, kind="stable")
    day = actions["day_index"].to_numpy()
    profile = np.char.zfill((np.arange(org.dept.size, dtype=np.int64) * 7_919 + 104_729).astype(str), 17)
    frame = actions.assign(
        time=cal.timestamps(day, actions["millis"].to_numpy()),
        email=org.email[actions["person"].to_numpy()],
        profile_id=np.strings.add("1000", profile[actions["person"].to_numpy()]),
    )
    records = json_records(
        frame,
        f"""kind := 'admin#reports#activity',
            id := struct_pack(time := time, uniqueQualifier := unique_qualifier,
                              applicationName := 'gemini_in_workspace_apps', customerId := '{CUSTOMER_ID}'),
            etag := '"' || etag || '"',
            actor := struct_pack(email := email, profileId := profile_id),
            events := [struct_pack(type := 'ai_usage_event', name := 'feature_utilization',
                                   parameters := [struct_pack(name := 'action', value := action),
                                                  struct_pack(name := 'app_name', value := app_name)])]""",
    )
    month = cal.month_of(day)
    for m in np.unique(month).tolist():  # from the first month with any use
        document = [
            '{"kind":"admin#reports#activities","items":',
            json_list(records[month == m]),
            ',"nextPageToken":null}\n',
        ]
        write_text(folder / f"gemini-activities-{cal.month_label(m)}.json", document)
