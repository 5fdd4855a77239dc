"""Anthropic messages usage and cost reports: Claude API tokens and costs as workspace aggregates."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import anthropic_usage_cost
from adoption_kit.sources._canonical import UNNAMED

EXAMPLES = "anthropic/docs_examples"
WORKSPACE = "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"


def _usage(uncached: object = 10, output: object = 1, **more: object) -> dict:
    return {
        "uncached_input_tokens": uncached,
        "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0},
        "cache_read_input_tokens": 0,
        "output_tokens": output,
        "server_tool_use": {"web_search_requests": 0},
        "workspace_id": None,
        "api_key_id": None,
        "model": None,
    } | more


def _cost(amount: object, currency: str = "USD", **more: object) -> dict:
    return {"amount": amount, "currency": currency, "cost_type": "tokens", "workspace_id": None} | more


def _page(*buckets: tuple[str, list[dict]]) -> dict:
    data = [{"starting_at": start, "ending_at": start, "results": results} for start, results in buckets]
    return {"data": data, "has_more": False, "next_page": None}


def _write(folder: Path, document: object) -> Path:
    path = folder / "anthropic.json"
    path.write_text(json.dumps(document))
    return path


def test_when_reading_the_messages_usage_example_then_its_workspace_has_the_days_tokens(formats):
    extract = sources.read(formats / EXAMPLES / "messages_usage_report_example.json")
    assert extract.source == "anthropic_usage_cost" and extract.identity is None
    aggregates = extract.tables["aggregates"]
    # one bucket from 2025-08-01T00:00:00Z, one result in workspace wrkspc_01Jw...: uncached input 1500,
    # cache creation 1000 (1 hour) + 500 (5 minutes) = 1500, cache reads 200, output 500, 10 web searches
    assert set(aggregates["tool"]) == {"anthropic_api"}
    assert aggregates[["scope", "scope_id", "day", "grain"]].drop_duplicates().values.tolist() == [
        ["workspace", WORKSPACE, pd.Timestamp("2025-08-01"), "day"]
    ]
    assert aggregates.set_index("metric")["value"].to_dict() == {
        "cache_creation_input_tokens": 1500,
        "cache_read_input_tokens": 200,
        "output_tokens": 500,
        "uncached_input_tokens": 1500,
        "web_search_requests": 10,
    }
    assert "activity" not in extract.tables and extract.coverage == ()
    assert extract.rows_read == 1 and extract.unknown_fields == ()


def test_when_reading_the_cost_example_then_its_cents_become_dollars(formats):
    extract = sources.read(formats / EXAMPLES / "cost_report_example.json")
    # amount "123.78912" cents (a string) = $1.2378912, on 2025-08-01, workspace wrkspc_01Jw...
    assert extract.tables["aggregates"][["scope", "scope_id", "day", "metric"]].values.tolist() == [
        ["workspace", WORKSPACE, pd.Timestamp("2025-08-01"), "cost_usd"]
    ]
    assert extract.tables["aggregates"]["value"].tolist() == [pytest.approx(1.2378912)]
    assert extract.unknown_fields == ()


def test_when_hourly_buckets_share_a_day_then_they_add_up_per_workspace(tmp_path):
    page = _page(
        ("2026-03-02T00:00:00Z", [_usage(100, 20, workspace_id="ws_a"), _usage(5, 1, workspace_id="ws_a")]),
        ("2026-03-02T23:00:00Z", [_usage("40", "4", workspace_id="ws_b"), _usage(7, 2)]),
        ("2026-03-03T00:00:00Z", [_usage(1, 1, workspace_id="ws_a")]),
    )
    aggregates = anthropic_usage_cost.read(_write(tmp_path, page)).tables["aggregates"]
    uncached = aggregates.query("metric == 'uncached_input_tokens'")
    # ws_a on 2 March: 100 + 5 = 105; ws_b's 11pm bucket: 40 (a string); the result with no workspace
    # in a response grouped by workspace is the default workspace: 7
    assert uncached[["scope_id", "day", "value"]].values.tolist() == [
        ["default", pd.Timestamp("2026-03-02"), 7],
        ["ws_a", pd.Timestamp("2026-03-02"), 105],
        ["ws_a", pd.Timestamp("2026-03-03"), 1],
        ["ws_b", pd.Timestamp("2026-03-02"), 40],
    ]
    assert set(aggregates["scope"]) == {"workspace"}


def test_when_no_result_names_a_workspace_then_the_figures_are_the_organisations(tmp_path):
    page = _page(("2026-03-02T00:00:00Z", [_cost("250"), _cost(50, model="claude-opus-4-6")]))
    aggregates = anthropic_usage_cost.read(_write(tmp_path, page)).tables["aggregates"]
    # 250 + 50 = 300 cents = $3
    assert aggregates[["scope", "scope_id", "metric", "value"]].values.tolist() == [
        ["organisation", UNNAMED, "cost_usd", 3.0]
    ]


def test_when_a_result_has_an_unknown_key_then_it_is_listed(tmp_path):
    page = _page(("2026-03-02T00:00:00Z", [_usage(1, 1, new_counter=3, server_tool_use={"fetches": 1})]))
    extract = anthropic_usage_cost.read(_write(tmp_path, page))
    assert extract.unknown_fields == ("new_counter", "server_tool_use.fetches")


# fmt: off
BAD = [
    # (what is wrong, the second result as given, the column the error must name)
    ("no output tokens", _usage(1, None), "data[].results[].output_tokens"),
    ("tokens that are not a number", _usage("many"), "data[].results[].uncached_input_tokens"),
    ("negative cache reads", _usage(cache_read_input_tokens=-1), "data[].results[].cache_read_input_tokens"),
    ("a cost that is not a number", _cost("free"), "data[].results[].amount"),
    ("a cost in euros", _cost("1", currency="EUR"), "data[].results[].currency"),
]
# fmt: on


@pytest.mark.parametrize(("case", "result", "column"), BAD, ids=[b[0] for b in BAD])
def test_when_a_result_is_bad_then_the_error_names_its_row_and_column(tmp_path, case, result, column):
    path = _write(tmp_path, _page(("2026-03-02T00:00:00Z", [_usage(1), result])))
    with pytest.raises(InputFileError) as caught:
        anthropic_usage_cost.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, 2, column)


def test_when_a_bucket_has_no_start_then_the_error_names_that_bucket(tmp_path):
    page = _page(("2026-03-02T00:00:00Z", [_usage(1)]), ("soon", [_usage(2)]))
    path = _write(tmp_path, page)
    with pytest.raises(InputFileError) as caught:
        anthropic_usage_cost.read(path)
    assert (caught.value.row, caught.value.column) == (2, "data[].starting_at")
