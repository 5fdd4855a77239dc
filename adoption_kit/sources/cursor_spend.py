"""Cursor Admin API: the ``/teams/spend`` response (FORMATS.md §5), each member's spend this billing cycle.

``{teamMemberSpend: [...], subscriptionCycleStart, totalMembers, totalPages}`` or a JSON array of pages. A
member with premium requests or spend in the cycle has one activity row of grain "month" on the cycle's
first day (``subscriptionCycleStart``, epoch milliseconds, as a UTC day): fast premium requests as events on
the "premium_requests" surface and the spend in dollars (``spendCents`` / 100). Members with neither used no
premium requests and are left out (counted as dropped); names and roles are never read. The cycle is still
running when the response is made and pages may be missing, so there is no coverage.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources._canonical import utc_days
from adoption_kit.sources.base import Extract
from adoption_kit.sources.fields import Fields

NAME = "cursor_spend"
DESCRIPTION = "Cursor Admin API team spend for the current billing cycle (teams/spend JSON)"
TOOL = "cursor"
SURFACE = "premium_requests"
KEY = "teamMemberSpend"
PREFIX = f"{KEY}[]."
CYCLE = "subscriptionCycleStart"
CENTS_PER_DOLLAR = 100
IDLE_DROPPED = "members with no premium requests and no spend this cycle"
KNOWN = frozenset(
    [
        "email",
        "spendCents",
        "fastPremiumRequests",
        "name",
        "role",
        "userId",
        "includedSpendCents",
        "hardLimitOverrideDollars",
        "monthlyLimitDollars",
    ]
)
IDENTIFIERS = frozenset(["email", "name", "userId"])
FIELDS = Fields(
    identifiers=IDENTIFIERS, passed=KNOWN - IDENTIFIERS | {"_page"}, required=frozenset(["email"])
)
COLUMNS = ["identity", "tool", "day", "grain", "surface", "events", "cost_usd"]


def sniff(head: str) -> bool:
    """A page of team members' spend."""
    return api_json.is_json(head) and f'"{KEY}"' in head


@FIELDS.checked
def read(path: Path) -> Extract:
    """Premium requests and spend per member email, on the billing cycle's first day."""
    pages = [page for page in api_json.documents(path) if isinstance(page, dict)]
    cycles = _cycle_days(pages, path)
    members = [
        {**member, "_page": number} if isinstance(member, dict) else member
        for number, page in enumerate(pages)
        for member in (page.get(KEY) or [])
    ]
    frame = api_json.flat(api_json.records([{KEY: members}], key=KEY, path=path))
    api_json.require(frame, ["email", "fastPremiumRequests"], path=path, prefix=PREFIX)
    spend = pd.DataFrame(
        {
            "identity": frame["email"].astype("str"),
            "day": cycles.reindex(frame.get("_page", pd.Series(dtype="int64"))).to_numpy(),
            "events": api_json.parse(frame, "fastPremiumRequests", "int", path=path, prefix=PREFIX),
            "cost_usd": api_json.parse(frame, "spendCents", "float", path=path, prefix=PREFIX)
            / CENTS_PER_DOLLAR,
        },
        index=frame.index,
    )
    used = spend["events"].gt(0) | spend["cost_usd"].gt(0).fillna(False)
    cycle = (
        spend.loc[used].groupby(["identity", "day"], as_index=False)[["events", "cost_usd"]].sum(min_count=1)
    )
    activity = cycle.assign(tool=TOOL, grain="month", surface=SURFACE)[COLUMNS].astype(
        {"events": "int64", "cost_usd": "float64"}
    )
    idle = int((~used).sum())
    return Extract(
        NAME,
        path,
        "email",
        len(frame),
        {"activity": activity},
        fields=tuple(frame.columns),
        dropped={IDLE_DROPPED: idle} if idle else {},
    )


def _cycle_days(pages: list[dict], path: Path) -> pd.Series:
    """The UTC day each page's billing cycle started on (the day its members' figures are placed on)."""
    starts = pd.Series([page.get(CYCLE) for page in pages], dtype="object")
    api_json.fail_first(
        starts, starts.isna(), path=path, column=CYCLE, expected="the billing cycle's start on every page"
    )
    return utc_days(starts, path=path, column=CYCLE, unit="ms", first_row=api_json.FIRST_RECORD)
