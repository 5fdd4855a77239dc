"""Metrics over the workspace: pure functions, frames and keyword-only options in, tidy frames out."""

from adoption_kit.metrics.adoption import (
    ANY_TOOL,
    changes_only_by_joiners_and_leavers,
    events_per_active_user,
    headcount,
    monthly_active_people,
    monthly_active_users,
    seat_activation,
    top_contributors_share,
    weekly_active_users,
)

__all__ = [
    "ANY_TOOL",
    "changes_only_by_joiners_and_leavers",
    "events_per_active_user",
    "headcount",
    "monthly_active_people",
    "monthly_active_users",
    "seat_activation",
    "top_contributors_share",
    "weekly_active_users",
]
