"""``flat`` built by Arrow gives the frame the record-by-record path gives, or falls back to that path.

Each case is compared with ``_python_flat`` (the frame ``pandas.DataFrame`` makes of the flattened
records): same columns in the same order, same dtypes, same cells, a missing key (NaN) kept apart from a
null (None). The table says for each case whether Arrow builds the frame or leaves it to the Python path.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adoption_kit.sources._api_json import _arrow_flat, _python_flat, documents, flat

GOLDEN = Path(__file__).parent / "golden"
FAST, FALLBACK = True, False


def _claude(actor: dict, **more: object) -> dict:
    """A Claude Code record: nested objects, a list of objects, a null, a dotted key path."""
    return {
        "actor": actor,
        "core_metrics": {"commits_by_claude_code": 2, "lines_of_code": {"added": 114, "removed": 45}},
        "customer_type": "api",
        "date": "2026-06-01T00:00:00Z",
        "model_breakdown": [
            {
                "estimated_cost": {"amount": 239.26, "currency": "USD"},
                "model": "sonnet",
                "tokens": {"input": 7},
            }
        ],
        "tool_actions": {"edit_tool": {"accepted": 20, "rejected": 4}},
        "subscription_type": None,
    } | more


def _cursor(email: str, **more: object) -> dict:
    """A Cursor daily-usage row: flat, epoch milliseconds, true/false, counts, text."""
    return {
        "date": 1782691200000,
        "day": "2026-06-29",
        "isActive": True,
        "totalTabsAccepted": 9,
        "email": email,
    }


CLAUDE = [
    _claude({"api_key_name": "ci", "type": "api_actor"}),
    _claude(
        {"email_address": "ada@x.test", "type": "user_actor"}, subscription_type="pro", terminal_type="vscode"
    ),
    _claude({"type": "user_actor", "email_address": "bo@x.test"}, tool_actions={}, model_breakdown=[]),
]
CASES = [
    # (what, records, max_level, built by Arrow?)
    ("flat rows like Cursor's daily usage", [_cursor("a@x.test"), _cursor("b@x.test")], None, FAST),
    ("Claude Code records, an actor key only some have", CLAUDE, None, FAST),
    ("Claude Code's model items", [m for r in CLAUDE for m in r["model_breakdown"]], None, FAST),
    ("no records", [], None, FALLBACK),
    ("only empty records", [{}, {}], None, FALLBACK),
    ("a null record (flattened as an empty one)", [{"a": 1}, None], None, FAST),
    ("a NaN record", [{"a": 1}, np.nan], None, FALLBACK),
    ("a key an object in one record and a value in another", [{"a": {"b": 1}}, {"a": 2}], None, FALLBACK),
    ("text and numbers under one key", [{"a": "x"}, {"a": 1}], None, FALLBACK),
    ("numbers and text under one key", [{"a": 1}, {"a": "x"}], None, FALLBACK),
    ("an integer beyond int64", [{"a": 1}, {"a": 2**63}], None, FALLBACK),
    ("an integer beyond uint64", [{"a": 1}, {"a": 2**70}], None, FALLBACK),
    ("a big integer among fractions", [{"a": 1.5}, {"a": 2**70}], None, FALLBACK),
    ("integers beyond 2**53 with a gap (float64 both ways)", [{"a": 2**53 + 1}, {}, {"a": None}], None, FAST),
    ("integers and fractions", [{"a": 1}, {"a": 2.5}, {"a": float("nan")}, {"a": -0.0}], None, FAST),
    ("infinities and a missing number", [{"a": float("inf")}, {"b": 1}, {"a": float("-inf")}], None, FAST),
    ("integers with a null and a missing key", [{"a": 1}, {"a": None}, {}], None, FAST),
    ("true among fractions (pandas keeps objects)", [{"a": 1.5}, {"a": True}], None, FALLBACK),
    ("false among fractions and zeros", [{"a": 0.0}, {"a": 0.5}, {"a": False}], None, FALLBACK),
    ("true after an integer", [{"a": 1}, {"a": True}], None, FALLBACK),
    ("ones and zeros among fractions, no true/false", [{"a": 1.0}, {"a": 0.0}, {"a": 0.5}], None, FAST),
    ("true/false without gaps", [{"a": True}, {"a": False}], None, FAST),
    ("true/false with a null and a missing key", [{"a": True}, {"a": None}, {}, {"a": False}], None, FAST),
    ("text with a null and a missing key", [{"a": "x"}, {"a": None}, {}, {"a": ""}], None, FAST),
    ("text beyond ASCII", [{"a": "Zoë 東京 🙂"}, {"a": "\u2028"}], None, FAST),
    ("a key null in every record", [{"a": None, "b": 1}, {"a": None, "b": 2}], None, FAST),
    ("a key null in one record and missing in another", [{"a": None}, {"b": 1}], None, FAST),
    ("an object null in one record", [{"actor": None}, {"actor": {"email": "a"}}], None, FAST),
    ("an object null in the first record", [{"a": {"b": 1}}, {"a": None}], None, FAST),
    ("a nested object null in one record", [{"a": {"b": {"c": 1}}}, {"a": {"b": None}}], None, FAST),
    ("an object null in every record but one", [{"a": None}, {"a": {"b": 1}}, {"a": None}], None, FAST),
    (
        "a null object named like a dotted key",
        [{"a": {"b": None}}, {"a": {"b": {"c": 1}}}, {"a.b": 2}],
        None,
        FALLBACK,
    ),
    ("an object missing from some records", [{"a": {"b": True}}, {"c": 1}, {"a": {"b": False}}], None, FAST),
    ("a nested object missing from some records", [{"a": {"b": {"c": 1}}}, {"a": {"d": 2}}], None, FAST),
    ("an empty object in every record", [{"a": {}, "b": 1}, {"a": {}, "b": 2}], None, FAST),
    ("an empty object in some records", [{"a": {}}, {"a": {"b": 1}}, {"a": {"c": {}}}], None, FAST),
    ("an empty object and a null one", [{"a": {}}, {"a": None}], None, FAST),
    ("lists with a null and a missing key", [{"a": [1, 2]}, {"a": None}, {}, {"a": []}], None, FAST),
    ("lists of objects with differing keys", [{"a": [{"x": 1}]}, {"a": [{"y": 2, "x": None}]}], None, FAST),
    ("lists of mixed values", [{"a": [1, "x", None, {"b": 1}]}, {"a": [[1], 2.5]}], None, FALLBACK),
    ("a list inside an object", [{"a": {"l": [1], "n": 1}}, {"a": {"n": 2}}], None, FAST),
    ("objects kept whole at max_level", [{"a": {"b": {"c": 1}}}, {"a": {"b": {"d": 2}}}], 1, FAST),
    ("an object kept whole, null in one record", [{"a": {"b": None}}, {"a": {"b": {"d": 2}}}], 1, FAST),
    ("an object kept whole, empty in one record", [{"a": {"b": {}}}, {"a": {"b": {"d": 2}}}], 1, FAST),
    ("max_level 0 spreads top-level objects as 1 does", [{"a": {"b": {"c": 1}}, "d": 1}], 0, FAST),
    ("max_level 2 keeps the third level whole", [{"a": {"b": {"c": {"d": 1}}}}, {"a": {"e": 1}}], 2, FAST),
    ("a dotted key that is also a nested path", [{"a.b": 1, "a": {"b": 2}}], None, FALLBACK),
    ("a dotted key and a nested path in different records", [{"a.b": 1}, {"a": {"b": 2}}], None, FALLBACK),
    ("a dotted key alone", [{"a.b": 1, "c": {"d.e": "x"}}], None, FAST),
    ("an empty top-level key holding an object", [{"": {"b": 1}}, {"": {"b": 2}}], None, FAST),
    ("a key that is bytes, not text", [{b"a": 1}], None, FALLBACK),
    (
        "later records bring new keys",
        [{"a": 1, "s": {"x": 1}}, {"b": 2, "a": 1}, {"s": {"y": 2}}],
        None,
        FAST,
    ),
    (
        "keys in another order in a later record",
        [{"b": 1, "a": 2}, {"c": {"x": 1}, "a": 1, "b": 2}],
        None,
        FAST,
    ),
    (
        "values before objects in a record",
        [{"o": {"x": 1}, "v": 1, "p": {"y": {"z": 2}, "w": 3}}],
        None,
        FAST,
    ),
    ("a key first seen in the last record", [{"a": 1}] * 50 + [{"o": {"late": "x"}, "a": 2}], None, FAST),
]


def _assert_same(frame: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Same frame, and the same cells down to None vs NaN and the order of keys in objects kept whole."""
    pd.testing.assert_frame_equal(frame, expected, check_dtype=True)
    assert list(frame.columns) == list(expected.columns)
    assert frame.astype(object).map(repr).equals(expected.astype(object).map(repr))


