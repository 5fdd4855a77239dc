"""What the AI tools cost per active person, how well their seats are used, and where idle seats could go.

Money and people are kept apart in every table: ``seat_cost``, ``usage_cost``, ``cost`` and
``cost_per_active_user`` are magnitudes in US dollars; ``people``, ``seats``, ``active_seats``,
``idle_seats``, ``demand`` and ``seats_to_move`` are counts (of people or of the seats they hold).

A seat is held from ``assigned_on`` up to, not including, ``removed_on``; a seat pool is paid from
``valid_from`` through ``valid_to`` (its last day). A weekly or monthly activity row counts on its own date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from adoption_kit import schema
from adoption_kit.errors import ConfigError
from adoption_kit.metrics.query import ANY_TOOL, MONTH, NO_LIMIT, Grouping, result_keys, run_sql, top_shares


@dataclass(frozen=True)
class SeatRule:
    """``idle_days``: a seat is idle when its holder has not used that tool in this many days up to
    ``as_of`` (DESIGN.md: no use in 30 days)."""

    idle_days: int = 30


DEFAULT_RULE = SeatRule()


def cost_per_active_user(
    seats: pd.DataFrame,
    seat_pools: pd.DataFrame,
    activity: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = None,
    first_month: date,
    last_month: date | None = None,
    contributors: int = 2,
) -> pd.DataFrame:
    """Cost per active person in each month from ``first_month`` to ``last_month`` (default: that one month),
    per group, per tool and for ``any`` tool.

    Seat cost (dollars): each seat's ``monthly_cost`` times the share of the month it was held; a tool
    none of whose seats carries a price that month is costed from its pools instead: ``unit_cost x
    purchased`` times the share of the month the pool ran. Usage cost (dollars): the month's
    ``activity.cost_usd`` (API and metered tools). Seats and use count for their holder's group; a pool
    counts for its department, so ``by`` is the organisation (None) or ``"department"``, and only people
    and pools of the roster's departments count. ``people`` (a count) is the month's active people (MAU);
    ``cost_per_active_user`` = (seat + usage cost) / people, empty when nobody was active.
    ``top_usage_share`` is the share of the usage cost spent by the ``contributors`` biggest spenders (the
    (n,k) rule's input; 0 without usage cost).
    Columns ``[by...], tool, month, seat_cost, usage_cost, cost, people, cost_per_active_user,
    top_usage_share``.
    """
    if by not in (None, "department"):
        raise ConfigError(f"cannot cost by {by!r}", column="by", expected="None or 'department'")
    sql = f"""
        WITH spans AS (
            SELECT month, month + INTERVAL 1 MONTH AS month_end,
                   datediff('day', month, month + INTERVAL 1 MONTH) AS days
            FROM (SELECT unnest(generate_series($first, $last, INTERVAL 1 MONTH)) AS month)
        ), priced AS (
            SELECT {{keys}}, tool, month,
                   sum(monthly_cost * datediff('day', greatest(assigned_on, month),
                                               least(coalesce(removed_on, month_end), month_end))
                       / days) AS cost
            FROM seats JOIN people USING (person_id) CROSS JOIN spans
            WHERE monthly_cost IS NOT NULL AND assigned_on < month_end
              AND coalesce(removed_on, month_end) > month
            GROUP BY ALL
        ), pool_groups AS (
            SELECT DISTINCT {{keys}}, people.department AS pool_department FROM people
        ), pools AS (
            SELECT {{key_names}}, tool, month,
                   sum(unit_cost * purchased * datediff('day', greatest(valid_from, month),
                                                        least(paid_until, month_end)) / days) AS cost
            FROM (
                SELECT tool, purchased, unit_cost, valid_from, department AS pool_department,
                       coalesce(valid_to + INTERVAL 1 DAY, $far) AS paid_until
                FROM seat_pools
            ) AS pool JOIN pool_groups USING (pool_department)
            CROSS JOIN spans
            WHERE valid_from < month_end AND paid_until > month
              AND NOT EXISTS (
                  SELECT 1 FROM priced WHERE priced.tool = pool.tool AND priced.month = spans.month
              )
            GROUP BY ALL
        ), seat_costs AS (SELECT * FROM priced UNION ALL SELECT * FROM pools),
        spent AS (
            SELECT {{keys}}, tool, {MONTH} AS month, person_id, coalesce(sum(cost_usd), 0) AS spent
            FROM activity JOIN people USING (person_id)
            WHERE {MONTH} BETWEEN $first AND $last
            GROUP BY ALL
        ),
        {top_shares("{key_names}, tool, month", "spent", amount="spent", name="tool_shares")},
        usage AS (
            SELECT {{key_names}}, tool, month, sum(spent) AS usage_cost, count(*) AS people,
                   any_value(top_share) AS top_usage_share
            FROM spent JOIN tool_shares USING ({{key_names}}, tool, month) GROUP BY ALL
        ), per_tool AS (
            SELECT {{key_names}}, tool, month, coalesce(seat_costs.cost, 0) AS seat_cost,
                   coalesce(usage_cost, 0) AS usage_cost, coalesce(people, 0) AS people,
                   coalesce(top_usage_share, 0) AS top_usage_share
            FROM seat_costs FULL JOIN usage USING ({{key_names}}, tool, month)
        ),
        {top_shares("{key_names}, month", "spent", amount="spent", name="any_shares")},
        any_usage AS (
            SELECT {{key_names}}, month, count(DISTINCT person_id) AS people,
                   any_value(top_share) AS top_usage_share
            FROM spent JOIN any_shares USING ({{key_names}}, month) GROUP BY ALL
        ), overall AS (
            SELECT {{key_names}}, '{ANY_TOOL}' AS tool, month, sum(seat_cost) AS seat_cost,
                   sum(usage_cost) AS usage_cost
            FROM per_tool GROUP BY ALL
        ), overall_people AS (
            SELECT {{key_names}}, tool, month, seat_cost, usage_cost, coalesce(any_usage.people, 0) AS people,
                   coalesce(any_usage.top_usage_share, 0) AS top_usage_share
            FROM overall LEFT JOIN any_usage USING ({{key_names}}, month)
        )
        SELECT {{key_names}}, tool, month, seat_cost, usage_cost, seat_cost + usage_cost AS cost, people,
               (seat_cost + usage_cost) / nullif(people, 0) AS cost_per_active_user, top_usage_share
        FROM (SELECT * FROM per_tool UNION ALL SELECT * FROM overall_people)  -- the same columns
        ORDER BY ALL
    """
    parameters = {
        "first": first_month.replace(day=1),
        "last": (last_month or first_month).replace(day=1),
        "far": NO_LIMIT,
        "contributors": contributors,
    }
    return run_sql(sql, by, parameters, seats=seats, seat_pools=seat_pools, activity=activity, people=people)


def seat_use(
    seats: pd.DataFrame,
    activity: pd.DataFrame,
    people: pd.DataFrame,
    *,
    requests: pd.DataFrame | None = None,
    by: Grouping = "department",
    as_of: date,
    rule: SeatRule = DEFAULT_RULE,
) -> pd.DataFrame:
    """Paid seats, their use, and unmet demand per group and tool (tools somebody holds a seat of).

    Counts of seats held on ``as_of`` (each held seat is paid): ``seats``; ``active_seats``, whose holder
    used the tool in the last ``rule.idle_days`` days up to ``as_of``; ``idle_seats``, the rest.
    ``license_efficiency`` = active_seats / seats (a ratio in [0, 1], empty without seats).
    ``demand`` counts people without a seat of their own who want one: active on the tool in the same
    window (through a shared login, a pool or an API key), or waiting on a seat request open on ``as_of``
    (``requests``: the ``seat_requests`` table); ``waitlisted`` counts the waiting ones among them.
    ``people`` counts the distinct people the row rests on (seat holders plus demand).
    Columns ``[by...], tool, seats, active_seats, idle_seats, license_efficiency, demand, waitlisted,
    people``.
    """
    sql = """
        WITH held AS (
            SELECT DISTINCT person_id, tool FROM seats
            WHERE assigned_on <= $as_of AND (removed_on IS NULL OR removed_on > $as_of)
        ), recent AS (
            SELECT DISTINCT person_id, tool FROM activity WHERE day <= $as_of AND day > $window_start
        ), waiting AS (
            SELECT DISTINCT person_id, tool FROM requests
            WHERE requested_on <= $as_of AND (closed_on IS NULL OR closed_on > $as_of)
        ), person_tool AS (
            SELECT person_id, tool, bool_or(holds) AS holds, bool_or(used) AS used, bool_or(waits) AS waits
            FROM (
                SELECT person_id, tool, true AS holds, false AS used, false AS waits FROM held
                UNION ALL
                SELECT person_id, tool, false, true, false FROM recent
                UNION ALL
                SELECT person_id, tool, false, false, true FROM waiting
            ) WHERE tool IN (SELECT tool FROM held) GROUP BY ALL
        ), counted AS (
            SELECT {keys}, tool,
                   count(*) FILTER (WHERE holds) AS seats,
                   count(*) FILTER (WHERE holds AND used) AS active_seats,
                   count(*) FILTER (WHERE (used OR waits) AND NOT holds) AS demand,
                   count(*) FILTER (WHERE waits AND NOT holds) AS waitlisted,
                   count(*) AS people
            FROM person_tool JOIN people USING (person_id)
            GROUP BY ALL
        )
        SELECT {key_names}, tool, seats, active_seats, seats - active_seats AS idle_seats,
               active_seats / nullif(seats, 0) AS license_efficiency, demand, waitlisted, people
        FROM counted ORDER BY ALL
    """
    parameters = {"as_of": as_of, "window_start": as_of - timedelta(days=rule.idle_days)}
    requests = schema.empty("seat_requests") if requests is None else requests
    return run_sql(sql, by, parameters, seats=seats, activity=activity, people=people, requests=requests)


def seat_reallocation(
    seats: pd.DataFrame,
    activity: pd.DataFrame,
    people: pd.DataFrame,
    *,
    by: Grouping = "department",
    as_of: date,
    requests: pd.DataFrame | None = None,
    rule: SeatRule = DEFAULT_RULE,
) -> pd.DataFrame:
    """Where idle seats could go: per tool, a group with idle seats next to a group with demand, from
    :func:`seat_use` per ``by`` group through :func:`allocate_idle_seats` (whose columns it returns, keyed
    ``from_<by>..., to_<by>...``)."""
    use = seat_use(seats, activity, people, requests=requests, by=by, as_of=as_of, rule=rule)
    return allocate_idle_seats(use, keys=result_keys(by))


def allocate_idle_seats(use: pd.DataFrame, *, keys: Sequence[str]) -> pd.DataFrame:
    """Pair each tool's idle seats with its demand, from a frame of groups (``keys``, ``tool``,
    ``idle_seats``, ``demand``: counts), without reading anything else.

    A group's idle seats first go to its own demand (``from_`` = ``to_``); the rest of the tool's idle
    seats go to the rest of its demand in the frame's group order, so no group gives more than its idle
    seats and none gets more than its demand. ``people`` is the smaller of the donor's idle seats and the
    recipient's demand. Columns ``tool, from_<key>..., to_<key>..., seats_to_move, idle_seats, demand,
    people``.
    """
    keys = list(keys)
    internal = use[[*keys, "tool", "idle_seats", "demand"]].astype({"idle_seats": "int64", "demand": "int64"})
    internal = internal.assign(seats_to_move=internal[["idle_seats", "demand"]].min(axis=1))
    residual = internal.assign(
        idle_left=internal["idle_seats"] - internal["seats_to_move"],
        demand_left=internal["demand"] - internal["seats_to_move"],
    )
    donors = _intervals(residual[residual["idle_left"] > 0], keys, "idle_left", "idle_seats")
    takers = _intervals(residual[residual["demand_left"] > 0], keys, "demand_left", "demand")
    pairs = donors.merge(takers, on="tool", suffixes=("_from", "_to"))
    pairs = pairs.assign(
        seats_to_move=(
            pairs[["end_from", "end_to"]].min(axis=1) - pairs[["start_from", "start_to"]].max(axis=1)
        )
    )
    own = internal[internal["seats_to_move"] > 0]
    moves = pd.concat(
        [
            own.rename(columns={k: f"from_{k}" for k in keys}).assign(**{f"to_{k}": own[k] for k in keys}),
            pairs[pairs["seats_to_move"] > 0].rename(
                columns={
                    **{f"{k}_from": f"from_{k}" for k in keys},
                    **{f"{k}_to": f"to_{k}" for k in keys},
                }
            ),
        ],
        ignore_index=True,
    )
    columns = ["tool", *[f"from_{k}" for k in keys], *[f"to_{k}" for k in keys], "seats_to_move"]
    result = moves.assign(people=moves[["idle_seats", "demand"]].min(axis=1))
    return (
        result[[*columns, "idle_seats", "demand", "people"]]
        .astype({"seats_to_move": "int64", "idle_seats": "int64", "demand": "int64", "people": "int64"})
        .sort_values(columns[:-1])
        .reset_index(drop=True)
    )


def _intervals(frame: pd.DataFrame, keys: list[str], amount: str, total: str) -> pd.DataFrame:
    """Each group's part of its tool's pooled ``amount`` as an interval [start, end), in group order."""
    end = frame.groupby("tool")[amount].cumsum()
    return frame[["tool", *keys, total]].assign(start=end - frame[amount], end=end)
