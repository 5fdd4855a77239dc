"""A synthetic organisation written as raw files in the vendors' real export formats.

``write_demo`` builds a deterministic company (Acme: about ``people`` employees, ten departments plus a
four-person Executive Office, teams of 3 to ~25 people) and writes what its HR, finance and tool admins
would export over ``months`` whole months, so that every reader of the kit has a file to read:

    hr/roster.csv, hr/seat_pools.csv, hr/identity-map.csv    roster, seats bought, Cursor user ids
    it/seat-requests.csv                                     open requests for Microsoft 365 Copilot seats
    kpis/team_kpis.csv                                       monthly team KPIs (long format)
    chatgpt/Acme weekly {user,gpt} report <Sunday>.csv       ChatGPT Enterprise weekly exports
    github_copilot/...                                       per-user and organisation 28-day usage
                                                             reports, seats API snapshot
    m365/...                                                 Microsoft 365 Copilot usage snapshots
    anthropic/claude-code-usage-<YYYY-MM>.json               Claude Code Analytics API responses
    cursor/...                                               Cursor daily usage and usage events
    gateway/api-calls-<YYYY-MM>.csv                          the corporate OpenAI API gateway's log
    openai/{usage-completions,costs}-<YYYY-MM>.json          OpenAI organisation usage and costs
    google/gemini-activities-<YYYY-MM>.json                  Gemini for Workspace activities
    survey/ai-use-survey-<YYYY-MM>.csv                       the AI-use pulse survey

Each tool's module says what it writes, when each department gets the tool and how it is used
(``chatgpt``, ``github_copilot``, ``microsoft``, ``anthropic``, ``cursor``, ``openai``, ``google``;
``survey``, ``hr``, ``kpis``; the people and calendar in ``organisation``, shared habits in ``usage``).
Rollouts are staggered, Finance and Legal lag, some seats stay idle while a few Sales and Marketing teams
wait for Microsoft 365 Copilot seats, and each person's latent enthusiasm for AI tools drives a long tail
of heavy users on every tool.

Planted effect (what an outcomes analysis of the demo should recover): for every team and month,

    tasks_completed_per_person = team baseline x month trend x lognormal noise
                                 x (1 + PLANTED_EFFECT x active share)

where active share is the share of the team's employed people active on any AI tool in that month (all
the simulated tools), counted from the same simulated activity the vendor files report. ``csat`` is a
placebo KPI with no effect of usage. Everything is drawn from one seed: the same spec writes
byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from adoption_kit.demo import (
    anthropic,
    chatgpt,
    cursor,
    github_copilot,
    google,
    hr,
    microsoft,
    openai,
    survey,
)
from adoption_kit.demo.files import replace_folder, write_csv
from adoption_kit.demo.kpis import PLACEBO_KPI, PLANTED_EFFECT, PLANTED_KPI, team_kpis
from adoption_kit.demo.organisation import DEPARTMENTS, Calendar, Org, add_months, build_org
from adoption_kit.demo.usage import Plan, Seats, seats_of
from adoption_kit.errors import ConfigError

__all__ = ["PLACEBO_KPI", "PLANTED_EFFECT", "PLANTED_KPI", "DemoSpec", "DemoSummary", "write_demo"]

MIN_PEOPLE = 50
MAX_MONTHS = 36
DEFAULT_START = date(2026, 5, 1)  # the demo's usual first month, kept while it fits before today


def default_start(months: int, *, today: date) -> date:
    """The usual first month, or, when ``months`` from it would reach ``today``'s month, the latest first
    month that ends the demo with the last whole month before today."""
    return min(DEFAULT_START, add_months(today.replace(day=1), -months))


@dataclass(frozen=True)
class DemoSpec:
    """Size and shape of the synthetic organisation."""

    people: int = 2000
    months: int = 6
    start: date = DEFAULT_START  # first day of the first month; the period covers `months` whole months
    seed: int = 7

    def __post_init__(self) -> None:
        if self.people < MIN_PEOPLE:
            raise ConfigError(f"people is {self.people}", column="people", expected=f"at least {MIN_PEOPLE}")
        if not 1 <= self.months <= MAX_MONTHS:
            raise ConfigError(f"months is {self.months}", column="months", expected=f"1 to {MAX_MONTHS}")
        if self.start.day != 1:
            raise ConfigError(f"start is {self.start}", column="start", expected="the first day of a month")
        if self.seed < 0:
            raise ConfigError(f"seed is {self.seed}", column="seed", expected="a non-negative integer")
        last_day = add_months(self.start, self.months) - timedelta(days=1)
        if last_day >= date.today():
            raise ConfigError(
                f"the demo would run until {last_day}, which has not happened yet",
                column="start",
                expected="an earlier --start (exports cannot hold days of use in the future)",
            )


@dataclass(frozen=True)
class DemoSummary:
    """What `write_demo` wrote."""

    raw_dir: Path
    people: int
    departments: int
    teams: int
    files: tuple[str, ...]  # paths relative to raw_dir, sorted
    first_day: date
    last_day: date
    planted_kpi: str = PLANTED_KPI
    planted_effect: float = PLANTED_EFFECT
    placebo_kpi: str = PLACEBO_KPI


STREAMS = (  # one random stream per step; new steps go at the end so earlier files do not change
    "organisation", "chatgpt_seats", "copilot_seats", "chatgpt_use", "copilot_use", "kpis", "chatgpt_files",
    "copilot_files", "cursor_teams", "cursor", "m365", "claude_code", "openai", "gemini", "chatgpt_gpts",
    "openai_service", "survey", "cursor_movers", "cursor_movers_seats", "seat_requests",
)  # fmt: skip


@dataclass(frozen=True)
class _Tools:
    """Every simulated tool's seats and days of use (person x day), and what their files are made of."""

    chat_seats: Seats
    chat_active: np.ndarray
    chat_intensity: np.ndarray
    copilot_seats: Seats
    copilot_active: np.ndarray
    cursor: cursor.CursorUse
    m365: microsoft.M365Use
    claude: anthropic.ClaudeCodeUse
    api: openai.OpenAIUse
    gemini: google.GeminiUse

    def any_active(self) -> np.ndarray:
        """Person x day: active on any AI tool (what the planted effect counts)."""
        uses = (self.cursor, self.m365, self.claude, self.api, self.gemini)
        return np.logical_or.reduce([self.chat_active, self.copilot_active, *(use.active for use in uses)])

    def pools(self) -> list[tuple[Plan, Seats]]:
        """The tools bought by the seat, with their seats (the OpenAI API is priced by use)."""
        return [
            (chatgpt.PLAN, self.chat_seats),
            (github_copilot.PLAN, self.copilot_seats),
            (microsoft.ROLLOUT.plan, self.m365.seats),
            (anthropic.ROLLOUT.plan, self.claude.seats),
            (cursor.ROLLOUT.plan, self.cursor.seats),
            (google.ROLLOUT.plan, self.gemini.seats),
        ]