@pytest.mark.parametrize(("what", "records", "max_level", "fast"), CASES, ids=[case[0] for case in CASES])
def test_when_flattening_records_then_arrow_gives_the_python_frame_or_falls_back(
    what, records, max_level, fast
):
    built = _arrow_flat(records, max_level=max_level)
    assert (built is not None) == fast
    expected = _python_flat(records, max_level=max_level)
    if built is not None:
        _assert_same(built, expected)
    _assert_same(flat(records, max_level=max_level), expected)


def test_when_text_holds_a_lone_surrogate_then_arrow_falls_back_and_flat_fails_as_pandas_does():
    records = [{"a": "\ud800"}]
    assert _arrow_flat(records) is None
    with pytest.raises(UnicodeEncodeError):
        flat(records)


def test_when_an_index_is_given_then_the_frame_carries_it():
    index = pd.Index([7, 3, 9])
    frame = flat(CLAUDE, index=index)
    assert frame.index.equals(index)
    _assert_same(frame.reset_index(drop=True), _python_flat(CLAUDE))


def _record_lists(value: object, path: str = "", found: dict | None = None) -> dict[str, list[dict]]:
    """The objects of every list of objects in a JSON value, one list per place (``data[].results[]``),
    as the readers flatten them: a response's records, or every record's items together."""
    found = {} if found is None else found
    if isinstance(value, list):
        objects = [item for item in value if isinstance(item, dict)]
        if objects and len(objects) == len(value):
            found.setdefault(f"{path}[]", []).extend(objects)
        for item in value:
            _record_lists(item, f"{path}[]", found)
    elif isinstance(value, dict):
        for key, item in value.items():
            _record_lists(item, f"{path}.{key}", found)
    return found


