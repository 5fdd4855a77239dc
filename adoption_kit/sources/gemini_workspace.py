"""Gemini in Google Workspace: Admin SDK Reports API activities of ``gemini_in_workspace_apps`` (JSON).

The file is one ``activities.list`` response page or a JSON list of pages (FORMATS.md §6a). Each activity
is one Gemini action; its ``feature_utilization`` events are counted per user, UTC day and ``app_name``
(the surface: docs, gmail, sheets, ...; ``other`` when an event names no app). The identity is
``actor.email``; ``actor.profileId`` and ``ipAddress`` are not read. The same events by the use case of
their ``action`` parameter (``ACTION_CATEGORIES``; an action not listed there is ``other``) are ``tasks``.
Event parameters count as fields ``events.parameters.<name>``. Activities by
an API key (``actor.callerType`` KEY, no email) and activities without a ``feature_utilization`` event are
left out and counted. Error rows number the activities across all pages, from 1. The same events per UTC
hour of their activity's ``id.time`` are ``activity_hours``.

Coverage: the listing is the full account of Gemini use from its first to its last day when its last page
has no ``nextPageToken`` (so query from midnight UTC); a listing cut short has no coverage.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError
from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources._canonical import utc_times
from adoption_kit.sources._hours import clock, per_hour
from adoption_kit.sources._tabular import read_json
from adoption_kit.sources.base import Extract, coverage_of
from adoption_kit.sources.fields import Fields

NAME = "gemini_workspace_activities"
DESCRIPTION = (
    "Google Workspace Reports API activities of gemini_in_workspace_apps (JSON page or list of pages)"
)
TOOL = "gemini"
APPLICATION = "gemini_in_workspace_apps"
EVENT = "feature_utilization"
KNOWN_PAGE_KEYS = frozenset(["kind", "etag", "items", "nextPageToken"])
KNOWN_ITEM_KEYS = frozenset(
    [
        "kind",
        "etag",
        "ownerDomain",
        "ipAddress",
        "events",
        "resourceDetails",
        "id.time",
        "id.uniqueQualifier",
        "id.applicationName",
        "id.customerId",
        "actor.email",
        "actor.profileId",
        "actor.callerType",
        "actor.key",
        "actor.applicationInfo",
    ]
)
KNOWN_EVENT_KEYS = frozenset(["type", "name", "parameters"])
PARAMETERS = ("action", "app_name")
# The documented actions by use case (Classroom's classic_use_case_* generate teaching material: writing).
ACTION_CATEGORIES = {
    **dict.fromkeys(
        [
            "summarize",
            "summarize_proactive",
            "summarize_proactive_short",
            "condense",
            "list_action_items_refinement",
        ],
        "summarization",
    ),
    **dict.fromkeys(
        [
            "generate_text",
            "generate_document",
            "suggest_full_replies",
            "auto_proofread",
            "bulletize",
            "formalize",
            "paraphrase",
            "match_writing_style",
            "comment_conversation",
        ],
        "writing",
    ),
    **dict.fromkeys(["generate_images_in_product", "generate_image_for_current_page"], "image"),
    **dict.fromkeys(["search_in_conversation", "ask_about_context"], "research"),
}
CLASSROOM = "classic_use_case_"
IDENTIFIERS = frozenset(["actor.email", "actor.profileId", "ipAddress"])
FIELDS = Fields(
    identifiers=IDENTIFIERS,
    passed=KNOWN_PAGE_KEYS
    | KNOWN_ITEM_KEYS - IDENTIFIERS
    | {f"events.{key}" for key in KNOWN_EVENT_KEYS}
    | {f"events.parameters.{name}" for name in PARAMETERS},
)
BY_KEY = "activities by an API key (no person)"
NO_USE = f"activities without a {EVENT} event"


def sniff(head: str) -> bool:
    """A Reports API activity listing whose activities belong to Gemini in Workspace apps."""
    return "admin#reports#activit" in head and APPLICATION in head


@FIELDS.checked
def read(path: Path) -> Extract:
    """Activity (feature_utilization events per user, day and app) and tasks (per use case)."""
    pages = _pages(read_json(path), path)
    items = [item for page in pages for item in page.get("items") or []]
    flat = api_json.flat(items, max_level=1)
    activities = flat.reindex(columns=["id.time", "id.applicationName", "actor.email", "actor.callerType"])
    _check(activities, path)
    people = pd.DataFrame(
        {
            "identity": activities["actor.email"],
            **clock(utc_times(activities["id.time"], path=path, column="items[].id.time", first_row=1)),
        }
    )
    uses = _uses(items).join(people, on="item").dropna(subset=["identity"])
    activity = (
        uses.assign(tool=TOOL, grain="day", surface=_surface(uses["app_name"]))
        .groupby(["identity", "tool", "day", "grain", "surface"], as_index=False)
        .size()
        .rename(columns={"size": "events"})
    )
    by_key = people["identity"].isna()
    unused = int((~people.index.isin(uses["item"]) & ~by_key).sum())
    dropped = {reason: rows for reason, rows in ((BY_KEY, int(by_key.sum())), (NO_USE, unused)) if rows}
    complete = not pages[-1].get("nextPageToken")
    return Extract(
        NAME,
        path,
        "email",
        len(items),
        {"activity": activity, "activity_hours": per_hour(uses.assign(tool=TOOL)), "tasks": _tasks(uses)},
        coverage=coverage_of(activity, tool=TOOL, grain="day", first="day", last="day") if complete else (),
        fields=_fields(pages, items, flat.columns),
        dropped=dropped,
    )


def _pages(document: object, path: Path) -> list[dict]:
    """The response pages: one object, or a list of them, each with a list of activities (or none)."""
    pages = document if isinstance(document, list) else [document]
    if not pages:
        raise InputFileError("the file has no pages", path=path, expected="an activities page")
    for number, page in enumerate(pages, start=1):
        items = page.get("items", []) if isinstance(page, dict) else None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise InputFileError(
                "not an activities page",
                path=path,
                row=number if isinstance(document, list) else None,
                column="items",
                expected='{"kind": "admin#reports#activities", "items": [...]}, or a list of such pages',
            )
    return pages


def _check(activities: pd.DataFrame, path: Path) -> None:
    """Every activity has a time, is Gemini's, and names its actor by email unless an API key acted."""
    application = activities["id.applicationName"]
    checks = (
        ("id.time", activities["id.time"].isna(), "the time of every activity"),
        ("id.applicationName", application.notna() & (application != APPLICATION), APPLICATION),
        (
            "actor.email",
            activities["actor.email"].isna() & (activities["actor.callerType"] != "KEY"),
            "the email of every actor that is not an API key",
        ),
    )
    for column, bad, expected in checks:
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise InputFileError(
                f"missing or unexpected value {activities[column].iloc[row]!r}",
                path=path,
                row=row + 1,
                column=f"items[].{column}",
                expected=expected,
            )


