"""Cursor Admin API team spend: each member's premium requests and spend on the billing cycle's first day."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import cursor_spend

SAMPLE = "cursor/docs_examples/spend_example.json"
MARCH_2 = 1772409600000  # 2026-03-02T00:00:00Z in epoch milliseconds


def _member(email: str, requests: object = 1, cents: object = 0, **more: object) -> dict:
    return (
        {"email": email, "name": "A Name", "role": "member", "fastPremiumRequests": requests}
        | ({"spendCents": cents} if cents is not None else {})
        | more
    )


def _write(folder: Path, document: object) -> Path:
    path = folder / "spend.json"
    path.write_text(json.dumps(document))
    return path


def test_when_reading_the_docs_example_then_each_member_has_the_cycles_requests_and_spend(formats):
    extract = sources.read(formats / SAMPLE)
    assert extract.source == "cursor_spend" and extract.identity == "email"
    activity = extract.tables["activity"].set_index("identity")
    # subscriptionCycleStart 1708992000000 ms = 2024-02-27T00:00:00Z
    assert set(activity["day"]) == {pd.Timestamp("2024-02-27")}
    assert set(activity["grain"]) == {"month"} and set(activity["surface"]) == {"premium_requests"}
    # developer: 1250 fast premium requests, 2450 cents = $24.50; admin: 980 requests, 1875 cents = $18.75
    assert activity[["events", "cost_usd"]].to_dict("index") == {
        "developer@company.com": {"events": 1250, "cost_usd": 24.5},
        "admin@company.com": {"events": 980, "cost_usd": 18.75},
    }
    assert not {"name", "role"} & set(extract.tables["activity"].columns)
    assert extract.rows_read == 2 and extract.coverage == () and extract.dropped == {}
    assert extract.unknown_fields == ()


def test_when_a_member_used_nothing_this_cycle_then_they_are_dropped_not_counted_active(tmp_path):
    page = {
        "teamMemberSpend": [
            _member("ann@acme.test", 3, 120),
            _member("bo@acme.test", 0, 0),  # no requests, no spend: no use shown
            _member("cy@acme.test", 0, 250),  # usage-based spend without fast requests: a user
            _member("dee@acme.test", 2, None),  # no spend figure: empty, not zero
        ],
        "subscriptionCycleStart": str(MARCH_2),
    }
    extract = cursor_spend.read(_write(tmp_path, page))
    activity = extract.tables["activity"].set_index("identity")
    assert activity["events"].to_dict() == {"ann@acme.test": 3, "cy@acme.test": 0, "dee@acme.test": 2}
    assert activity["cost_usd"].loc[["ann@acme.test", "cy@acme.test"]].tolist() == [1.2, 2.5]
    assert pd.isna(activity.loc["dee@acme.test", "cost_usd"])
    assert set(activity["day"]) == {pd.Timestamp("2026-03-02")}
    assert extract.dropped == {cursor_spend.IDLE_DROPPED: 1}


def test_when_pages_are_saved_together_then_each_member_keeps_their_pages_cycle(tmp_path):
    pages = [
        {"teamMemberSpend": [_member("ann@acme.test", 3)], "subscriptionCycleStart": MARCH_2},
        {"teamMemberSpend": [_member("bo@acme.test", 4, userId="u_2")], "subscriptionCycleStart": MARCH_2},
    ]
    extract = cursor_spend.read(_write(tmp_path, pages))
    assert extract.tables["activity"]["events"].tolist() == [3, 4]
    assert extract.unknown_fields == ()  # userId is known


# fmt: off
BAD = [
    # (what is wrong, the second member as given, the column the error must name)
    ("no email", {"fastPremiumRequests": 1}, "teamMemberSpend[].email"),
    ("no request count", {"email": "bo@acme.test", "spendCents": 1}, "teamMemberSpend[].fastPremiumRequests"),
    ("requests that are not a number", _member("bo@acme.test", "many"),
     "teamMemberSpend[].fastPremiumRequests"),
    ("a negative spend", _member("bo@acme.test", 1, -5), "teamMemberSpend[].spendCents"),
]
# fmt: on


@pytest.mark.parametrize(("case", "member", "column"), BAD, ids=[b[0] for b in BAD])
def test_when_a_member_is_bad_then_the_error_names_its_row_and_column(tmp_path, case, member, column):
    path = _write(
        tmp_path,
        {"teamMemberSpend": [_member("ann@acme.test"), member], "subscriptionCycleStart": MARCH_2},
    )
    with pytest.raises(InputFileError) as caught:
        cursor_spend.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, 2, column)


# fmt: off
CYCLES = [
    # (what is wrong with the second page's cycle start, its value)
    ("missing", None),
    ("not epoch milliseconds", "last month"),
]
# fmt: on


@pytest.mark.parametrize(("case", "cycle"), CYCLES, ids=[c[0] for c in CYCLES])
def test_when_a_page_has_no_usable_cycle_start_then_the_error_names_that_page(tmp_path, case, cycle):
    pages = [
        {"teamMemberSpend": [_member("ann@acme.test")], "subscriptionCycleStart": MARCH_2},
        {"teamMemberSpend": [_member("bo@acme.test")], "subscriptionCycleStart": cycle},
    ]
    path = _write(tmp_path, pages)
    with pytest.raises(InputFileError) as caught:
        cursor_spend.read(path)
    assert (caught.value.row, caught.value.column) == (2, "subscriptionCycleStart")
