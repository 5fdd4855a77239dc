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

Arrow parses the file and counts the events in whole columns. A file it cannot read exactly as ``json.loads``
does (not UTF-8, a key given twice, an object key some activity lacks, an event that is not an object, a
parameter value that is not text, ...), and a file with an error, is read value by value in Python, which
gives the same tables or names what is wrong.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

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
ACTIVITY_COLUMNS = ["id.time", "id.applicationName", "actor.email", "actor.callerType"]
# Arrow reads every other key as it finds it; it would read whole-second times as timestamps, not text.
ITEM_SCHEMA = pa.struct([("id", pa.struct([("time", pa.string())]))])
PAGE_SCHEMA = pa.struct([("items", pa.list_(ITEM_SCHEMA))])
JSON_SPACE = b" \t\r\n"
LARGEST_BLOCK = 2**31 - 1  # Arrow parses the whole file as one block of at most this many bytes


@dataclass(frozen=True)
class _Listing:
    """What ``read`` takes from a file: who acted when, the uses, whether the listing is whole, its fields."""

    people: pd.DataFrame  # per activity (index: its position): identity (None for an API key), day, hour
    uses: pd.DataFrame  # per feature_utilization event: item (its activity's position), action, app_name
    complete: bool  # the last page has no nextPageToken
    fields: tuple[str, ...]


class _IrregularError(Exception):
    """Arrow cannot tell what the Python path makes of the file, or the file has an error: Python reads it."""


def sniff(head: str) -> bool:
    """A Reports API activity listing whose activities belong to Gemini in Workspace apps."""
    return "admin#reports#activit" in head and APPLICATION in head


@FIELDS.checked
def read(path: Path) -> Extract:
    """Activity (feature_utilization events per user, day and app) and tasks (per use case)."""
    listing = _read_with_arrow(path) or _read_with_python(path)
    people = listing.people
    uses = listing.uses.join(people, on="item").dropna(subset=["identity"])
    activity = (
        uses.assign(tool=TOOL, grain="day", surface=_surface(uses["app_name"]))
        .groupby(["identity", "tool", "day", "grain", "surface"], as_index=False)
        .size()
        .rename(columns={"size": "events"})
    )
    by_key = people["identity"].isna()
    unused = int((~people.index.isin(uses["item"]) & ~by_key).sum())
    dropped = {reason: rows for reason, rows in ((BY_KEY, int(by_key.sum())), (NO_USE, unused)) if rows}
    return Extract(
        NAME,
        path,
        "email",
        len(people),
        {"activity": activity, "activity_hours": per_hour(uses.assign(tool=TOOL)), "tasks": _tasks(uses)},
        coverage=(
            coverage_of(activity, tool=TOOL, grain="day", first="day", last="day") if listing.complete else ()
        ),
        fields=listing.fields,
        dropped=dropped,
    )


def _read_with_python(path: Path) -> _Listing:
    """The listing read value by value: whatever ``json.loads`` reads; errors name the file, row and key."""
    pages = _pages(read_json(path), path)
    items = [item for page in pages for item in page.get("items") or []]
    flat = api_json.flat(items, max_level=1)
    activities = flat.reindex(columns=ACTIVITY_COLUMNS)
    _check(activities, path)
    people = _people(activities, path)
    complete = not pages[-1].get("nextPageToken")
    return _Listing(people, _uses(items), complete, _fields(pages, items, flat.columns))


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
    for column, bad, expected in _checks(activities):
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise InputFileError(
                f"missing or unexpected value {activities[column].iloc[row]!r}",
                path=path,
                row=row + 1,
                column=f"items[].{column}",
                expected=expected,
            )


def _checks(activities: pd.DataFrame) -> tuple[tuple[str, pd.Series, str], ...]:
    """Per check: the column, where it fails, and what it expects there."""
    application = activities["id.applicationName"]
    return (
        ("id.time", activities["id.time"].isna(), "the time of every activity"),
        ("id.applicationName", application.notna() & (application != APPLICATION), APPLICATION),
        (
            "actor.email",
            activities["actor.email"].isna() & (activities["actor.callerType"] != "KEY"),
            "the email of every actor that is not an API key",
        ),
    )


