"""GitHub enhanced billing: Copilot premium-request and AI-credit usage of a period (JSON, FORMATS.md §1e).

``{timePeriod: {year, month[, day]}, organization, enterprise, usageItems: [...]}`` or a JSON array of such
responses. Items are per SKU and model, and per user when the response lists users; summed over models and
users they are aggregates of the item's organisation (else the response's, else its enterprise) for the
period: grain "month" on the month's first day, or grain "day" when the period names a day. Per SKU the
metrics are ``<sku>_gross_quantity``, ``<sku>_gross_amount_usd``, ``<sku>_net_quantity`` and
``<sku>_net_amount_usd`` (quantities in the SKU's unit: requests or AI credits). Logins are never read;
items of products other than Copilot are dropped. No coverage: there is no person-level activity here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources._canonical import GROUP
from adoption_kit.sources.base import Extract
from adoption_kit.sources.fields import Fields

NAME = "github_copilot_billing"
DESCRIPTION = "GitHub enhanced billing usage of Copilot premium requests and AI credits (usageItems JSON)"
TOOL = "github_copilot"
PRODUCT = "copilot"
KEY = "usageItems"
PREFIX = f"{KEY}[]."
PERIOD = "timePeriod."
MEASURES = {
    "grossQuantity": "gross_quantity",
    "grossAmount": "gross_amount_usd",
    "netQuantity": "net_quantity",
    "netAmount": "net_amount_usd",
}
KNOWN = frozenset(
    [
        "product",
        "sku",
        "model",
        "unitType",
        "pricePerUnit",
        "discountQuantity",
        "discountAmount",
        "user",
        "organization",
        "costCenter",
        *MEASURES,
    ]
)
IDENTIFIERS = frozenset(["user"])
FIELDS = Fields(identifiers=IDENTIFIERS, passed=KNOWN - IDENTIFIERS | {"_response"})
OTHER_PRODUCTS = "items of products other than Copilot"


def sniff(head: str) -> bool:
    """A billing usage response lists usage items."""
    return api_json.is_json(head) and f'"{KEY}"' in head


@FIELDS.checked
def read(path: Path) -> Extract:
    """Gross and net quantities and amounts per organisation, period and SKU."""
    responses = [response for response in api_json.documents(path) if isinstance(response, dict)]
    periods = _periods(responses, path)
    items = [
        {**item, "_response": number} if isinstance(item, dict) else item
        for number, response in enumerate(responses)
        for item in (response.get(KEY) or [])
    ]
    frame = api_json.flat(api_json.records([{KEY: items}], key=KEY, path=path))
    api_json.require(frame, ["sku"], path=path, prefix=PREFIX)
    product = frame.get("product", pd.Series(pd.NA, index=frame.index, dtype="object"))
    other = product.notna() & (product.astype("str").str.lower() != PRODUCT)
    response_of = frame.get("_response", pd.Series(dtype="int64"))
    period = periods.reindex(response_of.to_numpy()).set_axis(frame.index)
    return Extract(
        NAME,
        path,
        None,
        len(frame),
        {"aggregates": _aggregates(frame.loc[~other], period.loc[~other], path)},
        fields=tuple(frame.columns),
        dropped={OTHER_PRODUCTS: int(other.sum())} if other.any() else {},
    )


def _periods(responses: list[dict], path: Path) -> pd.DataFrame:
    """Each response's period (its first day and grain) and the organisation or enterprise it names."""
    frame = api_json.flat(
        [
            {key: response.get(key) for key in ("timePeriod", "organization", "enterprise")}
            for response in responses
        ]
    )
    api_json.require(frame, ["timePeriod.year", "timePeriod.month"], path=path, prefix="")
    parts = {
        part: api_json.parse(frame, f"{PERIOD}{part}", "int", path=path, prefix="")
        for part in ("year", "month", "day")
    }
    first = pd.to_datetime(
        pd.DataFrame({**parts, "day": parts["day"].fillna(1)}).astype("float64"), errors="coerce"
    )
    api_json.fail_first(
        parts["month"],
        first.isna(),
        path=path,
        column=f"{PERIOD}month",
        expected="a real year, month and day",
    )
    return pd.DataFrame(
        {
            "day": first.astype("datetime64[s]"),
            "grain": parts["day"].isna().map({True: "month", False: "day"}),
            "organization": frame.get("organization"),
            "enterprise": frame.get("enterprise"),
        },
        index=frame.index,
    )


def _aggregates(items: pd.DataFrame, periods: pd.DataFrame, path: Path) -> pd.DataFrame:
    """One row per organisation (or enterprise), period and SKU measure, summed over models and users."""
    organisation = items.get("organization", pd.Series(pd.NA, index=items.index, dtype="object"))
    organisation = organisation.where(organisation.notna(), periods["organization"])
    scope_id = organisation.where(organisation.notna(), periods["enterprise"])
    api_json.fail_first(
        scope_id,
        scope_id.isna(),
        path=path,
        column=f"{PREFIX}organization",
        expected="an organization on the item or the response, or the response's enterprise",
    )
    values = pd.DataFrame(
        {
            name: api_json.parse(items, column, "float", path=path, prefix=PREFIX)
            for column, name in MEASURES.items()
        },
        index=items.index,
    )
    group = values.assign(
        tool=TOOL,
        scope=organisation.notna().map({True: "organisation", False: "enterprise"}),
        scope_id=scope_id.astype("str"),
        day=periods["day"],
        grain=periods["grain"],
        sku=items.get("sku", pd.Series(index=items.index, dtype="str"))
        .astype("str")
        .str.lower()
        .str.replace(r"[^a-z0-9]+", "_", regex=True)
        .str.strip("_"),
    )
    long = group.melt(id_vars=[*GROUP, "sku"], value_vars=list(MEASURES.values()), var_name="measure")
    long = long.loc[long["value"].notna()].assign(metric=lambda f: f["sku"] + "_" + f["measure"])
    summed = long.groupby([*GROUP, "metric"], as_index=False, sort=True)["value"].sum()
    return summed.astype({"value": "float64"})
