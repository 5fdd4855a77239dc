"""GitHub enhanced billing usage: Copilot SKUs' quantities and amounts per organisation and month."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import copilot_billing

SAMPLE = "github_copilot/billing/billing-credits.json"


def _item(sku: str = "copilot_premium_request", net: object = 1.0, **more: object) -> dict:
    return {
        "product": "Copilot",
        "sku": sku,
        "model": "GPT-5",
        "unitType": "requests",
        "grossQuantity": 10,
        "grossAmount": 0.4,
        "netQuantity": 5,
        "netAmount": net,
        "user": "octocat",
    } | more


def _write(folder: Path, items: list[dict], **response: object) -> Path:
    document = {"timePeriod": {"year": 2026, "month": 3}, "organization": "acme", "usageItems": items}
    path = folder / "billing.json"
    path.write_text(json.dumps(document | response))
    return path


def test_when_reading_the_sample_then_each_skus_month_is_summed_over_models_and_users(formats):
    extract = sources.read(formats / SAMPLE)
    assert extract.source == "github_copilot_billing" and extract.identity is None
    aggregates = extract.tables["aggregates"]
    # timePeriod 2026-06, every item in organization "octodemo": one month on 2026-06-01
    assert aggregates[["scope", "scope_id", "day", "grain"]].drop_duplicates().values.tolist() == [
        ["organisation", "octodemo", pd.Timestamp("2026-06-01"), "month"]
    ]
    values = aggregates.set_index("metric")["value"]
    # coding_agent_ai_credit, 2 items: net 1.228963 + 2.731349 = 3.960312 USD; 122.896346 + 273.134869
    # = 396.031215 credits
    assert values["coding_agent_ai_credit_net_amount_usd"] == pytest.approx(3.960312)
    assert values["coding_agent_ai_credit_net_quantity"] == pytest.approx(396.031215)
    # coding_agent_premium_request, 4 items: 0.1904 + 1.484 + 0.03808 + 0.0736 = 1.78608 USD;
    # 4.76 + 37.1 + 0.952 + 1.84 = 44.652 requests
    assert values["coding_agent_premium_request_net_amount_usd"] == pytest.approx(1.78608)
    assert values["coding_agent_premium_request_net_quantity"] == pytest.approx(44.652)
    # copilot_premium_request, 34 items: monalisa 0.1176 + 0.0504 + 0.0126 + 2.436 + 0.406 + 0.056 + 0.042
    # = 3.1206; newjoiner 0.05088 + 0.072 + 0.16416 + 0.01152 + 0.00192 + 0.057024 + 0.1056 + 2.2848 + 0.384
    # + 0.16 + 0.7744 + 0.0192 + 0.032 + 0.0768 + 0.2784 + 0.288 = 4.760704; octokitten 0.0384 (the other
    # items are 0.0): 3.1206 + 4.760704 + 0.0384 = 7.919704 USD
    assert values["copilot_premium_request_net_amount_usd"] == pytest.approx(7.919704)
    # 4 SKUs x gross and net, quantity and amount
    assert len(values) == 16 and extract.rows_read == 110
    assert extract.coverage == () and extract.dropped == {} and extract.unknown_fields == ()


def test_when_reading_the_sample_then_the_70_ai_credit_items_match_a_plain_sum(formats):
    items = json.loads((formats / SAMPLE).read_text())["usageItems"]
    credits = [item for item in items if item["sku"] == "copilot_ai_credit"]
    values = sources.read(formats / SAMPLE).tables["aggregates"].set_index("metric")["value"]
    assert len(credits) == 70  # too many to add on paper: summed here without pandas
    assert values["copilot_ai_credit_net_amount_usd"] == pytest.approx(sum(i["netAmount"] for i in credits))
    assert values["copilot_ai_credit_gross_quantity"] == pytest.approx(
        sum(i["grossQuantity"] for i in credits)
    )


def test_when_items_name_other_organisations_or_products_then_each_is_kept_apart_or_dropped(tmp_path):
    items = [
        _item(net=1.5),
        _item(net="2.5", organization="acme-labs"),  # a string amount, in another organisation
        _item(net=0.5, model="Claude Opus 4.5"),  # another model of the same SKU: summed
        _item(sku="actions_linux", net=9.0, product="Actions"),  # not Copilot: dropped
    ]
    extract = copilot_billing.read(_write(tmp_path, items))
    net = extract.tables["aggregates"].query("metric == 'copilot_premium_request_net_amount_usd'")
    # acme: 1.5 + 0.5 = 2.0; acme-labs: 2.5
    assert net[["scope_id", "value"]].values.tolist() == [["acme", 2.0], ["acme-labs", 2.5]]
    assert not extract.tables["aggregates"]["metric"].str.startswith("actions").any()
    assert extract.dropped == {copilot_billing.OTHER_PRODUCTS: 1}


def test_when_the_period_names_a_day_then_the_figures_are_that_days(tmp_path):
    path = _write(tmp_path, [_item()], timePeriod={"year": 2026, "month": 3, "day": 4})
    aggregates = copilot_billing.read(path).tables["aggregates"]
    assert aggregates[["day", "grain"]].drop_duplicates().values.tolist() == [
        [pd.Timestamp("2026-03-04"), "day"]
    ]


def test_when_no_organisation_is_named_then_the_enterprise_is_the_scope(tmp_path):
    path = _write(tmp_path, [_item()], organization=None, enterprise="acme-ent")
    aggregates = copilot_billing.read(path).tables["aggregates"]
    assert aggregates[["scope", "scope_id"]].drop_duplicates().values.tolist() == [["enterprise", "acme-ent"]]


# fmt: off
BAD = [
    # (what is wrong, the second item as given, the column the error must name)
    ("no sku", {"product": "Copilot", "netAmount": 1}, "usageItems[].sku"),
    ("an amount that is not a number", _item(net="free"), "usageItems[].netAmount"),
    ("a negative quantity", _item(grossQuantity=-1), "usageItems[].grossQuantity"),
]
# fmt: on


@pytest.mark.parametrize(("case", "item", "column"), BAD, ids=[b[0] for b in BAD])
def test_when_an_item_is_bad_then_the_error_names_its_row_and_column(tmp_path, case, item, column):
    path = _write(tmp_path, [_item(), item])
    with pytest.raises(InputFileError) as caught:
        copilot_billing.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, 2, column)


# fmt: off
PERIODS = [
    # (what is wrong with the period, the timePeriod as given, the column the error must name)
    ("no month", {"year": 2026}, "timePeriod.month"),
    ("a month that is not a number", {"year": 2026, "month": "June"}, "timePeriod.month"),
    ("a month that does not exist", {"year": 2026, "month": 13}, "timePeriod.month"),
]
# fmt: on


@pytest.mark.parametrize(("case", "period", "column"), PERIODS, ids=[p[0] for p in PERIODS])
def test_when_the_period_is_bad_then_the_error_names_it(tmp_path, case, period, column):
    path = _write(tmp_path, [_item()], timePeriod=period)
    with pytest.raises(InputFileError) as caught:
        copilot_billing.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, 1, column)


def test_when_no_item_has_an_organisation_or_enterprise_then_the_error_says_so(tmp_path):
    path = _write(tmp_path, [_item(), _item()], organization=None)
    with pytest.raises(InputFileError) as caught:
        copilot_billing.read(path)
    assert (caught.value.row, caught.value.column) == (1, "usageItems[].organization")