def _people(activities: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Each activity's actor (None for an API key) and the UTC day and hour of its time."""
    moments = utc_times(activities["id.time"], path=path, column="items[].id.time", first_row=1)
    return pd.DataFrame({"identity": activities["actor.email"], **clock(moments)})


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


def _read_with_arrow(path: Path) -> _Listing | None:
    """The listing computed by Arrow in whole columns; None when the Python path must read the file.

    A time that does not parse raises here as it does there: the same text at the same row.
    """
    try:
        pages = _arrow_pages(path)
        items = _arrow_items(pages)
        activities = _arrow_activities(items)
        if any(bad.any() for _, bad, _ in _checks(activities)):
            raise _IrregularError  # the Python path names the error as it finds it
        events, rows = _objects(items, "events")
        listing = _Listing(
            _people(activities, path),
            _arrow_uses(events, rows),
            complete=not _text(pages, "nextPageToken")[-1].as_py(),
            fields=_arrow_fields(pages, items, events),
        )
    except _IrregularError:
        return None
    return listing


def _arrow_pages(path: Path) -> pa.StructArray:
    """The response pages as Arrow parses the file, one row each.

    Arrow must read what ``read_json`` reads, and alike: so the file is UTF-8 (``read_text`` reads other bytes
    as Windows-1252) and one object, or an array (Arrow crashes on a bare ``null``) parsed wrapped in an
    object. Arrow refuses what ``json.loads`` refuses, and some more (a key given twice, a number beyond a
    double); it reads objects one after the other as rows, which ``json.loads`` refuses.
    """
    try:
        body = path.read_bytes().removeprefix(codecs.BOM_UTF8).lstrip(JSON_SPACE)
    except OSError as error:
        raise _IrregularError from error
    if not _is_utf8(body):
        raise _IrregularError
    if body[:1] == b"{":
        table = _parse(body, pa.schema(list(PAGE_SCHEMA)))
        if table.num_rows != 1:
            raise _IrregularError
        pages = table.to_struct_array().combine_chunks()
    elif body[:1] == b"[":
        table = _parse(b'{"pages": ' + body + b"}", pa.schema([("pages", pa.list_(PAGE_SCHEMA))]))
        pages = pc.list_flatten(table.column("pages").combine_chunks())
    else:
        raise _IrregularError
    if not len(pages) or pages.null_count:
        raise _IrregularError  # no page, or a page that is null
    return pages


def _parse(data: bytes, schema: pa.Schema) -> pa.Table:
    """JSON objects as rows (one block: an object may span lines); keys outside ``schema`` as Arrow infers."""
    if len(data) >= LARGEST_BLOCK:
        raise _IrregularError
    try:
        table = pa_json.read_json(
            pa.BufferReader(data),
            read_options=pa_json.ReadOptions(block_size=len(data) + 1),
            parse_options=pa_json.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="infer", newlines_in_values=True
            ),
        )
        table.validate(full=True)  # Arrow 26 builds broken lists from lists of objects holding a null
    except pa.ArrowException as error:
        raise _IrregularError from error
    return table


def _is_utf8(data: bytes) -> bool:
    """Is the text UTF-8 (Arrow takes any bytes in a string)?"""
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _arrow_items(pages: pa.StructArray) -> pa.StructArray:
    """Every page's activities, in order; each page has a list of objects (absent or null: Python reads)."""
    lists = pc.struct_field(pages, "items")
    items = pc.list_flatten(lists)
    if lists.null_count or items.null_count or not len(items):
        raise _IrregularError
    return items


def _arrow_activities(items: pa.StructArray) -> pd.DataFrame:
    """``ACTIVITY_COLUMNS`` as ``api_json.flat`` gives them: text; all missing where no activity has one."""
    columns = {}
    for column in ACTIVITY_COLUMNS:
        key, name = column.split(".")
        parent = _child(items, key)
        values = _child(parent, name) if parent is not None and pa.types.is_struct(parent.type) else None
        if values is not None:
            if not pa.types.is_string(values.type):
                raise _IrregularError  # null, numbers, objects: whatever the Python path makes of them
            columns[column] = values.to_pandas()
    return pd.DataFrame(columns, index=pd.RangeIndex(len(items))).reindex(columns=ACTIVITY_COLUMNS)


