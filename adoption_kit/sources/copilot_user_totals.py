"""GitHub Copilot users report as totals per user over a window, with no days (``user_totals`` JSON).

``{report_start_day, report_end_day | report_day, organization_id, enterprise_id, created_at, user_totals:
[{login, total_active_days, user_initiated_interaction_count, ...}]}`` or a JSON array of such reports (the
metrics viewer's mocks of the users-1-day and users-28-day reports). A user's total over 28 days cannot be
placed on any of those days, so no person-level activity is made from it (none is invented). Each report
becomes aggregates of its organisation (else its enterprise) on its last day, grain "day", for the window
ending that day; the metric names carry the window's length in days (``active_users_28_day``: users with at
least one active day in the window; ``active_days_28_day``: their active days added up; and the sums of the
interaction, code and lines counts and AI credits), so they never mix with the daily organisation report's
metrics. No coverage. Logins are only counted, never kept.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources._canonical import GROUP
from adoption_kit.sources.base import Extract
from adoption_kit.sources.copilot_users import USAGE_DETAIL
from adoption_kit.sources.fields import Fields

NAME = "github_copilot_user_totals"
DESCRIPTION = "GitHub Copilot users report with per-user totals over its window, no days (user_totals JSON)"
TOOL = "github_copilot"
KEY = "user_totals"
PREFIX = f"{KEY}[]."
ACTIVE_DAYS = "total_active_days"
SUMS = {
    ACTIVE_DAYS: "active_days",
    "user_initiated_interaction_count": "user_initiated_interaction_count",
    "code_generation_activity_count": "code_generation_activity_count",
    "code_acceptance_activity_count": "code_acceptance_activity_count",
    "loc_suggested_to_add_sum": "loc_suggested_to_add_sum",
    "loc_suggested_to_delete_sum": "loc_suggested_to_delete_sum",
    "loc_added_sum": "loc_added_sum",
    "loc_deleted_sum": "loc_deleted_sum",
    "ai_credits_used": "ai_credits_used",
}
KINDS = {"ai_credits_used": "float"}  # the rest are whole counts
REPORT_KEYS = (
    "report_start_day",
    "report_end_day",
    "report_day",
    "organization_id",
    "enterprise_id",
    "created_at",
)
KNOWN = frozenset(
    [
        *SUMS,
        *REPORT_KEYS,
        *USAGE_DETAIL,
        "login",
        "user_login",
        "user_id",
        "ai_adoption_phase.phase_number",
        "ai_adoption_phase.phase",
        "ai_adoption_phase.version",
    ]
)

IDENTIFIERS = frozenset(["login", "user_login", "user_id"])
FIELDS = Fields(identifiers=IDENTIFIERS, passed=KNOWN - IDENTIFIERS | {*REPORT_KEYS, KEY})


def sniff(head: str) -> bool:
    """A report whose users come as totals over its window (the day-by-day reports have ``day`` rows)."""
    return api_json.is_json(head) and f'"{KEY}"' in head


@FIELDS.checked
def read(path: Path) -> Extract:
    """Active users, active days and activity counts per organisation (or enterprise) and window."""
    reports = [report for report in api_json.documents(path) if isinstance(report, dict)]
    users = [
        {**{key: report.get(key) for key in REPORT_KEYS}, **user} if isinstance(user, dict) else user
        for report in reports
        for user in (report.get(KEY) or [])
    ]
    frame = api_json.flat(api_json.records([{KEY: users}], key=KEY, path=path))
    login = _login(frame)
    api_json.require(frame.assign(login=login), ["login", ACTIVE_DAYS], path=path, prefix=PREFIX)
    window = _window(frame, path)
    values = pd.DataFrame(
        {
            name: api_json.parse(frame, column, KINDS.get(column, "int"), path=path, prefix=PREFIX)
            for column, name in SUMS.items()
        },
        index=frame.index,
    )
    active = values["active_days"].gt(0).fillna(False).astype(bool)
    first_in_window = ~pd.DataFrame({"login": login, **window}).duplicated(
        ["login", "scope_id", "day", "days"]
    )
    values["active_users"] = (active & first_in_window).astype("float64")
    return Extract(
        NAME,
        path,
        None,
        len(frame),
        {"aggregates": _aggregates(values, window)},
        exported_at=_exported_at(frame),
        fields=tuple(frame.columns) + tuple({key for report in reports for key in report}),
    )


def _login(frame: pd.DataFrame) -> pd.Series:
    """Each user's login (``login`` in the mocks, ``user_login`` in GitHub's own files)."""
    login = frame.get("login", pd.Series(pd.NA, index=frame.index, dtype="object"))
    return login.where(login.notna(), frame.get("user_login"))


def _window(frame: pd.DataFrame, path: Path) -> dict[str, pd.Series]:
    """Each user's report: its organisation (else enterprise), its last day and its length in days."""
    one_day = frame.get("report_day", pd.Series(pd.NA, index=frame.index, dtype="object"))
    dated = frame.assign(
        report_end_day=frame.get("report_end_day", one_day).where(lambda end: end.notna(), one_day),
        report_start_day=frame.get("report_start_day", one_day).where(lambda start: start.notna(), one_day),
    )
    api_json.require(dated, ["report_end_day", "report_start_day"], path=path, prefix="")
    end = api_json.parse(dated, "report_end_day", "day", path=path, prefix="")
    start = api_json.parse(dated, "report_start_day", "date", path=path, prefix="")
    days = (end - start).dt.days + 1
    api_json.fail_first(
        dated["report_start_day"],
        days.lt(1),
        path=path,
        column="report_start_day",
        expected="a first day on or before the last",
    )
    organisation = frame.get("organization_id", pd.Series(pd.NA, index=frame.index, dtype="object"))
    enterprise = frame.get("enterprise_id", pd.Series(pd.NA, index=frame.index, dtype="object"))
    scope_id = organisation.where(organisation.notna(), enterprise)
    api_json.fail_first(
        scope_id,
        scope_id.isna(),
        path=path,
        column="organization_id",
        expected="an organization_id or enterprise_id on the report",
    )
    return {
        "scope": organisation.notna().map({True: "organisation", False: "enterprise"}),
        "scope_id": scope_id.astype("str"),
        "day": end,
        "days": days.astype("int64"),
    }


def _aggregates(values: pd.DataFrame, window: dict[str, pd.Series]) -> pd.DataFrame:
    """One row per organisation, window and metric; metric names end with the window's length."""
    long = (
        values.assign(tool=TOOL, grain="day", **window)
        .melt(id_vars=[*GROUP, "days"], var_name="measure")
        .dropna(subset=["value"])
    )
    long = long.assign(metric=long["measure"] + "_" + long["days"].astype("str") + "_day")
    summed = long.groupby([*GROUP, "metric"], as_index=False, sort=True)["value"].sum()
    return summed.astype({"value": "float64"})


def _exported_at(frame: pd.DataFrame) -> pd.Timestamp | None:
    """When GitHub produced the newest report (its ``created_at``)."""
    moments = pd.to_datetime(frame.get("created_at"), utc=True, format="ISO8601", errors="coerce")
    if moments is None or moments.dropna().empty:
        return None
    return pd.Timestamp(moments.max()).tz_convert(None).floor("s")
