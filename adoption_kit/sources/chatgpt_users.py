"""ChatGPT Enterprise / Edu workspace analytics: the weekly or monthly user report (CSV).

One row per user per period, including inactive and pending users (FORMATS.md §2a). Activity is the
period's message count split by surface (GPTs, projects, the rest as chat); seats come from every row.
Tasks are the messages to ChatGPT's tools (``tool_to_messages``: Search, Data Analysis, Canvas, ...) by the
use case each tool serves (``TOOL_CATEGORIES``; a tool not listed there is ``other``).
Names and public ids identify people and are never read. The self-entered ``role`` is free text: it goes
to ``texts`` under the user's email, for ingest to scrub (the per-GPT and per-project dictionaries are keyed
by ids, not names, and are not read).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources import _dict_strings
from adoption_kit.sources._canonical import free_texts
from adoption_kit.sources._tabular import check_rows, head_text, read_csv
from adoption_kit.sources.base import Extract, coverage_of, csv_header
from adoption_kit.sources.fields import Fields

NAME = "chatgpt_user_report"
DESCRIPTION = "ChatGPT Enterprise weekly or monthly user report CSV"
TOOL = "chatgpt_enterprise"
REQUIRED = {
    "cadence": "text",
    "period_start": "day",
    "period_end": "date",
    "email": "text",
    "user_status": "text",
    "created_or_invited_date": "date",
    "is_active": "int",
    "messages": "int",
}
TEXTS = {"role": "user_role"}
OPTIONAL = {
    "gpt_messages": "int",
    "project_messages": "int",
    "tool_to_messages": "text",
    **dict.fromkeys(TEXTS, "text"),
}
CURRENT_HEADER = (  # the October 2025 export, in its order; older ones have a subset
    "cadence",
    "period_start",
    "period_end",
    "account_id",
    "public_id",
    "name",
    "email",
    "role",
    "user_role",
    "department",
    "groups",
    "user_status",
    "created_or_invited_date",
    "is_active",
    "first_day_active_in_period",
    "last_day_active_in_period",
    "messages",
    "messages_rank",
    "model_to_messages",
    "gpt_messages",
    "gpts_messaged",
    "gpt_to_messages",
    "tool_messages",
    "tools_messaged",
    "tool_to_messages",
    "project_messages",
    "projects_messaged",
    "project_to_messages",
    "projects_created",
    "last_day_active",
)
IDENTIFIERS = frozenset(["email", "name", "public_id"])
FIELDS = Fields(
    identifiers=IDENTIFIERS,
    free_text=TEXTS,
    passed=frozenset(CURRENT_HEADER) - IDENTIFIERS - set(TEXTS),
    required=frozenset(["email"]),
)
GRAINS = {"weekly": "week", "monthly": "month"}
# ChatGPT's tools (as named in tool_to_messages, compared lower-case with "_" for other characters, and the
# glossary's older names) by the use case they serve; Memory, Tasks, GPT Editor and new tools are "other".
TOOL_CATEGORIES = {
    "search": "research",
    "web_search": "research",
    "retrieval": "research",
    "file_upload": "research",
    "deep_research": "research",
    "data_analysis": "data_analysis",
    "advanced_data_analysis": "data_analysis",
    "python": "data_analysis",
    "image_gen": "image",
    "dalle": "image",
    "dall_e": "image",
    "canvas": "writing",
}
STATUSES = ("enabled", "pending", "deleted")


def sniff(head: str) -> bool:
    """The user report's header has the cadence and period of each user row."""
    return {"cadence", "period_start", "period_end", "email"} <= csv_header(head)


@FIELDS.checked
def read(path: Path) -> Extract:
    """Activity (active users' messages by surface), tasks (tool messages by use case), seats (every
    listed user) and free text."""
    frame = read_csv(path, required=REQUIRED, optional=OPTIONAL)
    _check_values(frame, path)
    grain = frame["cadence"].str.lower().map(GRAINS)
    tables = {
        "activity": _activity(frame, grain),
        "tasks": _tasks(frame, grain),
        "seats": _seats(frame),
        "texts": _texts(frame),
    }
    coverage = tuple(
        c
        for cadence, rows in frame.groupby(grain)
        for c in coverage_of(rows, tool=TOOL, grain=cadence, first="period_start", last="period_end")
    )
    header = tuple(csv_header(head_text(path, 4096)))
    return Extract(NAME, path, "email", len(frame), tables, coverage=coverage, fields=header)