def _uses(items: list[dict]) -> pd.DataFrame:
    """One row per feature_utilization event: the activity's position, the event's action and app."""
    return pd.DataFrame(
        [
            {"item": number, **{name: _parameter(event, name) for name in PARAMETERS}}
            for number, item in enumerate(items)
            for event in item.get("events") or []
            if isinstance(event, dict) and event.get("name") == EVENT
        ],
        columns=["item", *PARAMETERS],
    ).astype({"item": "int64"})


def _tasks(uses: pd.DataFrame) -> pd.DataFrame:
    """Events per user, day and the use case of their action."""
    action = uses["action"].astype("str")
    category = action.map(ACTION_CATEGORIES).mask(action.str.startswith(CLASSROOM, na=False), "writing")
    counted = (
        uses.assign(tool=TOOL, grain="day", category=category.fillna("other"))
        .groupby(["identity", "tool", "day", "grain", "category"], as_index=False)
        .size()
    )
    return counted.rename(columns={"size": "events"}).assign(source="vendor")


def _surface(app_name: pd.Series) -> pd.Series:
    """The app as a snake_case label; ``other`` when the event names none."""
    label = app_name.astype("str").str.lower().str.replace(r"[^a-z0-9]+", "_", regex=True).str.strip("_")
    return label.where(app_name.notna() & (label != ""), "other")


def _parameter(event: dict, name: str) -> str | None:
    """The value of an event parameter (``{"name": ..., "value": ...}``), None when absent."""
    return next(
        (
            p.get("value")
            for p in event.get("parameters") or []
            if isinstance(p, dict) and p.get("name") == name
        ),
        None,
    )


def _fields(pages: list[dict], items: list[dict], flat_columns: pd.Index) -> tuple[str, ...]:
    """Keys of pages, of activities (one level down: "actor.x"), of events ("events.x") and the names of
    event parameters ("events.parameters.x")."""
    page_keys = {key for page in pages for key in page}
    parameter_names = {
        f"events.parameters.{parameter.get('name')}"
        for item in items
        for event in item.get("events") or []
        if isinstance(event, dict)
        for parameter in event.get("parameters") or []
        if isinstance(parameter, dict)
    }
    event_keys = {
        f"events.{key}"
        for item in items
        for event in item.get("events") or []
        if isinstance(event, dict)
        for key in event
    }
    return tuple(sorted(page_keys | set(flat_columns) | event_keys | parameter_names))
