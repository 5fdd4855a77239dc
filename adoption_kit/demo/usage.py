"""What every simulated tool shares: seats given out at staggered rollouts, and days of use that follow.

Each person has one latent enthusiasm for AI tools (``Org.enthusiasm``) that drives idle seats, repeat use
and the long tail of heavy users of every tool; each department's rollout month, seat share and idle rate
set when and how widely a tool arrives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from adoption_kit.demo.organisation import DEPARTMENTS, NEVER, Calendar, Org

# Local working hours and the UTC offset of each office (summer time), for timestamps of single requests.
UTC_OFFSET_HOURS = {"Berlin": 2, "London": 1, "New York": -4, "Singapore": 8, "Remote": 1}
WORKDAY_START_HOUR, WORKDAY_HOURS = 8, 11


@dataclass(frozen=True)
class Seats:
    invited: np.ndarray  # day the seat was assigned (NEVER: no seat)
    accepted: np.ndarray  # day the seat became usable (NEVER: invitation never accepted)

    def without(self, people: np.ndarray) -> Seats:
        """The same seats, less those of ``people`` (a boolean mask)."""
        return Seats(np.where(people, NEVER, self.invited), np.where(people, NEVER, self.accepted))

    def joined(self, other: Seats) -> Seats:
        """Each person's earlier seat of the two."""
        return Seats(np.minimum(self.invited, other.invited), np.minimum(self.accepted, other.accepted))

    def holders(self, org: Org, cal: Calendar) -> tuple[np.ndarray, np.ndarray]:
        """(person, day) of each day of the period someone holds a usable seat, by day then person."""
        days = np.arange(cal.first_idx, cal.last_idx + 1)
        held = (self.accepted[:, None] <= days[None, :]) & (days[None, :] <= org.leave[:, None])
        day, person = np.nonzero(held.T)
        return person, day + cal.first_idx


@dataclass(frozen=True)
class Plan:
    """How a tool is bought: its schema name, monthly seat price and rollout month per department."""

    tool: str
    price_usd: int
    months: tuple[int | None, ...]  # per department in DEPARTMENTS order, on the six-month schedule


@dataclass(frozen=True)
class Rollout:
    """A tool's arrival in each department that gets it: (rollout month, share of people seated then)."""

    tool: str
    price_usd: int
    departments: Mapping[str, tuple[int, float]]

    @property
    def plan(self) -> Plan:
        return Plan(
            self.tool, self.price_usd, tuple(self.departments.get(d.name, (None,))[0] for d in DEPARTMENTS)
        )

    def days(self, cal: Calendar) -> np.ndarray:
        """Rollout day per department (NEVER where the tool never arrives)."""
        return np.array([NEVER if m is None else cal.rollout_day(m) for m in self.plan.months])

    def shares(self) -> np.ndarray:
        return np.array([self.departments.get(d.name, (None, 0.0))[1] for d in DEPARTMENTS])


def assign_seats(
    rng: np.random.Generator,
    org: Org,
    cal: Calendar,
    *,
    rollout: np.ndarray,
    share: np.ndarray,
    eligible: np.ndarray | bool = True,
    pending: bool = False,
) -> Seats:
    """Seats at each department's rollout, for joiners after it, and a few more in later months.

    ``rollout`` and ``share`` are per department; only ``eligible`` people can get a seat. With
    ``pending``, an invitation takes a few days to accept and a few are never accepted.
    """
    n = org.dept.size
    start = np.maximum(org.hire, rollout[org.dept])
    on_time = rng.random(n) < share[org.dept]
    lag = np.where(org.hire > rollout[org.dept], rng.integers(1, 8, n), rng.integers(0, 4, n))
    room = np.maximum(cal.last_idx - start - 30, 0)
    later = start + 30 + (rng.random(n) * room).astype(int)
    invited = np.where(on_time, start + lag, np.where(rng.random(n) < 0.3 * (room > 0), later, NEVER))
    can_have = (rollout[org.dept] < NEVER) & eligible
    invited = np.where(can_have & (invited <= np.minimum(org.leave, cal.last_idx)), invited, NEVER)
    if pending:
        accepted = invited + rng.geometric(0.5, n) - 1
        accepted = np.where((rng.random(n) < 0.02) | (accepted > org.leave), NEVER, accepted)
    else:
        accepted = invited
    return Seats(invited, np.where(invited < NEVER, accepted, NEVER))


