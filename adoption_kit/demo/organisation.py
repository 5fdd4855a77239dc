"""The synthetic company: departments, teams, people and the calendar every simulated tool runs on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

EMAIL_DOMAIN = "acme-demo.com"
EXECUTIVE_HEADCOUNT = 4
NEVER = 10**7  # day index meaning "no such day" (no seat, never left, never used)
STR = np.dtypes.StringDType()


@dataclass(frozen=True)
class Dept:
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


DEPARTMENTS: tuple[Dept, ...] = (
    Dept("Engineering", 0.28, 0, 0, 0.90, 1.0, 0.07, 0.06, 1.6, 8, 14,
          ("Platform", "Payments", "Checkout", "Search", "Mobile", "Web", "Infrastructure", "Security",
           "Identity", "Developer Experience", "Billing", "Notifications", "Public API", "Integrations",
           "Reliability", "Core Services", "Messaging", "Growth"),
          (("software engineer", 0.62), ("site reliability engineer", 0.1), ("mobile engineer", 0.1),
           ("QA engineer", 0.08), ("security engineer", 0.05), ("technical writer", 0.05)),
          "engineering manager"),
    Dept("Product", 0.08, 0, 1, 0.50, 1.0, 0.10, 0.25, 1.4, 10, 11,
          ("Core Product", "Growth", "Design System", "User Research", "Monetization", "Platform", "Mobile"),
          (("product manager", 0.6), ("product designer", 0.3), ("UX researcher", 0.1)),
          "group product manager"),
    Dept("Data & Analytics", 0.06, 0, 0, 0.90, 1.0, 0.07, 0.10, 1.6, 8, 12,
          ("Analytics Engineering", "Data Science", "Business Intelligence", "Machine Learning",
           "Experimentation", "Data Governance"),
          (("data analyst", 0.4), ("data scientist", 0.3), ("analytics engineer", 0.2), ("ML engineer", 0.1)),
          "analytics manager"),
    Dept("Sales", 0.16, 1, None, 0.0, 0.0, 0.13, 0.0, 0.9, 14, 22,
          ("EMEA Enterprise", "EMEA Mid-Market", "North America Enterprise", "North America Mid-Market",
           "APAC", "Sales Development", "Solutions Engineering", "Partnerships", "Sales Operations",
           "Public Sector", "Renewals"),
          (("account executive", 0.5), ("sales development representative", 0.25), ("sales engineer", 0.15),
           ("sales operations analyst", 0.1)),
          "sales manager"),
    Dept("Marketing", 0.08, 1, None, 0.0, 0.02, 0.12, 0.0, 1.0, 12, 16,
          ("Brand", "Content", "Demand Generation", "Product Marketing", "Events", "Lifecycle",
           "Communications", "Web & SEO"),
          (("marketing manager", 0.3), ("content marketer", 0.25), ("product marketing manager", 0.2),
           ("designer", 0.15), ("marketing operations specialist", 0.1)),
          "marketing lead"),
    Dept("Customer Support", 0.14, 2, None, 0.0, 0.03, 0.17, 0.0, 0.6, 16, 150,
          ("Tier 1 EMEA", "Tier 1 Americas", "Tier 1 APAC", "Tier 2", "Technical Support", "Onboarding",
           "Customer Success", "Escalations", "Knowledge Base"),
          (("support agent", 0.75), ("technical support engineer", 0.15), ("customer success manager", 0.1)),
          "support lead"),
    Dept("Operations", 0.08, 2, None, 0.0, 0.12, 0.18, 0.0, 0.5, 18, 40,
          ("IT", "Workplace", "Procurement", "Business Operations", "Security Operations",
           "Vendor Management", "Facilities"),
          (("IT specialist", 0.35), ("operations analyst", 0.3), ("procurement specialist", 0.15),
           ("workplace coordinator", 0.2)),
          "operations manager"),
    Dept("Finance", 0.05, 3, None, 0.0, 0.0, 0.40, 0.0, -0.7, 30, 30,
          ("Accounting", "FP&A", "Payroll", "Tax", "Treasury", "Billing Operations"),
          (("accountant", 0.45), ("financial analyst", 0.35), ("payroll specialist", 0.2)),
          "finance manager"),
    Dept("HR", 0.04, 3, None, 0.0, 0.0, 0.22, 0.0, 0.1, 20, 25,
          ("People Partners", "Talent Acquisition", "Learning & Development", "Total Rewards",
           "People Operations"),
          (("HR business partner", 0.35), ("recruiter", 0.45), ("people operations specialist", 0.2)),
          "HR manager"),
    Dept("Legal", 0.03, 4, None, 0.0, 0.0, 0.50, 0.0, -0.9, 35, 12,
          ("Commercial", "Privacy", "Corporate", "Compliance", "Intellectual Property"),
          (("counsel", 0.6), ("paralegal", 0.25), ("compliance analyst", 0.15)),
          "legal lead"),
    Dept("Executive Office", 0.0, 0, None, 0.0, 0.0, 0.25, 0.0, 0.8, 10, 8,
          ("Leadership",),
          (("executive", 0.7), ("chief of staff", 0.3)),
          "chief executive officer"),
)  # fmt: skip
DEPT_INDEX = {d.name: i for i, d in enumerate(DEPARTMENTS)}
EXEC = DEPT_INDEX["Executive Office"]

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


@dataclass(frozen=True)
class Calendar:
    """Day indices: 0 is the Sunday on or before the first day; the range ends on a Saturday."""

    first: date
    last: date
    origin: date
    n_days: int
    month_starts: np.ndarray  # day index of each month's first day, plus the day after the period
    schedule_months: int  # rollout months are compressed when the period is shorter than six months

    @classmethod
    def of(cls, start: date, months: int) -> Calendar:
        """The calendar of ``months`` whole months from ``start`` (a first of the month)."""
        bounds = [add_months(start, k) for k in range(months + 1)]
        last = bounds[-1] - timedelta(days=1)
        origin = start - timedelta(days=(start.weekday() + 1) % 7)
        n_days = ((last - origin).days // 7 + 1) * 7
        starts = np.array([(m - origin).days for m in bounds])
        return cls(start, last, origin, n_days, starts, min(months, 6))

    @property
    def n_months(self) -> int:
        return self.month_starts.size - 1

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

    def month_of(self, idx: np.ndarray) -> np.ndarray:
        """Index of the period's month holding each day index (-1 before the period)."""
        return np.searchsorted(self.month_starts, idx, side="right") - 1

    def month_label(self, month: int) -> str:
        """``YYYY-MM`` of the period's month ``month``."""
        return add_months(self.first, month).strftime("%Y-%m")

    def epoch_seconds(self, idx: np.ndarray | int) -> np.ndarray:
        """Unix time of the midnight (UTC) starting each day index."""
        days = np.datetime64(self.origin, "D") + np.asarray(idx, dtype="int64")
        return days.astype("datetime64[s]").astype(np.int64)

    def timestamps(self, idx: np.ndarray, millis: np.ndarray) -> np.ndarray:
        """ISO-8601 UTC timestamps with milliseconds (``2026-05-04T09:13:22.481Z``) of times within days."""
        offset = np.asarray(idx, dtype=np.int64) * 86_400_000 + np.asarray(millis, dtype=np.int64)
        stamps = np.datetime64(self.origin, "ms") + offset.astype("timedelta64[ms]")
        return np.strings.add(np.datetime_as_string(stamps, unit="ms").astype(STR), "Z")

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


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Org:
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


