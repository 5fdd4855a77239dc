"""Microsoft 365 Copilot usage user detail: a Graph report snapshot (CSV v1.0, legacy or v2; beta JSON).

One row per licensed user per snapshot with only the *last* day each app was used (FORMATS.md §3).

* Activity: each app's last activity date is a day that user used that app, so it becomes a row on that
  day (grain ``day``, surface the app, events 1: one active day seen). Copilot Chat, Copilot Chat (work) and
  Copilot Chat (web) are one surface, ``copilot_chat``. An overall "Last Activity Date" that no app column
  explains (an app this reader does not know yet) becomes surface ``other``. The v2 "Prompts submitted ..."
  and "Active Usage Days" columns are totals over the report period (7 to 180 days) with no split by day, so
  they cannot be placed on a day without inventing one: they are not read, and events stay 1.
* Coverage: only the refresh day. A snapshot proves who used Copilot on its refresh day; earlier days come
  from earlier snapshots, and successive (daily) snapshots build the series. Rows on earlier days are kept
  where no snapshot covers those days.
* Seats: every listed user holds an ``m365_copilot`` seat. The report does not say since when: assigned_on
  is the refresh date (the first day the seat is seen; ingest keeps the earliest over snapshots).
* Identity: the User Principal Name. When the tenant conceals user names, it is a 32-hex hash and the file's
  identity kind is ``hashed_upn`` (ingest counts those rows as unmatchable). A file mixing readable names
  with hashes is read as ``email``: its hashed rows could never be matched, so they are left out and counted
  in ``dropped`` rather than leaving out people who can be matched. Display names are never read.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources._m365 import Report, field_key, read_report, squash, value_list
from adoption_kit.sources.base import Coverage, Extract
from adoption_kit.sources.fields import Fields

NAME = "m365_copilot_usage"
DESCRIPTION = "Microsoft 365 Copilot usage user detail (Graph report CSV or beta JSON)"
TOOL = "m365_copilot"
REFRESH, UPN, LAST = "reportrefreshdate", "userprincipalname", "lastactivitydate"
REQUIRED = {
    REFRESH: ("Report Refresh Date", "value[].reportRefreshDate"),
    UPN: ("User Principal Name", "value[].userPrincipalName"),
    LAST: ("Last Activity Date", "value[].lastActivityDate"),
}
APPS = {  # squashed last-activity column -> surface
    "copilotchatlastactivitydate": "copilot_chat",
    "copilotchatworklastactivitydate": "copilot_chat",
    "copilotchatweblastactivitydate": "copilot_chat",
    "microsoftteamscopilotlastactivitydate": "teams",
    "wordcopilotlastactivitydate": "word",
    "excelcopilotlastactivitydate": "excel",
    "powerpointcopilotlastactivitydate": "powerpoint",
    "outlookcopilotlastactivitydate": "outlook",
    "onenotecopilotlastactivitydate": "onenote",
    "loopcopilotlastactivitydate": "loop",
    "microsoft365copilotlastactivitydate": "m365_copilot_app",
    "edgelastactivitydate": "edge",
    "copilotagentlastactivitydate": "agent",
}
NOT_READ = (
    "Display Name",
    "Report Period",
    "copilotActivityUserDetailsByPeriod",
    "Prompts submitted for all apps",
    "Prompts submitted for Copilot Chat (work)",
    "Prompts submitted for Copilot Chat (web)",
    "Active Usage Days for all apps",
)
IDENTIFIERS = frozenset([UPN, "displayname"])
FIELDS = Fields(
    identifiers=IDENTIFIERS,
    passed=frozenset([*REQUIRED, *APPS, *map(squash, NOT_READ)]) - IDENTIFIERS,
    required=frozenset([UPN]),
    spelling=field_key,
)
HASHED = r"[0-9A-Fa-f]{32}"
CONCEALED = "user names concealed (hashed) among readable ones: cannot be matched"
ACTIVITY = ["identity", "tool", "day", "grain", "surface", "events"]


def sniff(head: str) -> bool:
    """Only this report has per-app "... Copilot Last Activity Date" columns (any spelling)."""
    return "copilotlastactivitydate" in squash(head)


@FIELDS.checked
def read(path: Path) -> Extract:
    """Activity on each app's last day of use, seats for every listed user, coverage of the refresh day."""
    report = read_report(path, json_records=_json_records)
    report.require(REQUIRED)
    refresh = report.column(REFRESH, "date")
    report.fail_first(refresh.isna(), REFRESH, expected="a report refresh date on every row")
    upn = report.column(UPN, "text")
    hashed = upn.str.fullmatch(HASHED).fillna(False).astype(bool)
    report.fail_first(
        upn.isna() | ~(hashed | upn.str.contains("@", regex=False).fillna(False)),
        UPN,
        expected="a user principal name (name@domain) or a concealed 32-hex name on every row",
    )
    report.fail_first(
        pd.DataFrame({"upn": upn.str.lower(), "refresh": refresh}).duplicated(),
        UPN,
        expected="one row per user and report refresh date",
    )
    dates = _last_days(report, refresh)
    identity = "hashed_upn" if len(upn) and hashed.all() else "email"
    keep = ~hashed if identity == "email" else hashed
    tables = {
        "activity": _activity(upn[keep], dates.loc[keep]),
        "seats": _seats(upn[keep], refresh[keep]),
    }
    days = sorted(refresh.unique())
    return Extract(
        NAME,
        path,
        identity,
        len(upn),
        tables,
        coverage=tuple(Coverage(TOOL, "day", pd.Timestamp(day), pd.Timestamp(day)) for day in days),
        exported_at=pd.Timestamp(days[-1]) if days else None,
        fields=report.fields,
        dropped={CONCEALED: int((~keep).sum())} if (~keep).any() else {},
    )


