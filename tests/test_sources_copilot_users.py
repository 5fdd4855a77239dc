"""The per-user Copilot report read by Arrow in one pass gives what the line-by-line reader gives."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adoption_kit.errors import InputFileError
from adoption_kit.sources import copilot_users

_COUNT = st.integers(0, 40) | st.sampled_from([None, 2.5, 0.0, -1, 7])
_ITEM = st.fixed_dictionaries(
    {},
    optional={
        "feature": st.sampled_from(["code_completion", "chat_panel_ask_mode", "agent_edit", "copilot_cli"]),
        "user_initiated_interaction_count": _COUNT,
        "code_generation_activity_count": _COUNT,
        "code_acceptance_activity_count": _COUNT,
        "loc_added_sum": _COUNT,
        "loc_deleted_sum": _COUNT,
    },
)
_RECORD = st.fixed_dictionaries(
    {
        "user_login": st.sampled_from(["ann-gh", "bo", "Cy"]),
        "day": st.sampled_from(["2026-03-01", "2026-03-02", "2026-03-02T00:00:00Z"]),
    },
    optional={
        "report_start_day": st.sampled_from(["2026-02-01", None]),
        "report_end_day": st.just("2026-03-02"),
        "user_initiated_interaction_count": _COUNT,
        "code_generation_activity_count": _COUNT,
        "code_acceptance_activity_count": _COUNT,
        "loc_added_sum": _COUNT,
        "used_copilot_cloud_agent": st.booleans() | st.none(),
        "totals_by_feature": st.none() | st.lists(st.none() | _ITEM, max_size=3),
        "totals_by_ide": st.lists(st.fixed_dictionaries({"ide": st.just("vscode")}), max_size=1),
    },
)


def _read(path: Path) -> object:
    try:
        extract = copilot_users.read(path)
    except (InputFileError, TypeError) as error:  # a fraction of a line: TypeError, either way
        return f"{type(error).__name__}: {error}"
    return extract.tables["activity"], extract.coverage, extract.rows_read, extract.unknown_fields


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(_RECORD, min_size=1, max_size=6))
def test_when_a_report_is_read_by_arrow_then_it_is_read_as_line_by_line(records):
    # missing keys, nulls, empty or null breakdowns, fractions and negative counts: same activity or error
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "users.ndjson"
        path.write_text("\n".join(json.dumps(record) for record in records) + "\n")
        fast = _read(path)
        original = copilot_users._read_arrow
        copilot_users._read_arrow = lambda path: None
        try:
            slow = _read(path)
        finally:
            copilot_users._read_arrow = original
    if isinstance(slow, str) or isinstance(fast, str):
        assert fast == slow
    else:
        pd.testing.assert_frame_equal(fast[0], slow[0])
        assert fast[1:] == slow[1:]


@pytest.mark.parametrize(
    "text",
    [
        '{"user_login": "a", "day": "2026-03-01"}\n{"user_login": 5, "day": "2026-03-01"}\n',  # mixed types
        '{"user_login": "a", "day": "2026-03-01", "day": "2026-03-02"}\n',  # a key given twice
        '[{"user_login": "a", "day": "2026-03-01"}]\n',  # a JSON array, not one object per line
        '{"day_totals": [{"user_login": "a", "day": "2026-03-01"}]}\n',  # a report wrapping its days
        '{"user_login": "a", "day": "2026-03-01", "loc_added_sum": -3}\n',  # a negative count
        '{"user_login": "a\u2028b", "day": "2026-03-01"}\n',  # a line break only Python sees
        '{"user_login": "a", "day": "2026-03-01"}\nnull\n',  # a line that is not an object
        "null\n",  # only null (Arrow would crash the process)
        ' {"user_login": "a", "day": "2026-03-01"}\n{}\n',  # a line without values
    ],
)
def test_when_a_file_is_not_plain_ndjson_then_arrow_leaves_it_to_the_line_by_line_reader(tmp_path, text):
    path = tmp_path / "users.ndjson"
    path.write_text(text, encoding="utf-8")
    assert copilot_users._read_arrow(path) is None
