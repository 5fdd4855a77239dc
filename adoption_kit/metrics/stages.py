"""Adoption stages (access -> first use -> repeat use -> deeper adoption), the bottleneck, time to first use.

Every stage is a subset of the one before, so counts never rise along the funnel. As of a day:

- **access**: people employed that day who can use the tool. A tool with rows in ``seats``: people holding
  a seat that day. A tool with no seat rows but a ``seat_pools`` row valid that day (``purchased`` > 0):
  everyone employed in a department holding such a pool. A tool with neither (it only shows up in
  ``activity``, e.g. an API behind a gateway): everyone employed has access.
- **first use**: ever active with the tool up to the day.
- **repeat use**: also active in at least ``repeat_weeks`` distinct ISO weeks of the last ``window_weeks``
  full weeks (a week is full when its Sunday is on or before the day). Monthly-grain rows have no week, so
  a tool reported only monthly never gets past first use.
- **deeper adoption**: repeat use and either steady use (``deep_weeks`` active weeks of the window and on
  average ``deep_weekly_events`` events a week over it) or breadth (``deep_surfaces`` distinct surfaces;
  for ``any``, distinct tool-surface pairs).

``any`` rows count a person once: access to at least one tool, use of at least one, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from adoption_kit.metrics.query import ANY_TOOL, Grouping, result_keys, run_sql

STAGES = ("access", "first_use", "repeat_use", "deeper_adoption")


@dataclass(frozen=True)
class StageRule:
    """Thresholds of the adoption stages.

    Defaults: repeat use is 2 of the last 4 weeks (DESIGN.md: OpenAI Academy's sequence); deeper adoption
    asks for use in 3 of those 4 weeks with 10 events a week on average (about two a working day: a habit,
    well below the 75 a week of a power user) or 2 surfaces (the person has found a second way to use it).
    A bottleneck is only named for a step that starts from at least ``min_group_size`` people, the
    smallest group the release gate publishes.
    """

    window_weeks: int = 4
    repeat_weeks: int = 2
    deep_weeks: int = 3
    deep_weekly_events: float = 10.0
    deep_surfaces: int = 2
    min_group_size: int = 5


DEFAULT_RULE = StageRule()

_EMPLOYED = """employed AS (
            SELECT person_id FROM people
            WHERE (employed_from IS NULL OR employed_from <= $as_of)
              AND (employed_to IS NULL OR employed_to > $as_of)
        ),
        held AS (
            SELECT person_id, tool, min(assigned_on) AS assigned_on FROM seats
            WHERE assigned_on <= $as_of AND (removed_on IS NULL OR removed_on > $as_of)
              AND person_id IN (SELECT person_id FROM employed)
            GROUP BY ALL
        )"""


def adoption_stages(
    people: pd.DataFrame,
    seats: pd.DataFrame,
    seat_pools: pd.DataFrame,
    activity: pd.DataFrame,
    *,
    by: Grouping = "department",
    as_of: date,
    rule: StageRule = DEFAULT_RULE,
) -> pd.DataFrame:
    """People at each stage per group and tool (and ``any``), zero-filled over the roster's groups.

    Columns ``[by...], tool, stage, people, conversion``: ``conversion`` is ``people`` over the previous
    stage's ``people`` (empty for access and where the previous stage has nobody).
    """
    counts = run_sql(
        _stage_sql(),
        by,
        _stage_parameters(as_of, rule),
        people=people,
        seats=seats,
        seat_pools=seat_pools,
        activity=activity,
    )
    keys = [*result_keys(by), "tool"]
    funnel = counts.melt(id_vars=keys, value_vars=list(STAGES), var_name="stage", value_name="people")
    funnel = funnel.sort_values(keys, kind="stable", ignore_index=True)
    previous = funnel.groupby(keys, sort=False)["people"].shift(1)
    return funnel.assign(
        people=funnel["people"].astype("int64"), conversion=funnel["people"] / previous.where(previous > 0)
    )


def bottleneck_stages(
    funnel: pd.DataFrame, *, by: Grouping = "department", min_group_size: int = DEFAULT_RULE.min_group_size
) -> pd.DataFrame:
    """The step with the lowest conversion per group and tool, the earlier one on a tie.

    Only steps that start from at least ``min_group_size`` people are considered; a group with none gets no
    row. Columns ``[by...], tool, bottleneck, conversion, people`` (``people``: the group's access count).
    """
    keys = [*result_keys(by), "tool"]
    ordered = funnel.assign(order=funnel["stage"].map({stage: i for i, stage in enumerate(STAGES)}))
    ordered = ordered.sort_values([*keys, "order"], ignore_index=True)
    grouped = ordered.groupby(keys, sort=False)["people"]
    ordered = ordered.assign(starting=grouped.shift(1), base=grouped.transform("first"))
    eligible = ordered[ordered["starting"] >= min_group_size]
    lowest = eligible.sort_values([*keys, "conversion", "order"]).groupby(keys, sort=False).head(1)
    result = lowest.rename(columns={"stage": "bottleneck"})[[*keys, "bottleneck", "conversion", "base"]]
    return result.rename(columns={"base": "people"}).sort_values(keys, ignore_index=True)


def time_to_first_use(
    people: pd.DataFrame,
    seats: pd.DataFrame,
    activity: pd.DataFrame,
    *,
    by: Grouping = "department",
    as_of: date,
) -> pd.DataFrame:
    """Days from seat assignment to first use, for seats held on ``as_of`` by people employed then.

    The first use is the date of the person's first activity row up to ``as_of`` (for weekly and monthly
    rows the start of their period, so the delay is a lower bound); use before the seat counts as 0 days.
    For ``any``: from the first seat held to the first use of any tool. Columns ``[by...], tool, people``
    (seat holders), ``used, not_yet`` (no use yet: never a number of days), ``median_days, p75_days``
    (interpolated, over those who used; empty when nobody has).
    """
    sql = f"""
        WITH {_EMPLOYED},
        held_all AS (
            SELECT person_id, tool, assigned_on FROM held
            UNION ALL
            SELECT person_id, '{ANY_TOOL}', min(assigned_on) FROM held GROUP BY person_id
        ),
        first_days AS (SELECT * FROM person_first_days WHERE first_day <= $as_of),
        delays AS (
            SELECT {{keys}}, tool,
                   CASE WHEN first_day >= assigned_on THEN date_diff('day', assigned_on, first_day)
                        WHEN first_day < assigned_on THEN 0 END AS days  -- greatest() would skip a NULL
            FROM held_all JOIN people USING (person_id) LEFT JOIN first_days USING (person_id, tool)
        )
        SELECT {{key_names}}, tool, count(*) AS people, count(days) AS used,
               count(*) - count(days) AS not_yet,
               quantile_cont(days, 0.5) AS median_days, quantile_cont(days, 0.75) AS p75_days
        FROM delays GROUP BY ALL ORDER BY ALL
    """
    return run_sql(sql, by, {"as_of": as_of}, people=people, seats=seats, activity=activity)


def _stage_sql() -> str:
    """Person-level stage flags, counted per group and tool; zero rows for groups and tools nobody reached."""
    return f"""
        WITH {_EMPLOYED},
        tools AS (SELECT tool FROM seats UNION SELECT tool FROM seat_pools UNION SELECT tool FROM activity),
        pooled AS (
            SELECT DISTINCT people.person_id, seat_pools.tool
            FROM seat_pools JOIN people ON people.department = seat_pools.department
            WHERE seat_pools.tool NOT IN (SELECT tool FROM seats) AND purchased > 0
              AND valid_from <= $as_of AND (valid_to IS NULL OR valid_to > $as_of)
        ),
        open_tools AS (
            SELECT tool FROM tools
            WHERE tool NOT IN (SELECT tool FROM seats) AND tool NOT IN (SELECT tool FROM seat_pools)
        ),
        access AS (
            SELECT person_id, tool FROM (
                SELECT person_id, tool FROM held
                UNION SELECT person_id, tool FROM pooled
                UNION SELECT person_id, tool FROM people CROSS JOIN open_tools
            ) WHERE person_id IN (SELECT person_id FROM employed)
        ),
        access_all AS (SELECT person_id, tool FROM access UNION SELECT person_id, '{ANY_TOOL}' FROM access),
        used_all AS (SELECT person_id, tool FROM person_first_days WHERE first_day <= $as_of),
        flags AS (
            SELECT {{keys}}, tool, used_all.person_id IS NOT NULL AS first_use,
                   used_all.person_id IS NOT NULL AND coalesce(weeks, 0) >= $repeat_weeks AS repeat_use,
                   coalesce(weeks, 0) >= $deep_weeks AND coalesce(events, 0) >= $deep_events AS steady,
                   coalesce(surfaces, 0) >= $deep_surfaces AS broad
            FROM access_all JOIN people USING (person_id)
            LEFT JOIN used_all USING (person_id, tool) LEFT JOIN person_habits USING (person_id, tool)
        ),
        counted AS (
            SELECT {{key_names}}, tool, count(*) AS access, count(*) FILTER (WHERE first_use) AS first_use,
                   count(*) FILTER (WHERE repeat_use) AS repeat_use,
                   count(*) FILTER (WHERE repeat_use AND (steady OR broad)) AS deeper_adoption
            FROM flags GROUP BY ALL
        ),
        groups AS (SELECT DISTINCT {{keys}} FROM people),
        cells AS (SELECT * FROM groups CROSS JOIN (SELECT tool FROM tools UNION SELECT '{ANY_TOOL}'))
        SELECT {{key_names}}, tool,
               {", ".join(f"coalesce({stage}, 0) AS {stage}" for stage in STAGES)}
        FROM cells LEFT JOIN counted USING ({{key_names}}, tool)
        ORDER BY ALL
    """


def _stage_parameters(as_of: date, rule: StageRule) -> dict:
    """The window of full ISO weeks ending on or before ``as_of`` and the rule's thresholds."""
    day_after = as_of + timedelta(days=1)
    window_end = day_after - timedelta(days=day_after.weekday())  # the Monday after the last full week
    return {
        "as_of": as_of,
        "window_start": window_end - timedelta(weeks=rule.window_weeks),
        "window_end": window_end,
        "repeat_weeks": rule.repeat_weeks,
        "deep_weeks": rule.deep_weeks,
        "deep_events": rule.deep_weekly_events * rule.window_weeks,
        "deep_surfaces": rule.deep_surfaces,
    }
