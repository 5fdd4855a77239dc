"""Gemini in Workspace activities: feature_utilization events per user, day and app, counted by hand."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import gemini_workspace
from adoption_kit.sources._tabular import read_text
from adoption_kit.sources.base import Coverage

SAMPLE = "google_gemini/synthetic/gemini_in_workspace_apps_activities_SYNTHETIC.json"


def _activity(time: str, email: str | None, *events: tuple[str, str | None], **extra) -> dict:
    """One activity; each event is (event name, app_name or None for no app_name parameter)."""
    actor = {"profileId": "100000000000000000042"} | ({"email": email} if email else {"callerType": "KEY"})
    return {
        "kind": "admin#reports#activity",
        "id": {"time": time, "applicationName": "gemini_in_workspace_apps"},
        "actor": actor,
        "ipAddress": "203.0.113.7",
        "events": [
            {
                "type": "ai_usage_event",
                "name": name,
                "parameters": [{"name": "action", "value": "summarize"}]
                + ([{"name": "app_name", "value": app}] if app else []),
            }
            for name, app in events
        ],
        **extra,
    }


def _page(*items: dict, token: str | None = None) -> dict:
    return {"kind": "admin#reports#activities", "items": list(items), "nextPageToken": token}


def _write(folder: Path, document: object) -> Path:
    path = folder / "gemini.json"
    path.write_text(json.dumps(document))
    return path


USE = ("feature_utilization", "docs")


def test_when_reading_the_sample_then_its_one_event_is_one_use_of_docs(formats):
    extract = sources.read(formats / SAMPLE)
    activity = extract.tables["activity"]
    # one activity: ada@example.com at 2025-07-01T09:15Z, one feature_utilization event, app_name docs
    assert extract.source == "gemini_workspace_activities"
    assert extract.identity == "email"
    assert activity[["identity", "tool", "day", "grain", "surface", "events"]].values.tolist() == [
        ["ada@example.com", "gemini", pd.Timestamp("2025-07-01"), "day", "docs", 1]
    ]
    day = pd.Timestamp("2025-07-01")
    assert extract.coverage == (Coverage("gemini", "day", day, day),)  # nextPageToken null: complete
    assert extract.unknown_fields == () and extract.dropped == {}


def test_when_reading_a_list_of_pages_then_events_add_up_per_user_day_and_app(tmp_path):
    pages = [
        _page(
            _activity("2026-03-02T23:59:59Z", "ann@acme.test", USE, ("feature_utilization", "gmail")),
            _activity("2026-03-02T08:00:00.5Z", "ann@acme.test", USE),
            _activity("2026-03-03T00:00:01Z", "ann@acme.test", USE),
            token="next",
        ),
        _page(
            _activity("2026-03-03T10:00:00Z", "bo@acme.test", ("feature_utilization", None)),
            _activity("2026-03-03T11:00:00Z", None, USE),  # an API key
            _activity("2026-03-04T12:00:00Z", "bo@acme.test", ("something_else", "docs")),
            _activity("2026-03-05T12:00:00Z", "bo@acme.test", USE, resourceDetails=[]),
        ),
    ]
    extract = gemini_workspace.read(_write(tmp_path, pages))
    activity = extract.tables["activity"]
    # ann 03-02: docs 2 (two activities), gmail 1; ann 03-03: docs 1 (one second after midnight UTC);
    # bo 03-03: 1 with no app -> other; bo 03-05: docs 1. The key's activity and bo's 03-04 (no
    # feature_utilization event) are left out. 7 activities; 4 person-days; 6 events.
    assert sorted(activity[["identity", "day", "surface", "events"]].astype(str).values.tolist()) == [
        ["ann@acme.test", "2026-03-02", "docs", "2"],
        ["ann@acme.test", "2026-03-02", "gmail", "1"],
        ["ann@acme.test", "2026-03-03", "docs", "1"],
        ["bo@acme.test", "2026-03-03", "other", "1"],
        ["bo@acme.test", "2026-03-05", "docs", "1"],
    ]
    assert extract.rows_read == 7
    assert extract.dropped == {gemini_workspace.BY_KEY: 1, gemini_workspace.NO_USE: 1}
    assert extract.coverage[0].first_day == pd.Timestamp("2026-03-02")
    assert extract.coverage[0].last_day == pd.Timestamp("2026-03-05")
    assert extract.unknown_fields == ()
    text = activity.to_string()
    assert "203.0.113.7" not in text and "100000000000000000042" not in text  # no IP, no profile id


def test_when_activities_have_times_then_their_events_add_up_per_user_utc_hour(tmp_path):
    page = _page(
        _activity("2026-03-02T09:10:00Z", "ann@acme.test", USE, ("feature_utilization", "gmail")),
        _activity("2026-03-02T09:50:00Z", "ann@acme.test", USE),
        _activity("2026-03-02T23:30:00-02:00", "ann@acme.test", USE),
        _activity("2026-03-02T11:00:00Z", None, USE),  # an API key: no person, no hour
    )
    extract = gemini_workspace.read(_write(tmp_path, page))
    hours = extract.tables["activity_hours"]
    # hour 9: two activities, three feature_utilization events; 23:30 at -02:00 is 01:30Z on 03-03, so
    # its activity row is on 03-03 too
    assert hours[["identity", "tool", "day", "hour", "events"]].astype(str).values.tolist() == [
        ["ann@acme.test", "gemini", "2026-03-02", "9", "3"],
        ["ann@acme.test", "gemini", "2026-03-03", "1", "1"],
    ]
    activity = extract.tables["activity"].groupby("day")["events"].sum()
    assert activity.to_dict() == {pd.Timestamp("2026-03-02"): 3, pd.Timestamp("2026-03-03"): 1}
    assert hours.groupby("day")["events"].sum().equals(activity)


def test_when_the_listing_was_cut_short_then_it_claims_no_coverage(tmp_path):
    extract = gemini_workspace.read(
        _write(tmp_path, _page(_activity("2026-03-02T10:00:00Z", "ann@acme.test", USE), token="more"))
    )
    assert extract.coverage == ()
    assert len(extract.tables["activity"]) == 1


def test_when_an_activity_has_keys_the_kit_does_not_know_then_they_are_reported(tmp_path):
    item = _activity("2026-03-02T10:00:00Z", "ann@acme.test", USE, sparkle={"level": 3})
    item["events"][0]["glow"] = 1
    extract = gemini_workspace.read(_write(tmp_path, _page(item) | {"region": "eu"}))
    assert extract.unknown_fields == ("events.glow", "region", "sparkle.level")


def test_when_detecting_then_only_this_module_claims_its_sample(formats):
    claimed = {
        str(path.relative_to(formats))
        for path in formats.rglob("*")
        if path.suffix in (".csv", ".json", ".ndjson")
        and gemini_workspace.sniff(read_text(path)[: sources.SNIFF_CHARACTERS])
    }
    assert claimed == {SAMPLE}
    assert sources.detect(formats / SAMPLE) is gemini_workspace


def _second_broken(change: Callable[[dict], object]) -> dict:
    """A page of two activities, the second one changed by ``change``."""
    item = _activity("2026-03-02T10:00:00Z", "ann@acme.test", USE)
    change(item)
    return _page(_activity("2026-03-01T10:00:00Z", "ann@acme.test", USE), item)


# fmt: off
BAD = [
    # (case, document, row, column, words of the message)
    ("no time", _second_broken(lambda item: item["id"].pop("time")), 2, "items[].id.time",
     "the time of every activity"),                                 # when it happened is missing
    ("no email", _second_broken(lambda item: item["actor"].pop("email")), 2, "items[].actor.email",
     "not an API key"),                                             # a user without a name
    ("bad time", _second_broken(lambda item: item["id"].update(time="02/03/2026 10:00")), 2,
     "items[].id.time", "'02/03/2026 10:00'"),                      # not RFC 3339
    ("other app", _second_broken(lambda item: item["id"].update(applicationName="drive")), 2,
     "items[].id.applicationName", "'drive'"),                      # Drive's audit log
    ("items not a list", [_page(_activity("2026-03-01T10:00:00Z", "a@acme.test", USE)),
     {"kind": "admin#reports#activities", "items": {"a": 1}}], 2, "items",
     "not an activities page"),                                     # the second page is broken
]
# fmt: on


@pytest.mark.parametrize(("case", "document", "row", "column", "says"), BAD, ids=[b[0] for b in BAD])
def test_when_the_file_is_bad_then_the_error_names_file_row_and_column(
    tmp_path, case, document, row, column, says
):
    path = _write(tmp_path, document)
    assert sources.detect(path) is gemini_workspace
    with pytest.raises(InputFileError) as caught:
        gemini_workspace.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, row, column)
    assert says in str(caught.value)


def _acting(time: str, email: str, *actions: str | None) -> dict:
    """One activity with a feature_utilization event per action (None: the event names no action)."""
    item = _activity(time, email, *[USE] * len(actions))
    for event, action in zip(item["events"], actions, strict=True):
        event["parameters"] = [p for p in event["parameters"] if p["name"] != "action"] + (
            [{"name": "action", "value": action}] if action else []
        )
    return item


def test_when_events_name_their_action_then_tasks_count_them_per_user_day_and_use_case(tmp_path):
    page = _page(
        _acting("2026-03-02T09:00:00Z", "ann@acme.test", "summarize", "condense", "generate_text"),
        _acting("2026-03-02T10:00:00Z", "ann@acme.test", "generate_images_in_product", "conversation"),
        _acting("2026-03-03T10:00:00Z", "ann@acme.test", "classic_use_case_generate_lesson_plan", None),
        _acting("2026-03-03T11:00:00Z", "bo@acme.test", "suggest_full_replies", "a_new_action"),
    )
    extract = gemini_workspace.read(_write(tmp_path, page))
    tasks = extract.tables["tasks"]
    # ann 03-02: summarize and condense are summarization, generate_text writing, the image one image, a
    # chat with Gemini (conversation) says no use case: other. ann 03-03: Classroom's material is
    # writing; an event without an action is other. bo: a reply is writing, an unknown action other.
    assert tasks[["identity", "day", "category", "events"]].astype(str).values.tolist() == [
        ["ann@acme.test", "2026-03-02", "image", "1"],
        ["ann@acme.test", "2026-03-02", "other", "1"],
        ["ann@acme.test", "2026-03-02", "summarization", "2"],
        ["ann@acme.test", "2026-03-02", "writing", "1"],
        ["ann@acme.test", "2026-03-03", "other", "1"],
        ["ann@acme.test", "2026-03-03", "writing", "1"],
        ["bo@acme.test", "2026-03-03", "other", "1"],
        ["bo@acme.test", "2026-03-03", "writing", "1"],
    ]
    constant = tasks[["tool", "grain", "source"]].drop_duplicates()
    assert constant.values.tolist() == [["gemini", "day", "vendor"]]
    assert tasks["events"].sum() == extract.tables["activity"]["events"].sum()  # every use has a use case


def test_when_an_event_has_a_parameter_the_kit_does_not_know_then_it_is_reported(tmp_path):
    item = _activity("2026-03-02T10:00:00Z", "ann@acme.test", USE)
    item["events"][0]["parameters"].append({"name": "feature_source", "value": "side_panel"})
    extract = gemini_workspace.read(_write(tmp_path, _page(item)))
    assert extract.unknown_fields == ("events.parameters.feature_source",)


def _using(time: str, email: str | None, *parameters: tuple[str, object] | None, **extra) -> dict:
    """One activity with one feature_utilization event holding these (name, value) parameters, in order;
    with None, an event without parameters."""
    item = _activity(time, email, USE, **extra)
    if parameters == (None,):
        del item["events"][0]["parameters"]
    else:
        item["events"][0]["parameters"] = [{"name": name, "value": value} for name, value in parameters]
    return item


def _varied_page() -> dict:
    """Activities of every regular shape Arrow counts in whole columns."""
    no_events = _activity("2026-03-02T09:30:00.250Z", "ann@acme.test")
    del no_events["events"]
    other_then_use = _activity(
        "2026-03-02T10:00:00Z", "ann@acme.test", ("something_else", "docs"), ("feature_utilization", None)
    )
    other_then_use["events"][1]["parameters"] = [{"name": "action", "value": "generate_text"}]
    return _page(
        _using("2026-03-02T09:00:00Z", "ann@acme.test", ("app_name", "docs"), ("action", "summarize")),
        no_events,
        other_then_use,  # the other event is not counted; the use names no app
        _activity("2026-03-02T11:00:00Z", None, USE),  # an API key
        _using(
            "2026-03-03T08:00:00Z",
            "bo@acme.test",
            ("action", "bulletize"),  # the first action counts
            ("app_name", "Google Sheets"),
            ("action", "summarize"),
        ),
        _activity("2026-03-03T08:15:00Z", "bo@acme.test"),  # no events
        _using("2026-03-03T09:00:00Z", "bo@acme.test", None),  # no parameters
        _using("2026-03-03T09:30:00Z", "bo@acme.test", ("app_name", None), ("action", None)),
    )


def test_when_activities_vary_in_shape_then_arrow_counts_them_as_by_hand(tmp_path):
    path = _write(tmp_path, _varied_page())
    assert gemini_workspace._read_with_arrow(path) is not None  # the fast path reads it
    extract = gemini_workspace.read(path)
    tables = {name: table.drop(columns=["tool"]).astype(str) for name, table in extract.tables.items()}
    # ann 03-02: docs (summarize) at 9, no app (generate_text) at 10; bo 03-03: Google Sheets (bulletize,
    # the first action) at 8, and two events naming neither app nor action at 9. The key's activity is
    # left out, and so are the two activities without a use.
    assert tables["activity"][["identity", "day", "surface", "events"]].values.tolist() == [
        ["ann@acme.test", "2026-03-02", "docs", "1"],
        ["ann@acme.test", "2026-03-02", "other", "1"],
        ["bo@acme.test", "2026-03-03", "google_sheets", "1"],
        ["bo@acme.test", "2026-03-03", "other", "2"],
    ]
    assert tables["tasks"][["identity", "day", "category", "events"]].values.tolist() == [
        ["ann@acme.test", "2026-03-02", "summarization", "1"],
        ["ann@acme.test", "2026-03-02", "writing", "1"],
        ["bo@acme.test", "2026-03-03", "other", "2"],
        ["bo@acme.test", "2026-03-03", "writing", "1"],
    ]
    assert tables["activity_hours"][["identity", "day", "hour", "events"]].values.tolist() == [
        ["ann@acme.test", "2026-03-02", "9", "1"],
        ["ann@acme.test", "2026-03-02", "10", "1"],
        ["bo@acme.test", "2026-03-03", "8", "1"],
        ["bo@acme.test", "2026-03-03", "9", "2"],
    ]
    assert extract.rows_read == 8
    assert extract.dropped == {gemini_workspace.BY_KEY: 1, gemini_workspace.NO_USE: 2}
    assert extract.unknown_fields == ()


def _set(position: int, **keys: object) -> Callable[[dict], None]:
    """Set keys on the activity at ``position`` of a page."""
    return lambda page: page["items"][position].update(keys)


def _add_parameter(page: dict) -> None:
    page["items"][0]["events"][0]["parameters"].append({"name": "feature_source", "value": 3})


# fmt: off
IRREGULAR = [
    # (case, change to the varied page that leaves its tables as they are)
    ("event not an object", _set(5, events=["junk"])),                  # json.loads skips it, Arrow refuses
    ("number among texts", _add_parameter),                             # parameter values of mixed types
    ("object and text", lambda page: (_set(0, sparkle={"level": 3})(page),
                                      _set(1, sparkle="bright")(page))),  # one key, two kinds of value
    ("object key some lack", _set(0, sparkle={"level": 3})),            # absent and null look alike in Arrow
]
# fmt: on


@pytest.mark.parametrize(("case", "change"), IRREGULAR, ids=[i[0] for i in IRREGULAR])
def test_when_activities_are_irregular_then_python_reads_them_as_arrow_reads_regular_ones(
    tmp_path, case, change
):
    regular = gemini_workspace.read(_write(tmp_path, _varied_page()))
    page = _varied_page()
    change(page)
    path = _write(tmp_path, page)  # over the regular one
    assert gemini_workspace._read_with_arrow(path) is None  # left to the Python path
    irregular = gemini_workspace.read(path)
    for name, table in regular.tables.items():
        pd.testing.assert_frame_equal(irregular.tables[name], table)
    assert (irregular.rows_read, irregular.dropped) == (regular.rows_read, regular.dropped)
