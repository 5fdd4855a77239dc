"""GitHub Copilot usage metrics: the organisation or enterprise report (FORMATS.md §1a, org/enterprise file).

A 28-day report ``{report_start_day, report_end_day, organization_id | enterprise_id, created_at,
day_totals: [...]}``, a 1-day report (the same with one day, or a flat day object), or a JSON array of such
reports. Every day is group-level: active-user counts, interaction and code counts, the CLI's totals and the
pull-request figures (``pull_requests.total_created`` becomes metric ``pull_requests_total_created``) are
aggregates of the organisation (when the day names one) or else the enterprise. It never yields activity:
per-person days come from the users reports (``copilot_users``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources._canonical import aggregates
from adoption_kit.sources.base import Extract
from adoption_kit.sources.copilot_users import ACTIVITY_COUNTS
from adoption_kit.sources.fields import Fields

NAME = "github_copilot_org_metrics"
DESCRIPTION = "GitHub Copilot usage-metrics organisation or enterprise report (JSON)"
TOOL = "github_copilot"
PREFIX = "day_totals[]."
USER_COUNTS = [
    "daily_active_users",
    "weekly_active_users",
    "monthly_active_users",
    "monthly_active_chat_users",
    "monthly_active_agent_users",
    "daily_active_cli_users",
    *(
        f"{period}_{kind}_{feature}_users"
        for feature, kinds in (
            ("copilot_code_review", ("active", "passive")),
            ("copilot_cloud_agent", ("active",)),
        )
        for kind in kinds
        for period in ("daily", "weekly", "monthly")
    ),
]
PULL_REQUESTS = [
    "total_created",
    "total_reviewed",
    "total_merged",
    "median_minutes_to_merge",
    "total_suggestions",
    "total_applied_suggestions",
    "total_created_by_copilot",
    "total_reviewed_by_copilot",
    "total_merged_created_by_copilot",
    "total_merged_reviewed_by_copilot",
    "median_minutes_to_merge_copilot_authored",
    "median_minutes_to_merge_copilot_reviewed",
    "total_copilot_suggestions",
    "total_copilot_applied_suggestions",
]
CLI = {
    "totals_by_cli.session_count": "cli_session_count",
    "totals_by_cli.request_count": "cli_request_count",
    "totals_by_cli.prompt_count": "cli_prompt_count",
    "totals_by_cli.token_usage.prompt_tokens_sum": "cli_prompt_tokens_sum",
    "totals_by_cli.token_usage.output_tokens_sum": "cli_output_tokens_sum",
}
METRICS = (
    {name: name for name in [*USER_COUNTS, *ACTIVITY_COUNTS]}
    | {f"pull_requests.{name}": f"pull_requests_{name}" for name in PULL_REQUESTS}
    | CLI
)
NOT_READ = [
    "day",
    "organization_id",
    "enterprise_id",
    "report_start_day",
    "report_end_day",
    "created_at",
    "etl_id",
    "day_partition",
    "entity_id_partition",
    "totals_by_ide",
    "totals_by_feature",
    "totals_by_language_feature",
    "totals_by_language_model",
    "totals_by_model_feature",
    "totals_by_copilot_app",
    "totals_by_3rd_party_agent",
    "pull_requests.copilot_suggestions_by_comment_type",
    "totals_by_cli.token_usage.avg_tokens_per_request",
    "totals_by_cli.last_known_cli_version.cli_version",
    "totals_by_cli.last_known_cli_version.sampled_at",
]
KNOWN = frozenset([*METRICS, *NOT_READ])
FIELDS = Fields(passed=KNOWN)
REPORT_KEYS = ("organization_id", "enterprise_id", "created_at", "report_end_day")
PERSON_KEYS = ('"user_login"', '"user_id"', '"login"', '"user_totals"')


def sniff(head: str) -> bool:
    """Days of group totals (daily active users), with no person in them (the users reports have logins)."""
    days = '"day_totals"' in head or '"daily_active_users"' in head
    return api_json.is_json(head) and days and not any(key in head for key in PERSON_KEYS)


@FIELDS.checked
def read(path: Path) -> Extract:
    """One aggregates row per organisation (or enterprise), day and metric."""
    reports = [_with_report_keys(r) if isinstance(r, dict) else r for r in api_json.documents(path)]
    days = api_json.records(reports, key="day_totals", path=path)
    frame = api_json.flat(days)
    api_json.require(frame, ["day"], path=path, prefix=PREFIX)
    scope, scope_id = _scope(frame, path)
    values = pd.DataFrame(
        {column: api_json.parse(frame, column, "float", path=path, prefix=PREFIX) for column in METRICS},
        index=frame.index,
    )
    group = values.assign(
        tool=TOOL,
        scope=scope,
        scope_id=scope_id,
        day=api_json.parse(frame, "day", "day", path=path, prefix=PREFIX),
        grain="day",
    )
    # Reports that overlap give the same day twice: its figures are levels, not counts to add up.
    group = group.drop_duplicates(["scope", "scope_id", "day"], keep="last")
    return Extract(
        NAME,
        path,
        None,
        len(frame),
        {"aggregates": aggregates(group, METRICS)},
        exported_at=_exported_at(frame),
        fields=tuple(frame.columns),
    )


def _with_report_keys(report: dict) -> dict:
    """A report whose days carry its ids and production time (a flat 1-day object is its own day)."""
    if not isinstance(report.get("day_totals"), list):
        return report
    inherited = {key: report[key] for key in REPORT_KEYS if key in report}
    return {
        **report,
        "day_totals": [
            {**inherited, **day} if isinstance(day, dict) else day for day in report["day_totals"]
        ],
    }


def _scope(frame: pd.DataFrame, path: Path) -> tuple[pd.Series, pd.Series]:
    """The organisation a day names, else its enterprise; a day naming neither is refused."""
    organisation = frame.get("organization_id", pd.Series(pd.NA, index=frame.index, dtype="object"))
    enterprise = frame.get("enterprise_id", pd.Series(pd.NA, index=frame.index, dtype="object"))
    scope_id = organisation.where(organisation.notna(), enterprise)
    api_json.fail_first(
        scope_id,
        scope_id.isna(),
        path=path,
        column=f"{PREFIX}organization_id",
        expected="an organization_id or enterprise_id on the day or its report",
    )
    scope = organisation.notna().map({True: "organisation", False: "enterprise"})
    return scope, scope_id.astype("str")


def _exported_at(frame: pd.DataFrame) -> pd.Timestamp | None:
    """When GitHub produced the newest report: its created_at, else its last day."""
    for column in ("created_at", "report_end_day"):
        if column in frame.columns and frame[column].notna().any():
            moments = pd.to_datetime(frame[column], utc=True, format="ISO8601", errors="coerce").dropna()
            if len(moments):
                return pd.Timestamp(moments.max()).tz_convert(None).floor("s")
    return None