def seats_of(
    rng: np.random.Generator, org: Org, cal: Calendar, rollout: Rollout, eligible: np.ndarray
) -> Seats:
    """Seats of a tool rolled out as ``rollout`` says, to ``eligible`` people only."""
    return assign_seats(rng, org, cal, rollout=rollout.days(cal), share=rollout.shares(), eligible=eligible)


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def active_days(
    rng: np.random.Generator,
    *,
    usable: np.ndarray,
    until: np.ndarray,
    idle: np.ndarray,
    adopt_days: np.ndarray,
    p_week: np.ndarray,
    p_day: np.ndarray,
    cal: Calendar,
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


def idle_seats(rng: np.random.Generator, enthusiasm: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Seat holders who never use the tool: the least enthusiastic, with noise, at each department's rate."""
    threshold = np.array([NormalDist().inv_cdf(r) if r > 0 else -np.inf for r in np.clip(rate, 0, 0.99)])
    return 0.6 * enthusiasm + 0.8 * rng.standard_normal(enthusiasm.size) < threshold


def tool_activity(
    rng: np.random.Generator, org: Org, seats: Seats, cal: Calendar, *, idle_scale: float, adopt_days: float
) -> np.ndarray:
    """Daily activity of a tool inside the period, from the department's habits with AI tools.

    The department's idle rate (scaled) and its repeat-use log-odds come from ``DEPARTMENTS``, so Finance
    and Legal lag on every tool as they do on ChatGPT.
    """
    n, z = org.dept.size, org.enthusiasm
    rate = np.clip(np.array([d.idle for d in DEPARTMENTS])[org.dept] * idle_scale, 0, 0.9)
    repeat = np.array([d.repeat for d in DEPARTMENTS])[org.dept]
    active = active_days(
        rng,
        usable=seats.accepted,
        until=np.minimum(org.leave, cal.last_idx),
        idle=idle_seats(rng, z, rate),
        adopt_days=adopt_days * np.exp(-0.3 * z),
        p_week=expit(0.6 + repeat + 0.8 * z + 0.5 * rng.standard_normal(n)),
        p_day=expit(0.2 + 0.7 * z + 0.5 * rng.standard_normal(n)),
        cal=cal,
    )
    active[:, : cal.first_idx] = False
    return active


def heavy_tail(rng: np.random.Generator, org: Org, *, median: float, spread: float) -> np.ndarray:
    """Each person's typical volume per active day: lognormal, higher for the enthusiastic (a long tail)."""
    z = org.enthusiasm
    return median * np.exp(spread * (0.5 * z + 0.87 * rng.standard_normal(z.size)))


def seconds_of_workday(rng: np.random.Generator, org: Org, person: np.ndarray) -> np.ndarray:
    """UTC seconds after midnight of single requests made in each person's local working hours.

    Requests peak mid-morning and mid-afternoon, local time, and stay inside the UTC day.
    """
    offset = org.roster["location"].map(UTC_OFFSET_HOURS).to_numpy(dtype=np.float64)[person]
    morning = rng.random(person.size) < 0.55
    local_hour = np.where(morning, rng.normal(10.5, 1.2, person.size), rng.normal(15, 1.6, person.size))
    local_hour = np.clip(local_hour, WORKDAY_START_HOUR, WORKDAY_START_HOUR + WORKDAY_HOURS)
    seconds = np.rint((local_hour - offset) * 3600).astype(np.int64) + rng.integers(0, 60, person.size)
    return np.clip(seconds, 0, 86_399)