def _json_records(document: object, path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    frame = pd.DataFrame.from_records(value_list(document, path))
    return frame, {name: f"value[].{name}" for name in frame.columns}


def _last_days(report: Report, refresh: pd.Series) -> pd.DataFrame:
    """The overall and per-app last activity dates, each checked to fall on or before the refresh date."""
    columns = [LAST, *(key for key in APPS if key in report.frame.columns)]
    dates = pd.DataFrame({key: report.column(key, "day") for key in columns}, index=report.frame.index)
    for key in columns:
        report.fail_first(
            dates[key] > refresh, key, expected="a last activity date on or before the report refresh date"
        )
    return dates


def _activity(upn: pd.Series, dates: pd.DataFrame) -> pd.DataFrame:
    """One row per user, day and surface; the overall last day counts as ``other`` when no app explains it."""
    apps = dates.drop(columns=LAST)
    unexplained = dates[LAST].where(~apps.eq(dates[LAST], axis=0).any(axis=1))
    wide = apps.assign(other=unexplained).set_axis(upn.to_numpy())
    long = wide.melt(ignore_index=False, var_name="column", value_name="day").dropna(subset=["day"])
    long = long.rename_axis("identity").reset_index()
    surface = long["column"].map({**APPS, "other": "other"})
    activity = long.assign(tool=TOOL, grain="day", surface=surface, events=1)[ACTIVITY]
    return activity.drop_duplicates(["identity", "day", "surface"], ignore_index=True)


def _seats(upn: pd.Series, refresh: pd.Series) -> pd.DataFrame:
    """Every listed user holds a seat, seen first on the earliest refresh date that lists them."""
    seats = pd.DataFrame({"identity": upn, "assigned_on": refresh}).groupby("identity", as_index=False).min()
    return seats.assign(tool=TOOL, removed_on=pd.NaT, plan=None)[
        ["identity", "tool", "assigned_on", "removed_on", "plan"]
    ].astype({"removed_on": "datetime64[s]"})
