"""Metrics over the workspace: pure functions, frames and keyword-only options in, tidy frames out.

One vocabulary throughout: ``by`` (a roster attribute, a tuple of them, or None for the organisation),
``tool`` (a tool, or ``"any"``), the period (``week``, ``month`` or an ``as_of`` day). Person-level work
is SQL run by :mod:`adoption_kit.metrics.query`, the one module that knows the engine.
"""

from adoption_kit.metrics.adoption import (
    changes_only_by_joiners_and_leavers,
    events_per_active_user,
    headcount,
    monthly_active_people,
    monthly_active_users,
    seat_activation,
    top_contributors_share,
    weekly_active_users,
)
from adoption_kit.metrics.benchmarks import (
    BenchmarkRule,
    observed_metrics,
    place_against_benchmarks,
    read_benchmarks,
)
from adoption_kit.metrics.consumption import (
    ConsumptionRule,
    hourly_profile,
    peak_headroom,
    throttled_requests,
    weekday_profile,
)
from adoption_kit.metrics.cost import (
    SeatRule,
    allocate_idle_seats,
    cost_per_active_user,
    seat_reallocation,
    seat_use,
)
from adoption_kit.metrics.cross_tool import (
    CrossToolOptions,
    active_people_by_tool_count,
    tool_count_distribution,
    tool_moves,
    tool_overlaps,
)
from adoption_kit.metrics.daily import TrendRule, active_users_trend, daily_active_users
from adoption_kit.metrics.movers import MoverRule, month_over_month
from adoption_kit.metrics.outcomes import outcome_effects, outcome_event_study, outcome_sentences
from adoption_kit.metrics.outcomes_panel import OutcomeRule, outcome_panel, with_adoption
from adoption_kit.metrics.power_users import PowerUserRule, power_users
from adoption_kit.metrics.query import ANY_TOOL, GROUPABLE, result_keys
from adoption_kit.metrics.stages import (
    STAGES,
    StageRule,
    adoption_stages,
    bottleneck_stages,
    time_to_first_use,
)
from adoption_kit.metrics.use_cases import use_case_mix

__all__ = [
    "ANY_TOOL",
    "GROUPABLE",
    "STAGES",
    "BenchmarkRule",
    "ConsumptionRule",
    "CrossToolOptions",
    "MoverRule",
    "OutcomeRule",
    "PowerUserRule",
    "SeatRule",
    "StageRule",
    "TrendRule",
    "active_users_trend",
    "allocate_idle_seats",
    "adoption_stages",
    "bottleneck_stages",
    "changes_only_by_joiners_and_leavers",
    "cost_per_active_user",
    "daily_active_users",
    "events_per_active_user",
    "headcount",
    "hourly_profile",
    "month_over_month",
    "monthly_active_people",
    "monthly_active_users",
    "observed_metrics",
    "outcome_effects",
    "outcome_event_study",
    "outcome_panel",
    "outcome_sentences",
    "peak_headroom",
    "place_against_benchmarks",
    "power_users",
    "read_benchmarks",
    "seat_activation",
    "seat_reallocation",
    "seat_use",
    "result_keys",
    "throttled_requests",
    "time_to_first_use",
    "active_people_by_tool_count",
    "tool_count_distribution",
    "tool_moves",
    "tool_overlaps",
    "top_contributors_share",
    "use_case_mix",
    "weekday_profile",
    "weekly_active_users",
    "with_adoption",
]
