"""A synthetic organisation written as raw files in the vendors' real export formats.

``write_demo`` builds a deterministic company (Acme: about ``people`` employees, ten departments plus a
four-person Executive Office, teams of 3 to ~25 people) and writes what its HR, finance and tool admins
would export over ``months`` whole months:

    hr/roster.csv                                          the HR roster (joiners and leavers included)
    hr/seat_pools.csv                                      seats bought per tool and department
    kpis/team_kpis.csv                                     monthly team KPIs (long format)
    chatgpt/Acme weekly user report <Sunday>.csv           ChatGPT Enterprise weekly user reports
    github_copilot/organization-users-28-day-<end>.ndjson  Copilot per-user usage reports (28-day windows)
    github_copilot/copilot-seats-<last day>.json           Copilot seats API snapshot

ChatGPT Enterprise reaches departments month by month (Engineering, Product, Data & Analytics and the
Executive Office in month 0, Sales and Marketing 1, Customer Support and Operations 2, Finance and HR 3,
Legal 4; the schedule is compressed into shorter periods) and Copilot reaches Engineering and Data &
Analytics in month 0 and half of Product in month 1. Each person has a latent enthusiasm for AI tools that
drives idle seats, repeat use and a long tail of heavy users for both tools; Finance and Legal lag.

Planted effect (what an outcomes analysis of the demo should recover): for every team and month,

    tasks_completed_per_person = team baseline x month trend x lognormal noise
                                 x (1 + PLANTED_EFFECT x active share)

where active share is the share of the team's employed people active on any AI tool in that month,
counted from the same simulated activity the vendor files report. ``csat`` is a placebo KPI with no effect
of usage. Everything is drawn from one seed: the same spec writes byte-identical files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from statistics import NormalDist

import duckdb
import numpy as np
import pandas as pd

from adoption_kit.atomic import replace_directory
from adoption_kit.errors import ConfigError

PLANTED_KPI = "tasks_completed_per_person"
PLANTED_EFFECT = 0.20
PLACEBO_KPI = "csat"

WORKSPACE = "Acme"
EMAIL_DOMAIN = "acme-demo.com"
EXECUTIVE_HEADCOUNT = 4
CHATGPT_PRICE_USD = 60
COPILOT_PRICE_USD = 19
ORGANIZATION_ID = "48213907"
ENTERPRISE_ID = "210457"
MIN_PEOPLE = 50
MAX_MONTHS = 36

NEVER = 10**7  # day index meaning "no such day" (no seat, never left, never used)
_STR = np.dtypes.StringDType()
_RAW_FOLDERS = frozenset({"hr", "kpis", "chatgpt", "github_copilot"})


@dataclass(frozen=True)
class DemoSpec:
    """Size and shape of the synthetic organisation."""

    people: int = 2000
    months: int = 6
    start: date = date(2026, 5, 1)  # first day of the first month; the period covers `months` whole months
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


@dataclass(frozen=True)
class _Dept:
    """How one department is staffed and how it takes to AI tools."""

    name: str
    share: float  # of headcount (the Executive Office has a fixed headcount instead)
    chatgpt_month: int  # rollout month on the six-month schedule
    copilot_month: int | None
    copilot_seats: float  # share of the department given a Copilot seat at rollout
    github: float  # share of people with a GitHub login
    idle: float  # share of ChatGPT seat holders who never use it
    copilot_idle: float
    repeat: float  # log-odds of using ChatGPT in a given week once adopted
    adopt_days: float  # mean days from access to first use
    kpi_base: float  # tasks completed per person per month
    teams: tuple[str, ...]
    functions: tuple[tuple[str, float], ...]
    manager: str


DEPARTMENTS: tuple[_Dept, ...] = (
    _Dept("Engineering", 0.28, 0, 0, 0.90, 1.0, 0.07, 0.06, 1.6, 8, 14,
          ("Platform", "Payments", "Checkout", "Search", "Mobile", "Web", "Infrastructure", "Security",
           "Identity", "Developer Experience", "Billing", "Notifications", "Public API", "Integrations",
           "Reliability", "Core Services", "Messaging", "Growth"),
          (("software engineer", 0.62), ("site reliability engineer", 0.1), ("mobile engineer", 0.1),
           ("QA engineer", 0.08), ("security engineer", 0.05), ("technical writer", 0.05)),
          "engineering manager"),
    _Dept("Product", 0.08, 0, 1, 0.50, 1.0, 0.10, 0.25, 1.4, 10, 11,
          ("Core Product", "Growth", "Design System", "User Research", "Monetization", "Platform", "Mobile"),
          (("product manager", 0.6), ("product designer", 0.3), ("UX researcher", 0.1)),
          "group product manager"),
    _Dept("Data & Analytics", 0.06, 0, 0, 0.90, 1.0, 0.07, 0.10, 1.6, 8, 12,
          ("Analytics Engineering", "Data Science", "Business Intelligence", "Machine Learning",
           "Experimentation", "Data Governance"),
          (("data analyst", 0.4), ("data scientist", 0.3), ("analytics engineer", 0.2), ("ML engineer", 0.1)),
          "analytics manager"),
    _Dept("Sales", 0.16, 1, None, 0.0, 0.0, 0.13, 0.0, 0.9, 14, 22,
          ("EMEA Enterprise", "EMEA Mid-Market", "North America Enterprise", "North America Mid-Market",
           "APAC", "Sales Development", "Solutions Engineering", "Partnerships", "Sales Operations",
           "Public Sector", "Renewals"),
          (("account executive", 0.5), ("sales development representative", 0.25), ("sales engineer", 0.15),
           ("sales operations analyst", 0.1)),
          "sales manager"),
    _Dept("Marketing", 0.08, 1, None, 0.0, 0.02, 0.12, 0.0, 1.0, 12, 16,
          ("Brand", "Content", "Demand Generation", "Product Marketing", "Events", "Lifecycle",
           "Communications", "Web & SEO"),
          (("marketing manager", 0.3), ("content marketer", 0.25), ("product marketing manager", 0.2),
           ("designer", 0.15), ("marketing operations specialist", 0.1)),
          "marketing lead"),
    _Dept("Customer Support", 0.14, 2, None, 0.0, 0.03, 0.17, 0.0, 0.6, 16, 150,
          ("Tier 1 EMEA", "Tier 1 Americas", "Tier 1 APAC", "Tier 2", "Technical Support", "Onboarding",
           "Customer Success", "Escalations", "Knowledge Base"),
          (("support agent", 0.75), ("technical support engineer", 0.15), ("customer success manager", 0.1)),
          "support lead"),
    _Dept("Operations", 0.08, 2, None, 0.0, 0.12, 0.18, 0.0, 0.5, 18, 40,
          ("IT", "Workplace", "Procurement", "Business Operations", "Security Operations",
           "Vendor Management", "Facilities"),
          (("IT specialist", 0.35), ("operations analyst", 0.3), ("procurement specialist", 0.15),
           ("workplace coordinator", 0.2)),
          "operations manager"),
    _Dept("Finance", 0.05, 3, None, 0.0, 0.0, 0.40, 0.0, -0.7, 30, 30,
          ("Accounting", "FP&A", "Payroll", "Tax", "Treasury", "Billing Operations"),
          (("accountant", 0.45), ("financial analyst", 0.35), ("payroll specialist", 0.2)),
          "finance manager"),
    _Dept("HR", 0.04, 3, None, 0.0, 0.0, 0.22, 0.0, 0.1, 20, 25,
          ("People Partners", "Talent Acquisition", "Learning & Development", "Total Rewards",
           "People Operations"),
          (("HR business partner", 0.35), ("recruiter", 0.45), ("people operations specialist", 0.2)),
          "HR manager"),
    _Dept("Legal", 0.03, 4, None, 0.0, 0.0, 0.50, 0.0, -0.9, 35, 12,
          ("Commercial", "Privacy", "Corporate", "Compliance", "Intellectual Property"),
          (("counsel", 0.6), ("paralegal", 0.25), ("compliance analyst", 0.15)),
          "legal lead"),
    _Dept("Executive Office", 0.0, 0, None, 0.0, 0.0, 0.25, 0.0, 0.8, 10, 8,
          ("Leadership",),
          (("executive", 0.7), ("chief of staff", 0.3)),
          "chief executive officer"),
)  # fmt: skip
_DEPT_INDEX = {d.name: i for i, d in enumerate(DEPARTMENTS)}
_EXEC = _DEPT_INDEX["Executive Office"]

LOCATIONS = np.array(["Berlin", "London", "New York", "Singapore", "Remote"])
_TEAM_HOME_P = [0.28, 0.22, 0.27, 0.13, 0.10]
_PERSON_LOCATION_P = [0.22, 0.2, 0.23, 0.1, 0.25]
_IC_LEVELS, _IC_P = np.array(["IC1", "IC2", "IC3", "IC4", "IC5"]), [0.12, 0.3, 0.32, 0.18, 0.08]

_FIRST_NAMES = """
Anna Lukas Sophie Jonas Lea Felix Marie Max Emma Paul Hannah Leon Mia Noah Olivia Oliver Amelia George
Isla Harry Ava Jack Grace Charlie James Emily Michael Sarah David Jessica Daniel Ashley Matthew Jennifer
Christopher Maria Jose Carlos Sofia Lucia Diego Camila Wei Jia Hui Ming Xin Jun Mei Kai Priya Arjun Ananya
Rohan Divya Rahul Aisha Omar Fatima Yusuf Nur Siti Ahmad Farah Hiroshi Yuki Haruto Sakura Min-jun Ji-woo
Seo-yeon Olga Ivan Katarzyna Piotr Elif Emre Chloe Lucas Ines Hugo Lars Ingrid Freya Sven Nadia Tariq Zara
Leila Samuel Ruth Kwame Amara Chidi Thandiwe Liam Ethan Zoe Nina Tom Kate Ryan Laura Mark Julia Alex Sam
Jordan Taylor Chris Robin Eva Clara Ben Tim Jan Ella Lily Isaac Ada Mateo
"""
_LAST_NAMES = """
Schmidt Mueller Schneider Fischer Weber Meyer Wagner Becker Hoffmann Schulz Koch Richter Wolf Klein Smith
Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White Roberts Green
Hall Wood Jackson Clarke Patel Khan Lewis Miller Davis Garcia Rodriguez Martinez Hernandez Lopez Gonzalez
Perez Sanchez Ramirez Torres Nguyen Tran Pham Kim Lee Park Choi Tan Lim Ng Wong Goh Chua Chen Wang Li Zhang
Liu Yang Huang Zhao Wu Zhou Sharma Gupta Singh Kumar Iyer Reddy Nair Menon Rahman Ahmed Hassan Ali Ibrahim
Yilmaz Kaya Demir Kowalski Nowak Novak Ivanova Petrov Rossi Russo Bianchi Ferrari Dubois Martin Bernard
Moreau Laurent Jansen O'Brien O'Connor Murphy Kelly Byrne Walsh Sato Suzuki Takahashi Tanaka Watanabe
Andersson Johansson Larsen Nielsen Hansen Okafor Mensah Adeyemi Mwangi Cohen Levi Friedman Silva Santos
Oliveira Costa Pereira Garcia-Lopez Smith-Jones
"""
FIRST_NAMES, LAST_NAMES = np.array(_FIRST_NAMES.split()), np.array(_LAST_NAMES.split())

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
_FEATURES = ("code_completion", "chat_panel_ask_mode", "chat_panel_agent_mode", "agent_edit", "copilot_cli")
_COUNTERS = (
    "user_initiated_interaction_count",
    "code_generation_activity_count",
    "code_acceptance_activity_count",
    "loc_suggested_to_add_sum",
    "loc_suggested_to_delete_sum",
    "loc_added_sum",
    "loc_deleted_sum",
)
_IDES = np.array(["vscode", "jetbrains", "visualstudio"])
_IDE_P = [0.72, 0.2, 0.08]
_PLUGINS = np.array(["copilot-chat", "copilot-intellij", "copilot-vs"])
_EDITOR_PREFIX = np.array(["vscode", "JetBrains-IU", "VisualStudio"])


def write_demo(raw_dir: Path, spec: DemoSpec = DemoSpec()) -> DemoSummary:  # noqa: B008 (frozen spec)
    """Write the demo organisation's raw files into ``raw_dir``, replacing what a previous demo left there."""
    raw_dir = Path(raw_dir)
    cal = _Calendar.of(spec)
    seeds = np.random.SeedSequence(spec.seed).spawn(8)
    org = _build_org(np.random.default_rng(seeds[0]), spec, cal)
    chat_seats = _assign_seats(np.random.default_rng(seeds[1]), org, cal, tool="chatgpt")
    copilot_seats = _assign_seats(np.random.default_rng(seeds[2]), org, cal, tool="copilot")
    chat_active, chat_intensity = _chatgpt_activity(np.random.default_rng(seeds[3]), org, chat_seats, cal)
    copilot_active = _copilot_activity(np.random.default_rng(seeds[4]), org, copilot_seats, cal)
    kpis = _team_kpis(np.random.default_rng(seeds[5]), org, chat_active | copilot_active, cal)
    chat_rng, copilot_rng = np.random.default_rng(seeds[6]), np.random.default_rng(seeds[7])

    def write(folder: Path) -> None:
        _write_csv(folder / "hr" / "roster.csv", org.roster)
        _write_csv(folder / "hr" / "seat_pools.csv", _seat_pools(org, chat_seats, copilot_seats, cal))
        _write_csv(folder / "kpis" / "team_kpis.csv", kpis)
        for name, frame in _chatgpt_reports(chat_rng, org, chat_seats, chat_active, chat_intensity, cal):
            _write_csv(folder / "chatgpt" / name, frame)
        _write_copilot(folder / "github_copilot", copilot_rng, org, copilot_seats, copilot_active, cal)

    files = _replace_folder(raw_dir, write)
    return DemoSummary(
        raw_dir=raw_dir,
        people=len(org.roster),
        departments=len(DEPARTMENTS),
        teams=len(org.team_names),
        files=files,
        first_day=cal.first,
        last_day=cal.last,
    )


