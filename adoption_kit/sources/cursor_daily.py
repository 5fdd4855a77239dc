"""Cursor Admin API: the ``/teams/daily-usage-data`` response (FORMATS.md §5), one row per user and day.

A day the user was active becomes activity by surface: accepted tab completions (code_completion), chat and
inline-edit requests (ide_chat), agent and composer requests (agent); a day active with none of these is
kept as surface "other" with no events. The day's accepted lines sit on one of its rows so sums stay right.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources.base import Coverage, Extract
from adoption_kit.sources.fields import Fields

NAME = "cursor_daily_usage"
DESCRIPTION = "Cursor Admin API daily usage data (teams/daily-usage-data JSON)"
TOOL = "cursor"
PREFIX = "data[]."
SURFACES = {  # in the order that picks the row carrying the day's accepted lines
    "agent": ("agentRequests", "composerRequests"),
    "ide_chat": ("chatRequests", "cmdkUsages"),
    "code_completion": ("totalTabsAccepted",),
}
IDLE = "other"
COUNTS = (
    "totalLinesAdded",
    "totalLinesDeleted",
    "acceptedLinesAdded",
    "acceptedLinesDeleted",
    "totalApplies",
    "totalAccepts",
    "totalRejects",
    "totalTabsShown",
    "totalTabsAccepted",
    "composerRequests",
    "chatRequests",
    "agentRequests",
    "cmdkUsages",
    "subscriptionIncludedReqs",
    "apiKeyReqs",
    "usageBasedReqs",
    "bugbotUsages",
)
KNOWN = frozenset(
    [
        "date",
        "day",
        "userId",
        "email",
        "isActive",
        "mostUsedModel",
        "applyMostUsedExtension",
        "tabMostUsedExtension",
        "clientVersion",
        *COUNTS,
    ]
)
IDENTIFIERS = frozenset(["email", "userId"])
FIELDS = Fields(identifiers=IDENTIFIERS, passed=KNOWN - IDENTIFIERS, required=frozenset(["email"]))
ACTIVE = {True: True, False: False, "true": True, "false": False}
MS_PER_DAY = 86_400_000


def sniff(head: str) -> bool:
    """Daily usage rows say whether the user was active and count accepted tabs or lines."""
    return (
        api_json.is_json(head)
        and '"isActive"' in head
        and ('"totalTabsAccepted"' in head or '"acceptedLinesAdded"' in head)
    )


@FIELDS.checked
def read(path: Path) -> Extract:
    """Activity per email, day and surface; coverage of the response's period."""
    pages = api_json.documents(path)
    frame = api_json.flat(api_json.records(pages, key="data", path=path))
    day_key = "date" if "date" in frame.columns or "day" not in frame.columns else "day"
    api_json.require(frame, ["email", day_key, "isActive"], path=path, prefix=PREFIX)
    active = frame["isActive"].map(ACTIVE)
    api_json.fail_first(
        frame["isActive"], active.isna(), path=path, column=f"{PREFIX}isActive", expected="true or false"
    )
    days = api_json.parse(
        frame.assign(**{day_key: _iso_days(frame[day_key])}), day_key, "day", path=path, prefix=PREFIX
    )
    counts = pd.DataFrame(
        {column: api_json.parse(frame, column, "int", path=path, prefix=PREFIX) for column in COUNTS},
        index=frame.index,
    )
    rows = active.astype(bool)
    activity = _activity(frame.loc[rows, "email"], days.loc[rows], counts.loc[rows])
    return Extract(
        NAME,
        path,
        "email",
        len(frame),
        {"activity": activity},
        coverage=_coverage(pages, days),
        fields=tuple(frame.columns),
    )


def _iso_days(values: pd.Series) -> pd.Series:
    """Epoch milliseconds (numbers or digit strings) as ISO days; other values are left to the day parser."""
    text = values.astype("str").str.strip().where(values.notna())
    epoch = text.str.fullmatch(r"\d+(\.0+)?").fillna(False).astype(bool)
    millis = pd.to_numeric(text.where(epoch), errors="coerce")
    return text.where(~epoch, pd.to_datetime(millis, unit="ms").dt.strftime("%Y-%m-%d"))


def _activity(emails: pd.Series, days: pd.Series, counts: pd.DataFrame) -> pd.DataFrame:
    """One row per active user-day and surface with events; idle active days as surface "other"."""
    wide = pd.DataFrame(
        {surface: counts[list(columns)].sum(axis=1, min_count=1) for surface, columns in SURFACES.items()},
        index=counts.index,
    )
    idle = ~wide.gt(0).any(axis=1)
    wide = wide.fillna(0).astype("int64").assign(**{IDLE: 0})
    long = wide.rename_axis("row").reset_index().melt(id_vars="row", var_name="surface", value_name="events")
    long = long.loc[long["events"].gt(0) | long["surface"].eq(IDLE) & long["row"].map(idle)]
    long = long.sort_values("row", kind="stable")  # surfaces stay in SURFACES order within a row
    first = ~long["row"].duplicated()
    activity = pd.DataFrame(
        {
            "identity": emails.reindex(long["row"]).to_numpy(),
            "tool": TOOL,
            "day": days.reindex(long["row"]).to_numpy(),
            "grain": "day",
            "surface": long["surface"].to_numpy(),
            "events": long["events"].astype("int64").to_numpy(),
            "lines_accepted": counts["acceptedLinesAdded"]
            .reindex(long["row"])
            .where(first.to_numpy())
            .to_numpy(),
        }
    )
    keys = ["identity", "tool", "day", "grain", "surface"]
    summed = activity.groupby(keys, as_index=False, sort=False)[["events", "lines_accepted"]].sum(min_count=1)
    return summed.astype({"lines_accepted": "Int64"})


def _coverage(pages: list[object], days: pd.Series) -> tuple[Coverage, ...]:
    """The whole days of the response's period (end exclusive), else its first to last day.

    One page of several (``pagination.hasNextPage``) is not the full account of any day.
    """
    envelopes = [page for page in pages if isinstance(page, dict) and "data" in page]
    if any((page.get("pagination") or {}).get("hasNextPage") for page in envelopes) or days.empty:
        return ()
    periods = [page["period"] for page in envelopes if isinstance(page.get("period"), dict)]
    starts = pd.to_numeric(pd.Series([p.get("startDate") for p in periods], dtype="object"), errors="coerce")
    ends = pd.to_numeric(pd.Series([p.get("endDate") for p in periods], dtype="object"), errors="coerce")
    if periods and starts.notna().all() and ends.notna().all():
        first = _midnight(int(starts.min()) + MS_PER_DAY - 1)  # a start after midnight skips its day
        last = _midnight(int(ends.max()) + 1) - pd.Timedelta(days=1)  # the end is exclusive (or 23:59:59.999)
    else:
        first, last = pd.Timestamp(days.min()), pd.Timestamp(days.max())
    return (Coverage(TOOL, "day", first, last),) if first <= last else ()


def _midnight(epoch_ms: int) -> pd.Timestamp:
    """The UTC day an epoch time in milliseconds falls on."""
    return pd.Timestamp(epoch_ms, unit="ms").floor("D").as_unit("s")