def _check_values(frame: pd.DataFrame, path: Path) -> None:
    checks = (
        ("cadence", ~frame["cadence"].str.lower().isin(GRAINS), "Weekly or Monthly"),
        ("email", frame["email"].isna(), "an email on every row"),
        ("user_status", ~frame["user_status"].isin(STATUSES), f"one of {', '.join(STATUSES)}"),
        ("period_end", frame["period_end"] < frame["period_start"], "a period end on or after its start"),
    )
    duplicated = frame.duplicated(["email", "period_start"], keep="first")
    check_rows(frame, (*checks, ("email", duplicated, "one row per user and period")), path=path)
    if "tool_to_messages" in frame:
        tools = frame["tool_to_messages"]
        check_rows(
            frame, [("tool_to_messages", _dict_strings.malformed(tools), _dict_strings.EXPECTED)], path=path
        )


def _activity(frame: pd.DataFrame, grain: pd.Series) -> pd.DataFrame:
    active = frame["is_active"].eq(1).fillna(False) & frame["messages"].gt(0).fillna(False)
    rows = frame.loc[active]
    gpts = rows.get("gpt_messages", pd.Series(0, index=rows.index)).fillna(0)
    projects = rows.get("project_messages", pd.Series(0, index=rows.index)).fillna(0)
    chat = (rows["messages"] - gpts - projects).clip(lower=0)
    by_surface = pd.DataFrame({"chat": chat, "gpts": gpts, "projects": projects}, index=rows.index)
    long = (
        by_surface.rename_axis("row")
        .reset_index()
        .melt(id_vars="row", var_name="surface", value_name="events")
    )
    long = long.loc[long["events"] > 0]
    return pd.DataFrame(
        {
            "identity": rows["email"].reindex(long["row"]).to_numpy(),
            "tool": TOOL,
            "day": rows["period_start"].reindex(long["row"]).to_numpy(),
            "grain": grain.reindex(long["row"]).to_numpy(),
            "surface": long["surface"].to_numpy(),
            "events": long["events"].astype("int64").to_numpy(),
        }
    )


def _tasks(frame: pd.DataFrame, grain: pd.Series) -> pd.DataFrame:
    """Messages to each tool, by the tool's use case, per user and period (zero counts make no row)."""
    tools = frame.get("tool_to_messages", pd.Series(pd.NA, index=frame.index, dtype="str"))
    found = _dict_strings.entries(tools)
    name = found["key"].str.lower().str.replace(r"[^a-z0-9]+", "_", regex=True).str.strip("_")
    rows = pd.DataFrame(
        {
            "identity": frame["email"].reindex(found["row"]).to_numpy(),
            "tool": TOOL,
            "day": frame["period_start"].reindex(found["row"]).to_numpy(),
            "grain": grain.reindex(found["row"]).to_numpy(),
            "category": name.map(TOOL_CATEGORIES).fillna("other").to_numpy(),
            "events": found["count"].to_numpy(),
        }
    )
    keys = ["identity", "tool", "day", "grain", "category"]
    summed = rows.loc[rows["events"] > 0].groupby(keys, as_index=False, sort=True)["events"].sum()
    return summed.assign(source="vendor")


def _seats(frame: pd.DataFrame) -> pd.DataFrame:
    removed = frame["period_end"].where(frame["user_status"] == "deleted")
    return pd.DataFrame(
        {
            "identity": frame["email"],
            "tool": TOOL,
            "assigned_on": frame["created_or_invited_date"].fillna(frame["period_start"]),
            "removed_on": removed,
            "plan": "enterprise",
        }
    )


def _texts(frame: pd.DataFrame) -> pd.DataFrame:
    """The role each user wrote, under their email and the period's first day."""
    context = pd.DataFrame({"identity": frame["email"], "tool": TOOL, "day": frame["period_start"]})
    return free_texts(frame, TEXTS, context=context)