def write_demo(raw_dir: Path, spec: DemoSpec = DemoSpec()) -> DemoSummary:  # noqa: B008 (frozen spec)
    """Write the demo organisation's raw files into ``raw_dir``, replacing what a previous demo left there."""
    raw_dir = Path(raw_dir)
    cal = Calendar.of(spec.start, spec.months)
    streams = dict(zip(STREAMS, np.random.SeedSequence(spec.seed).spawn(len(STREAMS)), strict=True))

    def rng(step: str) -> np.random.Generator:
        return np.random.default_rng(streams[step])

    org = build_org(rng("organisation"), spec.people, cal)
    tools = _simulate(rng, org, cal)
    kpis = team_kpis(rng("kpis"), org, tools.any_active(), cal)

    def write(folder: Path) -> None:
        write_csv(folder / "hr" / "roster.csv", org.roster)
        write_csv(folder / "hr" / "seat_pools.csv", hr.seat_pools(org, cal, tools.pools()))
        identities = hr.identity_map(org, tools.cursor.user_id, tools.cursor.seats)
        write_csv(folder / "hr" / "identity-map.csv", identities)
        waiting = hr.seat_requests(rng("seat_requests"), org, cal, tools.m365.seats, microsoft.ROLLOUT.tool)
        write_csv(folder / "it" / "seat-requests.csv", waiting)
        write_csv(folder / "kpis" / "team_kpis.csv", kpis)
        _write_tools(folder, rng, org, cal, tools)

    files = replace_folder(raw_dir, write)
    return DemoSummary(
        raw_dir=raw_dir,
        people=len(org.roster),
        departments=len(DEPARTMENTS),
        teams=len(org.team_names),
        files=files,
        first_day=cal.first,
        last_day=cal.last,
    )


