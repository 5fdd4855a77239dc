"""ChatGPT user report: messages to ChatGPT's tools (tool_to_messages) as tasks by use case, by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import _dict_strings, chatgpt_users

SAMPLE = "chatgpt_enterprise/synthetic/chatgpt_user_report_monthly_v2025-10_SYNTHETIC.csv"
HEADER = "cadence,period_start,period_end,email,user_status,created_or_invited_date,is_active,messages"


def _report(folder: Path, *rows: str, header: str = f"{HEADER},tool_to_messages") -> Path:
    path = folder / "weekly user report.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _row(email: str, tools: str) -> str:
    quoted = tools.replace('"', '""')  # CSV doubles quotes inside a quoted cell
    return f'Weekly,2026-03-01,2026-03-07,{email},enabled,2026-01-05,1,90,"{quoted}"'


def test_when_reading_the_sample_then_each_tool_counts_for_its_use_case(formats):
    tasks = sources.read(formats / SAMPLE).tables["tasks"]
    october = pd.Timestamp("2025-10-01")
    # ada: {'Search': 60, 'Data Analysis': 40, 'Canvas': 15, 'Image Gen': 5}; bo: {'Search': 1}
    assert sorted(tasks.values.tolist()) == [
        ["ada@example.com", "chatgpt_enterprise", october, "month", "data_analysis", 40, "vendor"],
        ["ada@example.com", "chatgpt_enterprise", october, "month", "image", 5, "vendor"],
        ["ada@example.com", "chatgpt_enterprise", october, "month", "research", 60, "vendor"],
        ["ada@example.com", "chatgpt_enterprise", october, "month", "writing", 15, "vendor"],
        ["bo@example.com", "chatgpt_enterprise", october, "month", "research", 1, "vendor"],
    ]


def test_when_several_tools_serve_one_use_case_then_their_messages_add_up(tmp_path):
    path = _report(
        tmp_path,
        _row("ann@acme.test", "{'Search': 3, 'Deep Research': 2, 'Retrieval': 1, 'Memory': 4, 'Tasks': 1}"),
        _row("bo@acme.test", "{'python': 2, 'dalle': 1, \"Bob's Widget\": 7, 'Canvas': 0}"),
        _row("cy@acme.test", ""),  # no tool used: no task
    )
    tasks = chatgpt_users.read(path).tables["tasks"]
    # ann: research 3 + 2 + 1; Memory and Tasks are no use case the kit names: other 4 + 1.
    # bo: the glossary's older names (python, dalle); an unknown tool is other; a zero makes no row.
    counted = tasks.set_index(["identity", "category"])["events"].to_dict()
    assert counted == {
        ("ann@acme.test", "other"): 5,
        ("ann@acme.test", "research"): 6,
        ("bo@acme.test", "data_analysis"): 2,
        ("bo@acme.test", "image"): 1,
        ("bo@acme.test", "other"): 7,
    }
    assert set(tasks["grain"]) == {"week"} and set(tasks["day"]) == {pd.Timestamp("2026-03-01")}


def test_when_an_older_report_has_no_tool_column_then_it_has_no_tasks(tmp_path):
    row = "Weekly,2026-03-01,2026-03-07,ann@acme.test,enabled,2026-01-05,1,9"
    path = _report(tmp_path, row, header=HEADER)
    extract = chatgpt_users.read(path)
    assert extract.tables["tasks"].empty and len(extract.tables["activity"]) == 1


@pytest.mark.parametrize(
    "tools",
    [
        "{Search: 3}",  # names unquoted
        "{'Search': -3}",  # a negative count
        "{'Search': 3.5}",  # not a whole number
        "Search=3",  # not a dict
    ],
)
def test_when_a_tool_dict_is_malformed_then_the_error_names_file_row_and_column(tmp_path, tools):
    path = _report(tmp_path, _row("ann@acme.test", "{'Search': 1}"), _row("bo@acme.test", tools))
    with pytest.raises(InputFileError) as raised:
        chatgpt_users.read(path)
    assert (raised.value.path, raised.value.row, raised.value.column) == (path, 3, "tool_to_messages")
    assert "{'Search': 60" in raised.value.expected


def test_when_dict_strings_are_split_then_each_entry_keeps_its_cell_key_and_count():
    cells = pd.Series(
        ["{'Search': 60, 'a, b: c': 2}", None, "{}", "{\"it's\": 3,'Canvas':15 }", "{'': 4}"],
        index=[10, 11, 12, 13, 14],
    )
    found = _dict_strings.entries(cells)
    assert found["row"].tolist() == [10, 10, 13, 13, 14]
    assert found["key"].tolist()[:4] == ["Search", "a, b: c", "it's", "Canvas"]
    assert pd.isna(found["key"].iloc[4])  # an empty name is missing
    assert found["count"].tolist() == [60, 2, 3, 15, 4]
    assert _dict_strings.malformed(cells).tolist() == [False, False, False, False, False]
    assert _dict_strings.malformed(pd.Series(["{'a': 1.5}", "{'a' 1}", "[1]"])).all()
