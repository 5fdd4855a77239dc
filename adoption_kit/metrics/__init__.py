"""Metrics over the workspace: pure functions, frames and keyword-only options in, tidy frames out."""

from adoption_kit.metrics.adoption import (
    events_per_active_user,
    headcount,
    monthly_active_users,
    seat_activation,
    weekly_active_users,
)

__all__ = [
    "events_per_active_user",
    "headcount",
    "monthly_active_users",
    "seat_activation",
    "weekly_active_users",
]
