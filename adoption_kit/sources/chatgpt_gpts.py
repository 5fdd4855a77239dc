"""ChatGPT Enterprise / Edu workspace analytics: the weekly or monthly GPT report (CSV), FORMATS.md §2b.

One row per custom GPT per period with workspace-wide counts: group-level data, so it becomes
``aggregates`` (scope ``gpt``, scope_id the GPT's id, day the period start, grain week or month from the
cadence) with the metrics ``messages_workspace`` and ``unique_messagers_workspace``. Empty counts are left
out (not zeros). The GPT's name, description and URL are free text: they go to ``texts`` under the
creator's email (ingest scrubs them, or drops them by configuration); the creator's email and public id
identify a person and are never stored. The account id and the activity flags are not read.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources._canonical import free_texts
from adoption_kit.sources._tabular import check_rows, head_text, read_csv
from adoption_kit.sources.base import Extract, csv_header
from adoption_kit.sources.fields import Fields

NAME = "chatgpt_gpt_report"
DESCRIPTION = "ChatGPT Enterprise weekly or monthly GPT report CSV"
TOOL = "chatgpt_enterprise"
METRICS = ("messages_workspace", "unique_messagers_workspace")
REQUIRED = {
    "cadence": "text",
    "period_start": "day",
    "period_end": "date",
    "gpt_id": "text",
    **dict.fromkeys(METRICS, "int"),
}
TEXTS = {"gpt_name": "gpt_name", "gpt_description": "gpt_description", "gpt_url": "gpt_url"}
CREATOR = "gpt_creator_email"
FIELDS = Fields(
    identifiers=frozenset([CREATOR, "gpt_creator_public_id"]),
    free_text=TEXTS,
    passed=frozenset(
        [*REQUIRED, "account_id", "is_active", "first_day_active_in_period", "last_day_active_in_period"]
    ),
)
GPT_COLUMNS = frozenset(["gpt_id", *(c for c in FIELDS.declared if c.startswith("gpt_"))])
GRAINS = {"weekly": "week", "monthly": "month"}


def sniff(head: str) -> bool:
    """A report by period (cadence) with columns that describe a custom GPT.

    The user report's ``gpt_messages``, ``gpts_messaged`` and ``gpt_to_messages`` are none of them.
    """
    header = csv_header(head)
    return "cadence" in header and bool(GPT_COLUMNS & header)


@FIELDS.checked
def read(path: Path) -> Extract:
    """Messages and distinct senders per GPT and period; the GPTs' names and descriptions as texts."""
    frame = read_csv(path, required=REQUIRED, optional=dict.fromkeys([*TEXTS, CREATOR], "text"))
    grain = frame["cadence"].str.lower().map(GRAINS)
    checks = (
        ("cadence", grain.isna(), "Weekly or Monthly"),
        ("gpt_id", frame["gpt_id"].isna(), "a GPT id on every row"),
        ("period_end", frame["period_end"] < frame["period_start"], "a period end on or after its start"),
        ("gpt_id", frame.duplicated(["gpt_id", "period_start", "cadence"]), "one row per GPT and period"),
    )
    check_rows(frame, checks, path=path)
    long = frame.assign(grain=grain).melt(
        id_vars=["gpt_id", "period_start", "grain"], value_vars=list(METRICS), var_name="metric"
    )
    long = long.dropna(subset=["value"])
    aggregates = pd.DataFrame(
        {
            "tool": TOOL,
            "scope": "gpt",
            "scope_id": long["gpt_id"],
            "day": long["period_start"],
            "grain": long["grain"],
            "metric": long["metric"],
            "value": long["value"].astype("float64"),
        }
    ).reset_index(drop=True)
    context = pd.DataFrame(
        {"identity": frame.get(CREATOR), "tool": TOOL, "day": frame["period_start"]}, index=frame.index
    )
    texts = free_texts(frame, TEXTS, context=context)
    header = tuple(csv_header(head_text(path, 4096)))
    return Extract(NAME, path, "email", len(frame), {"aggregates": aggregates, "texts": texts}, fields=header)
