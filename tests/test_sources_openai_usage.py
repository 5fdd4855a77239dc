"""OpenAI organisation usage and costs: users' buckets as activity, the rest as aggregates."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import openai_usage
from adoption_kit.sources._canonical import UNNAMED

MARCH_2 = 1772409600  # 2026-03-02T00:00:00Z in epoch seconds
DAY = 86_400


def _usage(requests: object, tokens_in: object = 10, tokens_out: object = 1, **groups: object) -> dict:
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "input_cached_tokens": 0,
        "num_model_requests": requests,
        "project_id": None,
        "user_id": None,
        "api_key_id": None,
        "model": None,
        "batch": None,
    } | groups


def _cost(value: object, currency: str = "usd", **groups: object) -> dict:
    return {"object": "organization.costs.result", "amount": {"value": value, "currency": currency}} | groups


def _page(*buckets: tuple[int, list[dict]]) -> dict:
    data = [
        {"object": "bucket", "start_time": start, "end_time": start + DAY, "results": results}
        for start, results in buckets
    ]
    return {"object": "page", "data": data, "has_more": False, "next_page": None}


def _write(folder: Path, document: object) -> Path:
    path = folder / "openai.json"
    path.write_text(json.dumps(document))
    return path


def test_when_reading_the_completions_example_then_its_ungrouped_bucket_is_the_organisation(formats):
    extract = sources.read(formats / "openai_api/docs_examples/usage_completions_example.json")
    assert extract.source == "openai_usage"
    assert extract.tables["activity"].empty and extract.identity is None  # no user_id: no person
    aggregates = extract.tables["aggregates"]
    # one bucket starting 1736616660 = 2025-01-11T17:31:00Z: 470 requests, 141,201 tokens in, 9,756 out
    assert set(aggregates["day"]) == {pd.Timestamp("2025-01-11")}
    assert set(aggregates["scope"]) == {"organisation"} and set(aggregates["scope_id"]) == {UNNAMED}
    assert aggregates.set_index("metric")["value"].to_dict() == {
        "input_cached_tokens": 0,
        "input_tokens": 141201,
        "num_model_requests": 470,
        "output_tokens": 9756,
    }
    assert extract.coverage == () and extract.unknown_fields == ()


def test_when_reading_the_costs_example_then_the_day_costs_six_cents(formats):
    extract = sources.read(formats / "openai_api/synthetic/costs_example_SYNTHETIC.json")
    # one bucket starting 1730419200 = 2024-11-01T00:00Z, amount 0.06 usd, no project
    assert extract.tables["aggregates"][["scope", "scope_id", "day", "metric", "value"]].values.tolist() == [
        ["organisation", UNNAMED, pd.Timestamp("2024-11-01"), "cost_usd", 0.06]
    ]


def test_when_usage_is_grouped_by_user_then_each_user_day_is_activity(tmp_path):
    pages = [
        _page(
            (
                MARCH_2,
                [_usage(3, 100, 20, user_id="user-ann", model="gpt-4o"), _usage(2, 5, 1, user_id="user-ann")],
            ),
            (MARCH_2 + 3600, [_usage("4", "40", "4", user_id="user-bo"), _usage(7, project_id="proj_1")]),
        ),
        _page((MARCH_2 + DAY, [_usage(1, user_id="user-ann"), _usage(9, api_key_id="key_1")])),
    ]
    extract = openai_usage.read(_write(tmp_path, pages))
    assert extract.identity == "openai_user_id"
    activity = extract.tables["activity"].set_index(["identity", "day"])
    # ann 2026-03-02: 3 + 2 requests over two models, 105 tokens in, 21 out; bo's 1am bucket: same day
    assert {key: tuple(row) for key, row in activity[["events", "tokens_in", "tokens_out"]].iterrows()} == {
        ("user-ann", pd.Timestamp("2026-03-02")): (5, 105, 21),
        ("user-ann", pd.Timestamp("2026-03-03")): (1, 10, 1),
        ("user-bo", pd.Timestamp("2026-03-02")): (4, 40, 4),
    }
    assert set(extract.tables["activity"]["surface"]) == {"api"}
    requests = extract.tables["aggregates"].query("metric == 'num_model_requests'")
    assert requests[["scope", "scope_id", "value"]].values.tolist() == [
        ["api_key", "key_1", 9],
        ["project", "proj_1", 7],
    ]


def test_when_costs_come_as_strings_then_they_add_up_per_project_and_day(tmp_path):
    page = _page(
        (
            MARCH_2,
            [_cost("1.25", project_id="proj_1", line_item="gpt-4o, input"), _cost(0.75, project_id="proj_1")],
        ),
        (MARCH_2, [_cost(2)]),
    )
    aggregates = openai_usage.read(_write(tmp_path, page)).tables["aggregates"]
    assert aggregates[["scope", "scope_id", "value"]].values.tolist() == [
        ["organisation", UNNAMED, 2.0],
        ["project", "proj_1", 2.0],
    ]


# fmt: off
BAD = [
    # (what is wrong, the second result as given, the column the error must name)
    ("no request count", _usage(None, user_id="u"), "data[].results[].num_model_requests"),
    ("tokens that are not a number", _usage(1, "many", user_id="u"), "data[].results[].input_tokens"),
    ("a cost that is not a number", _cost("free"), "data[].results[].amount.value"),
    ("a cost in euros", _cost(1, currency="eur"), "data[].results[].amount.currency"),
]
# fmt: on


@pytest.mark.parametrize(("case", "result", "column"), BAD, ids=[b[0] for b in BAD])
def test_when_a_result_is_bad_then_the_error_names_its_row_and_column(tmp_path, case, result, column):
    path = _write(tmp_path, _page((MARCH_2, [_usage(1, user_id="u"), result])))
    with pytest.raises(InputFileError) as caught:
        openai_usage.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, 2, column)


def test_when_a_bucket_has_no_start_time_then_the_error_names_it(tmp_path):
    page = _page((MARCH_2, [_usage(1)]))
    page["data"][0]["start_time"] = "soon"
    path = _write(tmp_path, page)
    with pytest.raises(InputFileError) as caught:
        openai_usage.read(path)
    assert (caught.value.row, caught.value.column) == (1, "data[].start_time")
