"""Seat requests (CSV): who asked for a seat on a tool and is still waiting, from the IT request queue.

The kit's own format, one request per row, the header line naming the columns in any order::

    email,tool,requested_on,closed_on
    ann.lee@acme.test,m365_copilot,2026-09-14,
    bo.kim@acme.test,github_copilot,2026-08-02,2026-08-20

* ``email``: the requester's email, as the HR roster (or its aliases) has it.
* ``tool``: one of the kit's tools (``adoption_kit.schema.TOOLS``).
* ``requested_on``: the day the request was made (YYYY-MM-DD).
* ``closed_on`` (optional): the day it was granted, refused or withdrawn; empty while it waits.

Export it from the service desk (ServiceNow, Jira Service Management) or the access-request form of the
tool's admin console. A person with an open request and no seat is waiting for one: the seat-use table
counts them as demand, next to the idle seats that could go to them.
"""

from __future__ import annotations

from pathlib import Path

from adoption_kit.schema import TOOLS
from adoption_kit.sources._tabular import check_rows, read_csv
from adoption_kit.sources.base import Extract, csv_fields, csv_header
from adoption_kit.sources.fields import Fields

NAME = "seat_requests"
DESCRIPTION = "seat requests CSV with email, tool, requested_on (+ closed_on)"
REQUIRED = {"email": "text", "tool": "text", "requested_on": "date"}
OPTIONAL = {"closed_on": "date"}
FIELDS = Fields(
    identifiers=frozenset(["email"]),
    passed=frozenset(["tool", "requested_on", *OPTIONAL]),
    required=frozenset(["email"]),
)


def sniff(head: str) -> bool:
    """Seat requests carry the day a seat on a tool was requested."""
    return {"requested_on", "tool"} <= csv_header(head)


@FIELDS.checked
def read(path: Path) -> Extract:
    """One row per request: the requester's email as ``identity``, the tool and the days."""
    frame = read_csv(path, required=REQUIRED, optional=OPTIONAL)
    tool = frame["tool"].str.lower()
    closed_on = frame["closed_on"] if "closed_on" in frame.columns else frame["requested_on"].where(False)
    check_rows(
        frame.assign(tool=tool, closed_on=closed_on),
        [
            ("email", frame["email"].isna(), "the requester's email on every row"),
            ("tool", ~tool.isin(TOOLS), f"one of {', '.join(TOOLS)}"),
            ("requested_on", frame["requested_on"].isna(), "the day of the request on every row"),
            ("closed_on", closed_on < frame["requested_on"], "a day on or after requested_on"),
        ],
        path=path,
    )
    requests = frame.assign(identity=frame["email"], tool=tool, closed_on=closed_on)
    requests = requests[["identity", "tool", "requested_on", "closed_on"]]
    return Extract(NAME, path, "email", len(frame), {"seat_requests": requests}, fields=csv_fields(path))
