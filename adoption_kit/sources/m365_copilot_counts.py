"""Microsoft 365 Copilot user counts: the Graph summary or trend report (CSV or beta JSON), FORMATS.md §3.

Tenant-wide counts of enabled and active users per app: group-level data, so they become ``aggregates``
(scope ``organisation``, scope_id ``tenant``: the report names no tenant) and never person rows. Metrics
are ``<app>_enabled_users`` and ``<app>_active_users`` with the apps named as the user detail's surfaces
(teams, word, excel, powerpoint, outlook, onenote, loop, copilot_chat, any_app).

* Trend (a "Report Date" per row): the counts of each day, on that day, grain ``day``.
* Summary: counts over the report period that ends on the refresh date (7 to 180 days). They are not daily
  counts, so the period is part of the metric (``word_active_users_7d``), on the refresh date, grain ``day``.

Empty cells are left out (not zeros). ``exported_at`` is the latest refresh date.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError
from adoption_kit.sources._m365 import field_key, read_report, squash, value_list
from adoption_kit.sources.base import Extract
from adoption_kit.sources.fields import Fields

NAME = "m365_copilot_user_counts"
DESCRIPTION = "Microsoft 365 Copilot user count summary or trend (Graph report CSV or beta JSON)"
TOOL = "m365_copilot"
SCOPE, SCOPE_ID = "organisation", "tenant"
REFRESH, PERIOD, DATE = "reportrefreshdate", "reportperiod", "reportdate"
APPS = {  # squashed app prefix -> the app's name in metrics
    "microsoftteams": "teams",
    "word": "word",
    "excel": "excel",
    "powerpoint": "powerpoint",
    "outlook": "outlook",
    "onenote": "onenote",
    "loop": "loop",
    "copilotchat": "copilot_chat",
    "anyapp": "any_app",
}
MEASURES = {"enabledusers": "enabled_users", "activeusers": "active_users"}
METRICS = {
    app + measure: f"{name}_{label}" for app, name in APPS.items() for measure, label in MEASURES.items()
}
FIELDS = Fields(passed=frozenset([REFRESH, PERIOD, DATE, *METRICS]), spelling=field_key)
LISTS = ("adoptionByDate", "adoptionByProduct")  # trend, summary


def sniff(head: str) -> bool:
    """Only these reports count "... Enabled Users" next to "... Active Users" (any spelling)."""
    squashed = squash(head)
    return "enabledusers" in squashed and "activeusers" in squashed


@FIELDS.checked
def read(path: Path) -> Extract:
    """One aggregate per day (or refresh date and period), app and measure."""
    report = read_report(path, json_records=_json_records)
    trend = DATE in report.frame.columns
    required = {REFRESH: ("Report Refresh Date", "value[].reportRefreshDate")}
    if not trend:
        required[PERIOD] = ("Report Period", "value[].adoptionByProduct[].reportPeriod")
    report.require(required)
    refresh = report.column(REFRESH, "date")
    report.fail_first(refresh.isna(), REFRESH, expected="a report refresh date on every row")
    if trend:
        day, suffix = report.column(DATE, "date"), pd.Series("", index=report.frame.index)
        report.fail_first(day.isna(), DATE, expected="a report date on every row")
    else:
        period = report.column(PERIOD, "int")
        report.fail_first(period.isna() | period.eq(0), PERIOD, expected="a report period in days")
        day, suffix = refresh, "_" + period.astype("str") + "d"
    report.fail_first(
        pd.DataFrame({"day": day, "suffix": suffix}).duplicated(),
        DATE if trend else PERIOD,
        expected="one row per report date" if trend else "one row per report period",
    )
    metrics = [key for key in METRICS if key in report.frame.columns]
    if not metrics:
        raise InputFileError(
            "no user counts", path=path, expected="columns such as 'Word Enabled Users', 'Word Active Users'"
        )
    values = pd.DataFrame({key: report.column(key, "int") for key in metrics}, index=report.frame.index)
    long = values.assign(day=day, suffix=suffix).melt(id_vars=["day", "suffix"], var_name="key")
    long = long.dropna(subset=["value"])
    aggregates = pd.DataFrame(
        {
            "tool": TOOL,
            "scope": SCOPE,
            "scope_id": SCOPE_ID,
            "day": long["day"],
            "grain": "day",
            "metric": long["key"].map(METRICS) + long["suffix"],
            "value": long["value"].astype("float64"),
        }
    ).reset_index(drop=True)
    return Extract(
        NAME,
        path,
        None,
        len(report.frame),
        {"aggregates": aggregates},
        exported_at=pd.Timestamp(refresh.max()) if len(refresh) else None,
        fields=report.fields,
    )


def _json_records(document: object, path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """One record per day (trend) or period (summary) with its report's refresh date; errors number these."""
    values = value_list(document, path)
    name = next((key for key in LISTS if any(key in record for record in values)), LISTS[-1])
    for number, record in enumerate(values, start=1):
        items = record.get(name)
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise InputFileError(
                f"no list {name!r}",
                path=path,
                row=number,
                column=f"value[].{name}",
                expected="a list of objects",
            )
    rows = [
        {**{k: v for k, v in record.items() if k not in LISTS}, **item}
        for record in values
        for item in record[name]
    ]
    frame = pd.DataFrame.from_records(rows)
    parent = {key for record in values for key in record if key not in LISTS}
    labels = {
        column: f"value[].{column}" if column in parent else f"value[].{name}[].{column}"
        for column in frame.columns
    }
    return frame, labels