def _arrow_uses(events: pa.StructArray, rows: pa.Array) -> pd.DataFrame:
    """``_uses`` from the events and the activity each sits in: per feature_utilization event, its activity's
    position and the value of its first ``action`` and ``app_name`` parameter (None when it has none)."""
    used = pc.fill_null(pc.equal(_text(events, "name"), EVENT), False)
    events, rows = events.filter(used), rows.filter(used)
    parameters, owners = _objects(events, "parameters")
    names, values = _text(parameters, "name"), _text(parameters, "value")
    firsts = {name: _first(values, pc.equal(names, name), owners, len(events)) for name in PARAMETERS}
    return pd.DataFrame(
        {
            "item": rows.to_numpy().astype("int64"),
            **{name: value.to_pandas() for name, value in firsts.items()},
        }
    )


def _first(values: pa.Array, matches: pa.Array, owners: pa.Array, count: int) -> pa.Array:
    """For each owner 0..count-1 (``owners`` ascending), the value of its first matching entry, else null."""
    matching = np.flatnonzero(pc.fill_null(matches, False).to_numpy(zero_copy_only=False))
    owner, first = np.unique(owners.to_numpy()[matching], return_index=True)
    position = np.full(count, -1)
    position[owner] = matching[first]
    return values.take(pa.array(position, mask=position < 0))


def _arrow_fields(pages: pa.StructArray, items: pa.StructArray, events: pa.StructArray) -> tuple[str, ...]:
    """``_fields`` from what Arrow found: the keys any page, activity or event has, and the parameter names.

    Arrow lists a key of the objects at one place of the document when any of them has it, even as null.
    """
    parameters, _ = _objects(events, "parameters")
    page_keys = {field.name for field in pages.type}
    event_keys = {f"events.{field.name}" for field in events.type}
    parameter_names = {f"events.parameters.{name}" for name in _text(parameters, "name").unique().to_pylist()}
    return tuple(sorted(page_keys | set(_flat_columns(items)) | event_keys | parameter_names))


def _flat_columns(items: pa.StructArray) -> list[str]:
    """The columns ``api_json.flat(items, max_level=1)`` makes: each key, or "key.x" per key of an object.

    Arrow tells apart neither a key an activity lacks from one it sets to null (a column "key" then) nor the
    key "a.b" from the key "b" of an object "a": those activities are for the Python path.
    """
    columns = []
    for field in items.type:
        if "." in field.name:
            raise _IrregularError
        if not pa.types.is_struct(field.type):
            columns.append(field.name)
        elif pc.struct_field(items, field.name).null_count:
            raise _IrregularError
        else:
            columns += [f"{field.name}.{key.name}" for key in field.type]
    return columns


def _objects(objects: pa.StructArray, key: str) -> tuple[pa.StructArray, pa.Array]:
    """The objects in the list under ``key`` of each object, and the position of the object each sits in
    (none where the key is absent or null); a value that is not a list of objects is for the Python path."""
    lists = _child(objects, key)
    found = api_json.list_items(pa.chunked_array([pa.nulls(len(objects)) if lists is None else lists]))
    if found is None:
        raise _IrregularError
    return found


def _text(objects: pa.StructArray, key: str) -> pa.Array:
    """The text under ``key`` of each object, null where it has none; other values are for the Python path."""
    values = _child(objects, key)
    if values is None or pa.types.is_null(values.type):
        return pa.nulls(len(objects), pa.string())
    if not pa.types.is_string(values.type):
        raise _IrregularError
    return values


def _child(objects: pa.StructArray, key: str) -> pa.Array | None:
    """The values under ``key`` of each object (null where an object lacks it); None when none has it."""
    return pc.struct_field(objects, key) if objects.type.get_field_index(key) >= 0 else None