def _simulate(rng: Callable[[str], np.random.Generator], org: Org, cal: Calendar) -> _Tools:
    """Seats and use of every tool; the engineering teams on Cursor have no Copilot seats, and the teams
    moving to Cursor stop using Copilot when the last month starts (their seats are gone by its end)."""
    in_cursor_team = cursor.teams(rng("cursor_teams"), org)
    moving = cursor.moving_teams(rng("cursor_movers"), org, in_cursor_team)
    movers = seats_of(rng("cursor_movers_seats"), org, cal, cursor.MOVE, eligible=moving)
    chat_seats = chatgpt.seats(rng("chatgpt_seats"), org, cal)
    copilot_seats = github_copilot.seats(rng("copilot_seats"), org, cal).without(in_cursor_team)
    copilot_active = github_copilot.activity(rng("copilot_use"), org, copilot_seats, cal)
    copilot_active[moving, int(cal.month_starts[-2]) :] = False
    chat_active, chat_intensity = chatgpt.activity(rng("chatgpt_use"), org, chat_seats, cal)
    return _Tools(
        chat_seats=chat_seats,
        chat_active=chat_active,
        chat_intensity=chat_intensity,
        copilot_seats=copilot_seats.without(moving),
        copilot_active=copilot_active,
        cursor=cursor.simulate(rng("cursor"), org, cal, in_cursor_team, movers),
        m365=microsoft.simulate(rng("m365"), org, cal),
        claude=anthropic.simulate(rng("claude_code"), org, cal),
        api=openai.simulate(rng("openai"), org, cal),
        gemini=google.simulate(rng("gemini"), org, cal),
    )


def _write_tools(
    folder: Path, rng: Callable[[str], np.random.Generator], org: Org, cal: Calendar, tools: _Tools
) -> None:
    """Every tool's exports, and the survey about them, each in its own folder."""
    reports = chatgpt.reports(
        rng("chatgpt_files"), rng("chatgpt_gpts"), org, tools.chat_seats, tools.chat_active,
        tools.chat_intensity, cal,
    )  # fmt: skip
    for name, frame in reports:
        write_csv(folder / "chatgpt" / name, frame)
    github_copilot.write(
        folder / "github_copilot", rng("copilot_files"), org, tools.copilot_seats, tools.copilot_active, cal
    )
    microsoft.write(folder / "m365", tools.m365, org, cal)
    anthropic.write(folder / "anthropic", tools.claude, cal)
    cursor.write(folder / "cursor", tools.cursor, org, cal)
    usage = openai.daily_usage(rng("openai_service"), tools.api, cal)
    openai.write(folder / "openai", folder / "gateway", tools.api, usage, org, cal)
    google.write(folder / "google", tools.gemini, org, cal)
    asked = {"gemini": tools.gemini, "m365_copilot": tools.m365}
    answers = survey.responses(rng("survey"), org, cal, {k: (u.seats, u.active) for k, u in asked.items()})
    for month, frame in answers.items():
        write_csv(folder / "survey" / f"ai-use-survey-{month}.csv", frame)