# ---------------------------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class _Calendar:
    """Day indices: 0 is the Sunday on or before the first day; the range ends on a Saturday."""

    first: date
    last: date
    origin: date
    n_days: int
    month_starts: np.ndarray  # day index of each month's first day, plus the day after the period
    schedule_months: int  # rollout months are compressed when the period is shorter than six months

    @classmethod
    def of(cls, spec: DemoSpec) -> _Calendar:
        months = [_add_months(spec.start, k) for k in range(spec.months + 1)]
        last = months[-1] - timedelta(days=1)
        origin = spec.start - timedelta(days=(spec.start.weekday() + 1) % 7)
        n_days = ((last - origin).days // 7 + 1) * 7
        starts = np.array([(m - origin).days for m in months])
        return cls(spec.start, last, origin, n_days, starts, min(spec.months, 6))

    @property
    def first_idx(self) -> int:
        return int(self.month_starts[0])

    @property
    def last_idx(self) -> int:
        return int(self.month_starts[-1]) - 1

    @property
    def n_weeks(self) -> int:
        return self.n_days // 7

    def iso(self, idx: np.ndarray | int) -> np.ndarray:
        """ISO dates of day indices."""
        days = np.datetime64(self.origin, "D") + np.asarray(idx, dtype="int64")
        return np.datetime_as_string(days, unit="D")

    def rollout_day(self, month: int) -> int:
        """First workday of the rollout month, on the schedule compressed to the period."""
        start = int(self.month_starts[month * self.schedule_months // 6])
        return start + {6: 2, 0: 1}.get(start % 7, 0)

    def day_factor(self) -> np.ndarray:
        """Relative chance of working on each day: weekends and the year-end holidays are quiet."""
        days = np.datetime64(self.origin, "D") + np.arange(self.n_days)
        month = days.astype("datetime64[M]").astype(int) % 12 + 1
        day = (days - days.astype("datetime64[M]")).astype(int) + 1
        weekday = np.isin(np.arange(self.n_days) % 7, [1, 2, 3, 4, 5])
        factor = np.where(weekday, 1.0, 0.08)
        factor = np.where(((month == 12) & (day >= 24)) | ((month == 1) & (day == 1)), factor * 0.25, factor)
        return np.where(month == 8, factor * 0.85, factor).astype(np.float32)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# ---------------------------------------------------------------------------------------------- people


@dataclass(frozen=True)
class _Org:
    """The roster as written, plus the per-person arrays the simulation runs on (roster order)."""

    roster: pd.DataFrame
    dept: np.ndarray
    team: np.ndarray
    team_names: np.ndarray
    hire: np.ndarray  # day index of the hire date (negative before the first week)
    leave: np.ndarray  # day index of the last employed day, NEVER if staying
    email: np.ndarray  # normalized (lower-case) email
    login: np.ndarray  # GitHub login or ""
    github_id: np.ndarray
    enthusiasm: np.ndarray  # latent taste for AI tools, N(0, 1), shared by all tools


def _build_org(rng: np.random.Generator, spec: DemoSpec, cal: _Calendar) -> _Org:
    sizes = _department_sizes(spec.people)
    dept = np.repeat(np.arange(len(DEPARTMENTS)), sizes)
    team, team_names, lead = _teams(rng, sizes)
    function, level = _functions_and_levels(rng, dept, team, lead)
    n = dept.size
    home = rng.choice(LOCATIONS, size=team_names.size, p=_TEAM_HOME_P)
    location = np.where(rng.random(n) < 0.75, home[team], rng.choice(LOCATIONS, size=n, p=_PERSON_LOCATION_P))
    hire, leave = _employment(rng, dept, lead, cal, spec.months)
    first, last = rng.choice(FIRST_NAMES, n), rng.choice(LAST_NAMES, n)
    github = rng.random(n) < np.array([d.github for d in DEPARTMENTS])[dept]
    mixed_case = rng.random(n) < 0.006
    enthusiasm = rng.standard_normal(n)

    order = np.lexsort((rng.random(n), hire))  # employee ids follow hire dates
    dept, team, function, level = dept[order], team[order], function[order], level[order]
    location, hire, leave, first, last = location[order], hire[order], leave[order], first[order], last[order]
    github, mixed_case, enthusiasm = github[order], mixed_case[order], enthusiasm[order]

    people = pd.DataFrame({"first": first, "last": pd.Series(last).str.replace("'", "", regex=False)})
    local = people["first"] + "." + people["last"]
    local = local + _duplicate_suffix(local.str.lower())
    email = (local.str.lower() + "@" + EMAIL_DOMAIN).to_numpy(dtype=object)
    login = people["first"].str[0] + people["last"].str.replace("-", "", regex=False)
    login = (login + _duplicate_suffix(login.str.lower())).str.lower() + "-acme"
    employee_id = 1000 + np.cumsum(rng.integers(1, 9, n))
    github_id = 1_200_000 + np.cumsum(rng.integers(1, 4000, n))
    roster = pd.DataFrame(
        {
            "employee_id": np.char.add("E", np.char.zfill(employee_id.astype(str), 6)),
            "full_name": np.char.add(np.char.add(first, " "), last),
            "email": np.where(mixed_case, local + "@" + EMAIL_DOMAIN, email),
            "github_login": np.where(github, login, ""),
            "department": np.array([d.name for d in DEPARTMENTS])[dept],
            "team": team_names[team],
            "job_function": function,
            "location": location,
            "level": level,
            "hire_date": cal.iso(hire),
            "termination_date": np.where(leave < NEVER, cal.iso(np.minimum(leave, cal.n_days)), ""),
        }
    )
    return _Org(
        roster,
        dept,
        team,
        team_names,
        hire,
        leave,
        email,
        roster["github_login"].to_numpy(),
        github_id,
        enthusiasm,
    )


def _department_sizes(people: int) -> np.ndarray:
    """Headcount per department: the shares by largest remainder, plus the fixed Executive Office."""
    shares = np.array([d.share for d in DEPARTMENTS[:_EXEC]])
    exact = shares / shares.sum() * (people - EXECUTIVE_HEADCOUNT)
    sizes = np.floor(exact).astype(int)
    sizes[np.argsort(-(exact - sizes), kind="stable")[: people - EXECUTIVE_HEADCOUNT - sizes.sum()]] += 1
    return np.append(sizes, EXECUTIVE_HEADCOUNT)


def _teams(rng: np.random.Generator, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Team index per person, unique team names, and whether the person leads the team (its first member)."""
    team_sizes, names = [], []
    for d, n in zip(DEPARTMENTS, sizes, strict=True):
        draws = np.clip(np.rint(rng.lognormal(np.log(9), 0.6, size=n // 3 + 1)), 3, 25).astype(int)
        split = draws[: np.searchsorted(np.cumsum(draws), n) + 1].copy()
        split[-1] -= split.sum() - n
        if split.size > 1 and split[-1] < 3:
            split[-2] += split[-1]
            split = split[:-1]
        team_sizes.append(split)
        k = len(d.teams)  # past the list of names, teams are numbered: "Engineering / Platform 2"
        names += [f"{d.name} / {d.teams[i % k]}" + (f" {i // k + 1}" * (i >= k)) for i in range(split.size)]
    team_sizes = np.concatenate(team_sizes)
    team = np.repeat(np.arange(team_sizes.size), team_sizes)
    lead = np.zeros(team.size, dtype=bool)
    lead[np.cumsum(team_sizes) - team_sizes] = True
    return team, np.array(names), lead


def _functions_and_levels(
    rng: np.random.Generator, dept: np.ndarray, team: np.ndarray, lead: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    function = np.empty(dept.size, dtype=object)
    for i, d in enumerate(DEPARTMENTS):
        mine = dept == i
        names, weights = zip(*d.functions, strict=True)
        function[mine] = rng.choice(np.array(names), size=mine.sum(), p=np.array(weights) / sum(weights))
        function[mine & lead] = d.manager
    level = rng.choice(_IC_LEVELS, size=dept.size, p=_IC_P).astype(object)
    level[lead] = np.where(rng.random(lead.sum()) < 0.75, "M1", "M2")
    first_team = team[np.flatnonzero(np.diff(dept, prepend=-1))]
    head = lead & (team == first_team[dept])  # the lead of each department's first team heads it
    level[head | (dept == _EXEC)] = "M3"
    return function.astype(str), level.astype(str)


def _employment(
    rng: np.random.Generator, dept: np.ndarray, lead: np.ndarray, cal: _Calendar, months: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hire and leave day indices: a few joiners and leavers inside the period (never team leads)."""
    n = dept.size
    tenure = 30 + (rng.exponential(3 * 365, n) % (14 * 365)).astype(int)  # the company is 14 years old
    hire = cal.first_idx - tenure
    stable = lead | (dept == _EXEC)
    span = cal.last_idx - cal.first_idx
    joiner = ~stable & (rng.random(n) < min(0.008 * months, 0.3))
    leaver = ~stable & ~joiner & (rng.random(n) < min(0.01 * months, 0.3))
    hire = np.where(joiner, cal.first_idx + 1 + (rng.random(n) * max(span - 10, 1)).astype(int), hire)
    leave = np.where(leaver, cal.first_idx + 10 + (rng.random(n) * max(span - 10, 1)).astype(int), NEVER)
    return hire, leave


def _duplicate_suffix(keys: pd.Series) -> pd.Series:
    """Nothing for the first holder of a key, then "2", "3"... for later ones (in roster order)."""
    seen = keys.groupby(keys, sort=False).cumcount()
    return pd.Series(np.where(seen > 0, (seen + 1).astype(str), ""), index=keys.index)


# ---------------------------------------------------------------------------------------------- seats


@dataclass(frozen=True)
class _Seats:
    invited: np.ndarray  # day the seat was assigned (NEVER: no seat)
    accepted: np.ndarray  # day the seat became usable (NEVER: invitation never accepted)


def _assign_seats(rng: np.random.Generator, org: _Org, cal: _Calendar, *, tool: str) -> _Seats:
    """Seats at each department's rollout, for joiners after it, and a few more in later months."""
    n = org.dept.size
    if tool == "chatgpt":
        rollout = np.array([cal.rollout_day(d.chatgpt_month) for d in DEPARTMENTS])
        share = np.where(np.arange(len(DEPARTMENTS)) == _EXEC, 1.0, 0.85)
    else:
        rollout = np.array(
            [NEVER if d.copilot_month is None else cal.rollout_day(d.copilot_month) for d in DEPARTMENTS]
        )
        share = np.array([d.copilot_seats for d in DEPARTMENTS])
    start = np.maximum(org.hire, rollout[org.dept])
    on_time = rng.random(n) < share[org.dept]
    lag = np.where(org.hire > rollout[org.dept], rng.integers(1, 8, n), rng.integers(0, 4, n))
    room = np.maximum(cal.last_idx - start - 30, 0)
    later = start + 30 + (rng.random(n) * room).astype(int)
    invited = np.where(on_time, start + lag, np.where(rng.random(n) < 0.3 * (room > 0), later, NEVER))
    can_have = (rollout[org.dept] < NEVER) & ((org.login != "") if tool == "copilot" else True)
    invited = np.where(can_have & (invited <= np.minimum(org.leave, cal.last_idx)), invited, NEVER)
    if tool == "chatgpt":
        accepted = invited + rng.geometric(0.5, n) - 1
        accepted = np.where((rng.random(n) < 0.02) | (accepted > org.leave), NEVER, accepted)
    else:
        accepted = invited
    return _Seats(invited, np.where(invited < NEVER, accepted, NEVER))


def _seat_pools(org: _Org, chat: _Seats, copilot: _Seats, cal: _Calendar) -> pd.DataFrame:
    """Seats bought per tool and department: what was assigned plus some slack, rounded up to fives."""
    rows = []
    for tool, seats, price, month_of in (
        ("chatgpt_enterprise", chat, CHATGPT_PRICE_USD, lambda d: d.chatgpt_month),
        ("github_copilot", copilot, COPILOT_PRICE_USD, lambda d: d.copilot_month),
    ):
        assigned = np.bincount(org.dept[seats.invited < NEVER], minlength=len(DEPARTMENTS))
        for i, d in enumerate(DEPARTMENTS):
            if month_of(d) is None:
                continue
            slack = 0.3 if d.name in ("Finance", "Legal") else 0.04 + 0.02 * (i % 5)
            bought = max(int(np.ceil(assigned[i] * (1 + slack) / 5) * 5), 5)
            start = cal.iso(int(cal.month_starts[month_of(d) * cal.schedule_months // 6]))
            rows.append((tool, d.name, bought, price, str(start), ""))
    return pd.DataFrame(
        rows, columns=["tool", "department", "seats_purchased", "monthly_price_usd", "start_date", "end_date"]
    )


# ---------------------------------------------------------------------------------------------- usage


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _active_days(
    rng: np.random.Generator,
    *,
    usable: np.ndarray,
    until: np.ndarray,
    idle: np.ndarray,
    adopt_days: np.ndarray,
    p_week: np.ndarray,
    p_day: np.ndarray,
    cal: _Calendar,
) -> np.ndarray:
    """Person x day activity: first use some days after access, repeat use ramping up over the weeks after."""
    n, days = usable.size, np.arange(cal.n_days)
    adopt = usable + np.rint(rng.exponential(adopt_days)).astype(int)
    adopt = np.where(idle | (usable >= NEVER) | (adopt > np.minimum(until, cal.n_days - 1)), NEVER, adopt)
    weeks_since = (np.arange(cal.n_weeks) * 7 + 6 - adopt[:, None]) / 7
    ramp = np.where(weeks_since >= 0, 1 - 0.6 * np.exp(-np.maximum(weeks_since, 0) / 3), 0)
    week_on = rng.random((n, cal.n_weeks), dtype=np.float32) < (p_week[:, None] * ramp)
    day_p = p_day[:, None].astype(np.float32) * cal.day_factor()[None, :]
    active = week_on[:, days // 7] & (rng.random((n, cal.n_days), dtype=np.float32) < day_p)
    active &= (days[None, :] >= adopt[:, None]) & (days[None, :] <= until[:, None])
    adopters = np.flatnonzero(adopt < NEVER)
    active[adopters, adopt[adopters]] = True
    return active


def _idle(rng: np.random.Generator, enthusiasm: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Seat holders who never use the tool: the least enthusiastic, with noise, at each department's rate."""
    threshold = np.array([NormalDist().inv_cdf(r) if r > 0 else -np.inf for r in np.clip(rate, 0, 0.99)])
    return 0.6 * enthusiasm + 0.8 * rng.standard_normal(enthusiasm.size) < threshold


def _chatgpt_activity(
    rng: np.random.Generator, org: _Org, seats: _Seats, cal: _Calendar
) -> tuple[np.ndarray, np.ndarray]:
    """Daily ChatGPT activity and each person's weekly message intensity when active (lognormal)."""
    n, z = org.dept.size, org.enthusiasm
    idle = _idle(rng, z, np.array([d.idle for d in DEPARTMENTS])[org.dept])
    repeat = np.array([d.repeat for d in DEPARTMENTS])[org.dept]
    active = _active_days(
        rng,
        usable=seats.accepted,
        until=org.leave,
        idle=idle,
        adopt_days=np.array([d.adopt_days for d in DEPARTMENTS])[org.dept] * np.exp(-0.3 * z),
        p_week=_expit(repeat + 0.9 * z + 0.5 * rng.standard_normal(n)),
        p_day=_expit(-0.3 + 0.8 * z + 0.6 * rng.standard_normal(n)),
        cal=cal,
    )
    intensity = 14 * np.exp(0.95 * (0.5 * z + 0.87 * rng.standard_normal(n)))
    return active, intensity


def _copilot_activity(rng: np.random.Generator, org: _Org, seats: _Seats, cal: _Calendar) -> np.ndarray:
    """Daily Copilot activity, mostly on workdays, inside the period."""
    n, z = org.dept.size, org.enthusiasm
    active = _active_days(
        rng,
        usable=seats.invited,
        until=np.minimum(org.leave, cal.last_idx),
        idle=_idle(rng, z, np.array([d.copilot_idle for d in DEPARTMENTS])[org.dept]),
        adopt_days=6 * np.exp(-0.3 * z),
        p_week=_expit(2.2 + 0.8 * z + 0.4 * rng.standard_normal(n)),
        p_day=_expit(1.0 + 0.6 * z + 0.5 * rng.standard_normal(n)),
        cal=cal,
    )
    active[:, : cal.first_idx] = False
    return active


# ---------------------------------------------------------------------------------------------- KPIs


def _team_kpis(rng: np.random.Generator, org: _Org, any_active: np.ndarray, cal: _Calendar) -> pd.DataFrame:
    """Monthly team KPIs with the planted effect of the team's active share on the planted KPI."""
    starts, n_teams = cal.month_starts, org.team_names.size
    months = starts.size - 1
    in_month = np.logical_or.reduceat(any_active[:, starts[0] : starts[-1]], starts[:-1] - starts[0], axis=1)
    employed = (org.hire[:, None] <= starts[1:] - 1) & (org.leave[:, None] >= starts[:-1])
    cell = (org.team[:, None] * months + np.arange(months)).ravel()
    headcount = np.bincount(cell, weights=employed.ravel(), minlength=n_teams * months)
    active = np.bincount(cell, weights=(in_month & employed).ravel(), minlength=n_teams * months)
    share = (active / np.maximum(headcount, 1)).reshape(n_teams, months)

    team_dept = np.zeros(n_teams, dtype=int)
    team_dept[org.team] = org.dept
    baseline = np.array([d.kpi_base for d in DEPARTMENTS])[team_dept] * rng.lognormal(0, 0.2, n_teams)
    calendar_month = np.array([_add_months(cal.first, m).month for m in range(months)])
    trend = (1 + 0.008 * np.arange(months)) * np.select(
        [calendar_month == 8, calendar_month == 12], [0.94, 0.9], 1.0
    )
    noise = rng.lognormal(0, 0.06, (n_teams, months))
    tasks = baseline[:, None] * trend[None, :] * noise * (1 + PLANTED_EFFECT * share)
    csat = np.clip(4.0 + 0.6 * rng.random(n_teams)[:, None] + rng.normal(0, 0.07, (n_teams, months)), 1, 5)

    labels = np.array([_add_months(cal.first, m).strftime("%Y-%m") for m in range(months)])
    frame = pd.DataFrame(
        {
            "month": np.tile(np.repeat(labels, n_teams), 2),
            "team": np.tile(org.team_names, 2 * months),
            "kpi": np.repeat([PLANTED_KPI, PLACEBO_KPI], n_teams * months),
            "value": np.round(np.concatenate([tasks.T.ravel(), csat.T.ravel()]), 2),
        }
    )
    return frame.sort_values(["month", "team", "kpi"], kind="stable", ignore_index=True)


# ---------------------------------------------------------------------------------------------- ChatGPT


def _tokens(rng: np.random.Generator, n: int, length: int, alphabet: str) -> np.ndarray:
    """``n`` random strings of ``length`` characters from ``alphabet``."""
    chars = np.array(list(alphabet))[rng.integers(0, len(alphabet), (n, length))]
    return np.ascontiguousarray(chars).view(f"<U{length}").ravel()


_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_HEX = "0123456789abcdef"


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


def _chatgpt_weeks(
    rng: np.random.Generator, org: _Org, active: np.ndarray, intensity: np.ndarray, cal: _Calendar
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
    columns = {"messages": m, **_chatgpt_breakdowns(rng, org, p, m)}
    return _ChatWeeks(first_day, last_day, last_ever, cell, columns)


def _chatgpt_breakdowns(rng: np.random.Generator, org: _Org, p: np.ndarray, m: np.ndarray) -> dict:
    """Messages per model, custom GPT, tool and project for each active (person, week) cell."""
    n, z = org.dept.size, org.enthusiasm
    model_taste = rng.dirichlet([5, 2, 0.6, 0.4], n)
    n_gpts = 12 + n // 150
    gpt_ids = np.char.add("g-", _tokens(rng, n_gpts, 9, _ALNUM))
    gpts = _favourites(rng, n, n_gpts, 1 / np.arange(1, n_gpts + 1))
    gpt_slots = rng.choice([1, 2, 3], size=n, p=[0.5, 0.3, 0.2])
    gpt_weights = np.array([0.6, 0.3, 0.1]) * (np.arange(3)[None, :] < gpt_slots[:, None])
    gpt_share = np.where(_expit(-0.6 + 0.7 * z) > rng.random(n), rng.beta(2, 6, n), 0)
    tool_taste = rng.dirichlet(_TOOL_POPULARITY * 2, n)
    analysts = np.isin(org.dept, [_DEPT_INDEX["Data & Analytics"], _DEPT_INDEX["Finance"]])
    tool_taste[analysts, 1] *= 3  # Data Analysis
    tool_share = np.where(rng.random(n) < 0.8, rng.beta(2, 5, n), 0)
    projects = np.char.add("g-p-", _tokens(rng, 3 * n, 16, _HEX)).reshape(n, 3)
    project_slots = rng.choice([1, 2, 3], size=n, p=[0.5, 0.3, 0.2])
    project_weights = np.array([0.6, 0.3, 0.1]) * (np.arange(3)[None, :] < project_slots[:, None])
    project_share = np.where(rng.random(n) < 0.4, rng.beta(2, 6, n), 0)

    models = _split(rng, m, model_taste[p])
    gpt = _split(rng, rng.binomial(m, gpt_share[p]), gpt_weights[p])
    tool = _split(rng, rng.binomial(m, tool_share[p]), tool_taste[p])
    project = _split(rng, rng.binomial(m, project_share[p]), project_weights[p])
    return {
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


def _chatgpt_people(rng: np.random.Generator, org: _Org, seats: _Seats) -> dict[str, np.ndarray]:
    """Per-person columns of the user report that do not change from week to week."""
    n = org.dept.size
    names = org.roster["full_name"].to_numpy(dtype=object)
    dept_names = np.array([d.name for d in DEPARTMENTS])
    group_ids = _tokens(rng, len(DEPARTMENTS), 12, _HEX)
    slugs = pd.Series(dept_names).str.lower().str.replace(r"[^a-z0-9]+", "-", regex=True).to_numpy(dtype=str)
    departments = np.char.add(np.char.add('["', dept_names), '"]')  # a JSON array, as SCIM fills it
    groups = np.char.add(np.char.add(np.char.add("{'", group_ids), "': '"), np.char.add(slugs, "-all'}"))
    user_role = np.full(n, "standard-user", dtype=object)
    user_role[np.flatnonzero((org.dept == _DEPT_INDEX["Operations"]) & (seats.invited < NEVER))[:2]] = (
        "account-admin"
    )
    return {
        "public_id": np.char.add("user-", _tokens(rng, n, 10, _ALNUM)),
        "name": np.where(rng.random(n) < 0.02, org.email, names),
        "role": np.where(rng.random(n) < 0.04, org.roster["job_function"].to_numpy(dtype=object), ""),
        "user_role": user_role,
        "department": np.where(rng.random(n) < 0.55, departments[org.dept], ""),
        "groups": np.where(rng.random(n) < 0.65, groups[org.dept], ""),
    }


_ABSENT, _PENDING, _ENABLED, _DELETED = 0, 1, 2, 3
_STATUS = np.array(["", "pending", "enabled", "deleted"])


def _chatgpt_status(org: _Org, seats: _Seats, cal: _Calendar) -> np.ndarray:
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


def _chatgpt_reports(
    rng: np.random.Generator,
    org: _Org,
    seats: _Seats,
    active: np.ndarray,
    intensity: np.ndarray,
    cal: _Calendar,
) -> Iterator[tuple[str, pd.DataFrame]]:
    """(file name, frame) of each weekly user report, one row per seat holder and week."""
    usage = _chatgpt_weeks(rng, org, active, intensity, cal)
    people = _chatgpt_people(rng, org, seats)
    status = _chatgpt_status(org, seats, cal)
    account_id = _tokens(rng, 1, 32, _HEX)[0]
    by_email = np.argsort(org.email, kind="stable")
    for w in range(cal.n_weeks):
        rows = by_email[status[by_email, w] > 0]
        if rows.size == 0:  # before the first seat: no report
            continue
        yield (
            f"{WORKSPACE} weekly user report {cal.iso(w * 7)}.csv",
            _chatgpt_week(w, rows, status[rows, w], usage, people, seats, org, account_id, cal),
        )


def _chatgpt_week(
    w: int,
    rows: np.ndarray,
    status: np.ndarray,
    usage: _ChatWeeks,
    people: dict[str, np.ndarray],
    seats: _Seats,
    org: _Org,
    account_id: str,
    cal: _Calendar,
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


def _copilot_usage(rng: np.random.Generator, org: _Org, person: np.ndarray, day: np.ndarray) -> pd.DataFrame:
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
    rng: np.random.Generator, org: _Org, active: np.ndarray, cal: _Calendar
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


def _report_sql(cal: _Calendar) -> str:
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


def _write_copilot(
    folder: Path, rng: np.random.Generator, org: _Org, seats: _Seats, active: np.ndarray, cal: _Calendar
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


def _timestamps(cal: _Calendar, day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    stamp = np.datetime64(cal.origin, "s") + day.astype("timedelta64[D]") + seconds.astype("timedelta64[s]")
    return np.char.add(np.datetime_as_string(stamp, unit="s"), "Z")


def _seats_snapshot(
    rng: np.random.Generator,
    org: _Org,
    seats: _Seats,
    records: pd.DataFrame,
    versions: pd.DataFrame,
    cal: _Calendar,
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
    node = _tokens(rng, n, 8, _ALNUM)
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


def _write_csv(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _replace_folder(target: Path, write: Callable[[Path], None]) -> tuple[str, ...]:
    """Write into a fresh sibling that then takes ``target``'s place; a failure leaves the old folder.

    A folder holding anything the demo does not write is refused rather than replaced.
    """
    if target.exists():
        if not target.is_dir():
            raise ConfigError("the demo's raw folder is a file", path=target, expected="a folder or nothing")
        unknown = sorted(p.name for p in target.iterdir() if p.name not in _RAW_FOLDERS)
        if unknown:
            raise ConfigError(
                f"refusing to replace a folder holding {', '.join(unknown[:3])}",
                path=target,
                expected=f"an empty folder or one written by the demo ({', '.join(sorted(_RAW_FOLDERS))})",
            )
    with replace_directory(target) as staging:
        write(staging)
        return tuple(sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()))