def build_org(rng: np.random.Generator, people: int, cal: Calendar) -> Org:
    """About ``people`` employees in ten departments and the Executive Office, ordered by employee id."""
    sizes = _department_sizes(people)
    dept = np.repeat(np.arange(len(DEPARTMENTS)), sizes)
    team, team_names, lead = _teams(rng, sizes)
    function, level = _functions_and_levels(rng, dept, team, lead)
    n = dept.size
    home = rng.choice(LOCATIONS, size=team_names.size, p=_TEAM_HOME_P)
    location = np.where(rng.random(n) < 0.75, home[team], rng.choice(LOCATIONS, size=n, p=_PERSON_LOCATION_P))
    hire, leave = _employment(rng, dept, lead, cal, cal.n_months)
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
    return Org(
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
    shares = np.array([d.share for d in DEPARTMENTS[:EXEC]])
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
    level[head | (dept == EXEC)] = "M3"
    return function.astype(str), level.astype(str)


def _employment(
    rng: np.random.Generator, dept: np.ndarray, lead: np.ndarray, cal: Calendar, months: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hire and leave day indices: a few joiners and leavers inside the period (never team leads)."""
    n = dept.size
    tenure = 30 + (rng.exponential(3 * 365, n) % (14 * 365)).astype(int)  # the company is 14 years old
    hire = cal.first_idx - tenure
    stable = lead | (dept == EXEC)
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