def _golden_inputs() -> list[Path]:
    """The JSON exports of the golden cases (one of each format the readers flatten)."""
    found = [*GOLDEN.glob("*/*.json"), *GOLDEN.glob("*/*.ndjson")]
    return sorted(path for path in found if path.name not in ("case.json", "expected.json"))


@pytest.mark.parametrize("path", _golden_inputs(), ids=lambda path: path.parent.name)
def test_when_flattening_the_record_lists_of_a_golden_export_then_arrow_gives_the_python_frame(path):
    lists = _record_lists(documents(path))
    built = 0
    for records in lists.values():
        for max_level in (None, 1):
            expected = _python_flat(records, max_level=max_level)
            frame = _arrow_flat(records, max_level=max_level)
            if frame is not None:
                built += 1
                _assert_same(frame, expected)
    assert built == 2 * len(lists)  # Arrow builds every one of them


_KEYS = st.sampled_from(["a", "b", "a.b", ""])  # dotted and empty keys make colliding names
_SCALARS = st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from([2**63, 0.0, 1.0, 0.5, "", "x"])
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.dictionaries(_KEYS, _VALUES, max_size=4) | st.none(), min_size=1, max_size=5),
    st.sampled_from([None, 0, 1, 2]),
)
def test_when_flattening_any_records_then_arrow_gives_the_python_frame_or_none(records, max_level):
    # nested objects, nulls, true/false, big integers, lists and colliding keys in every mix
    built = _arrow_flat(records, max_level=max_level)
    try:
        expected = _python_flat(records, max_level=max_level)
    except (TypeError, ValueError):
        assert built is None
        return
    if built is not None:
        _assert_same(built, expected)
