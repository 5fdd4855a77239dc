"""The AI-use pulse survey: self-reported use of tools with no admin export (Slack AI), and of Gemini and
M365 Copilot for comparison with what their exports show.

    survey/ai-use-survey-<YYYY-MM>.csv   one row per respondent and tool asked about, in the months the
                                         survey runs (every third month; the last month of a short period)

About 30% of people answer, once. Answers about Gemini and M365 Copilot follow the person's real use in
the four weeks before answering, rounded up now and then (people over-report); a few people without a
licence report using the consumer apps. Comments are free text and sometimes name a colleague or give an
email address: the kit must scrub or drop them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from adoption_kit.demo.organisation import DEPARTMENTS, DEPT_INDEX, STR, Calendar, Org
from adoption_kit.demo.usage import Seats

HEADER = ["submitted_on", "department", "tool", "frequency", "comment"]
TOOLS = ("slack_ai", "gemini", "m365_copilot")
FREQUENCIES = np.array(["never", "rarely", "monthly", "weekly", "daily"])
RESPONSE_RATE = 0.3
OPEN_DAYS = 14
COMMENT_RATE = 0.25
COMMENTS = np.array(
    [
        "Slack AI thread recaps save me a lot of time",
        "Would use Gemini more if it worked with our CRM",
        "Copilot meeting recaps in Teams are the best part",
        "Not sure what we are allowed to paste in",
        "Ask {name}, who built great prompts for our team",
        "Happy to help with training, reach me at {email}",
        "{name} showed us how to summarise long channels",
        "We need more training",
        "My licence sits unused, happy to give it back",
        "Please contact {email} about joining the pilot",
    ],
    dtype=STR,
)
_SLACK_BONUS = {"Customer Support": 0.8, "Sales": 0.5, "Engineering": 0.3}


def responses(
    rng: np.random.Generator, org: Org, cal: Calendar, asked: dict[str, tuple[Seats, np.ndarray]]
) -> dict[str, pd.DataFrame]:
    """Survey rows per month label; ``asked`` gives the seats and person x day activity of exported tools."""
    n, z = org.dept.size, org.enthusiasm
    waves = [m for m in range(cal.n_months) if m % 3 == 2] or [cal.n_months - 1]
    wave = rng.integers(0, len(waves), n)
    first_monday = cal.month_starts[waves] + (8 - cal.month_starts[waves] % 7) % 7
    workday = rng.integers(0, OPEN_DAYS * 5 // 7, n)
    submitted = np.minimum(first_monday[wave] + workday // 5 * 7 + workday % 5, cal.last_idx)
    answers = (rng.random(n) < RESPONSE_RATE) & (org.hire <= submitted) & (submitted <= org.leave)
    person = np.flatnonzero(answers)
    person = person[np.lexsort((person, submitted[person]))]
    day = submitted[person]

    levels = {"slack_ai": _slack_level(rng, org, person)}
    for tool in TOOLS[1:]:
        seats, active = asked[tool]
        levels[tool] = _reported_level(rng, z[person], seats.accepted[person] <= day, active, person, day)
    comment = np.where(rng.random(person.size) < COMMENT_RATE, _comments(rng, org, person), "")
    frame = pd.DataFrame(
        {
            "submitted_on": np.repeat(cal.iso(day), len(TOOLS)),
            "department": np.repeat(np.array([d.name for d in DEPARTMENTS])[org.dept[person]], len(TOOLS)),
            "tool": np.tile(TOOLS, person.size),
            "frequency": FREQUENCIES[np.stack([levels[t] for t in TOOLS], axis=1).ravel()],
            "comment": np.stack([comment] + [np.full(person.size, "")] * (len(TOOLS) - 1), axis=1).ravel(),
        }
    )[HEADER]
    month = np.repeat(cal.month_of(day), len(TOOLS))
    return {cal.month_label(m): frame[month == m] for m in waves}


def _slack_level(rng: np.random.Generator, org: Org, person: np.ndarray) -> np.ndarray:
    """Slack AI is on for everyone: use grows with enthusiasm, more in support and sales."""
    bonus = np.zeros(len(DEPARTMENTS))
    for name, value in _SLACK_BONUS.items():
        bonus[DEPT_INDEX[name]] = value
    score = 0.8 * org.enthusiasm[person] + bonus[org.dept[person]] + rng.standard_normal(person.size)
    return np.searchsorted([-0.3, 0.5, 1.1, 1.8], score)


def _reported_level(
    rng: np.random.Generator,
    z: np.ndarray,
    licensed: np.ndarray,
    active: np.ndarray,
    person: np.ndarray,
    day: np.ndarray,
) -> np.ndarray:
    """The frequency a person reports: their active days in the last four weeks, sometimes rounded up."""
    used = np.cumsum(active, axis=1, dtype=np.int32)
    days = used[person, day] - np.where(day >= 28, used[person, np.maximum(day - 28, 0)], 0)
    level = np.searchsorted([1, 3, 10], days, side="right") + 1  # 1 rarely .. 4 daily
    level = np.where(days == 0, np.where(licensed & (rng.random(person.size) < 0.4), 1, 0), level)
    shadow = ~licensed & (rng.random(person.size) < np.clip(0.06 + 0.05 * z, 0, 0.3))
    level = np.where(shadow, rng.integers(1, 3, person.size), level)
    inflated = (level > 0) & (rng.random(person.size) < 0.15)
    return np.minimum(level + inflated, 4)


def _comments(rng: np.random.Generator, org: Org, person: np.ndarray) -> np.ndarray:
    """A comment per respondent; some name a colleague or give the respondent's email."""
    text = COMMENTS[rng.integers(0, COMMENTS.size, person.size)]
    colleague = org.roster["full_name"].to_numpy(dtype=STR)[rng.integers(0, org.dept.size, person.size)]
    text = np.strings.replace(text, "{name}", colleague)
    return np.strings.replace(text, "{email}", org.roster["email"].to_numpy(dtype=STR)[person]).astype(object)
