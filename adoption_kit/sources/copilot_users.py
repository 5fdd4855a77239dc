"""GitHub Copilot usage metrics: the per-user report (NDJSON, one record per user and day).

Each day's use is split by feature into surfaces (FORMATS.md §1a): completions count accepted suggestions,
chat, agent and CLI features count the prompts a person sent. Logins are the identity (no emails here).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from adoption_kit.errors import InputFileError
from adoption_kit.sources._api_json import documents, flat, is_json, list_items, ndjson_table
from adoption_kit.sources._tabular import parse_column
from adoption_kit.sources.base import Coverage, Extract
from adoption_kit.sources.fields import Fields

NAME = "github_copilot_user_metrics"
DESCRIPTION = "GitHub Copilot usage-metrics per-user report (users-1-day / users-28-day, NDJSON or JSON)"
TOOL = "github_copilot"
REQUIRED = ("user_login", "day")
SURFACES = {
    "code_completion": "code_completion",
    "chat_panel_agent_mode": "agent",
    "agent_edit": "agent",
    "copilot_cli": "cli",
    "cloud_agent": "cloud_agent",
}
CHAT_PREFIX = "chat"
ACTIVITY_COUNTS = (  # the counters of every user-day, organisation day and breakdown
    "user_initiated_interaction_count",
    "code_generation_activity_count",
    "code_acceptance_activity_count",
    "loc_suggested_to_add_sum",
    "loc_suggested_to_delete_sum",
    "loc_added_sum",
    "loc_deleted_sum",
)
USAGE_DETAIL = (  # per-user flags and breakdowns, in the day and the window reports alike
    "used_agent",
    "used_chat",
    "used_cli",
    "used_copilot_coding_agent",
    "used_copilot_cloud_agent",
    "used_copilot_code_review_active",
    "used_copilot_code_review_passive",
    "totals_by_ide",
    "totals_by_feature",
    "totals_by_language_feature",
    "totals_by_language_model",
    "totals_by_model_feature",
    "totals_by_cli",
    "totals_by_copilot_app",
    "totals_by_3rd_party_agent",
)
KNOWN_KEYS = frozenset(
    [
        *ACTIVITY_COUNTS,
        *USAGE_DETAIL,
        "report_start_day",
        "report_end_day",
        "day",
        "enterprise_id",
        "organization_id",
        "user_id",
        "user_login",
        "generated_loc_sum",
        "accepted_loc_sum",
        "ai_credits_used",
        "ai_adoption_phase",
        "etl_id",
        "day_partition",
        "entity_id_partition",
    ]
)
IDENTIFIERS = frozenset(["user_login", "user_id"])
FIELDS = Fields(identifiers=IDENTIFIERS, passed=KNOWN_KEYS - IDENTIFIERS, required=frozenset(["user_login"]))
AGENT_FLAGS = ("used_copilot_coding_agent", "used_copilot_cloud_agent")
COUNTS = ("user_initiated_interaction_count", "code_acceptance_activity_count", "loc_added_sum")
DAYS = ("day", "report_start_day", "report_end_day")
ITEM_COLUMNS = ("feature", "code_generation_activity_count", *COUNTS)
RECORD_COLUMNS = ("user_login", *DAYS, *AGENT_FLAGS, "code_generation_activity_count", *COUNTS)


def sniff(head: str) -> bool:
    """User-day records with a login: NDJSON, a JSON array or a report's ``day_totals`` (no team rows)."""
    try:
        first = json.loads(head.lstrip("\ufeff").splitlines()[0])
    except (json.JSONDecodeError, IndexError):
        first = None
    if isinstance(first, dict) and "day_totals" not in first:
        return {"user_login", "day"} <= first.keys() and not {"team_id", "slug"} & first.keys()
    wrapped = '"day_totals"' in head or head.lstrip("\ufeff \t\r\n").startswith("[")
    return is_json(head) and wrapped and '"user_login"' in head and '"team_id"' not in head


@FIELDS.checked
def read(path: Path) -> Extract:
    """Activity per login, day and surface."""
    records, items, fields = _read_arrow(path) or _read_python(path)
    for column in REQUIRED:
        if column not in records.columns or records[column].isna().any():
            row = 1 if column not in records.columns else int(records[column].isna().to_numpy().argmax()) + 1
            raise InputFileError(
                "missing key", path=path, row=row, column=column, expected="a login and a day in every record"
            )
    records["day"] = parse_column(records["day"], "day", path=path, column="day", row_offset=1)
    features = _features(records, items, path)
    surface = features["feature"].map(SURFACES)
    surface = surface.fillna(
        features["feature"].where(~features["feature"].str.startswith(CHAT_PREFIX), "ide_chat")
    )
    completions = features["feature"] == "code_completion"
    events = features["code_acceptance_activity_count"].where(
        completions, features["user_initiated_interaction_count"]
    )
    # A day whose only use was the cloud agent has no counts but is still a day of use.
    used = (events > 0) | (features["code_generation_activity_count"] > 0) | features["flagged"]
    activity = pd.DataFrame(
        {
            "identity": features["user_login"],
            "tool": TOOL,
            "day": features["day"],
            "grain": "day",
            "surface": surface,
            "events": events.astype("int64"),
            "lines_accepted": features["loc_added_sum"].astype("Int64"),
        }
    ).loc[used]
    activity = activity.groupby(["identity", "tool", "day", "grain", "surface"], as_index=False).sum()
    return Extract(
        NAME,
        path,
        "github_login",
        len(records),
        {"activity": activity},
        coverage=_coverage(records, path),
        fields=fields,
    )


def _read_python(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    """The records (one row per user and day), their feature items (indexed by record) and the fields."""
    records = pd.DataFrame(_user_days(path))
    breakdowns = records.get("totals_by_feature", pd.Series(None, index=records.index, dtype="object"))
    exploded = breakdowns.explode()
    itemized = exploded.loc[exploded.map(lambda item: isinstance(item, dict))]
    return records, flat(itemized.tolist(), index=itemized.index), tuple(records.columns)


def _read_arrow(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]] | None:
    """What ``_read_python`` gives, from an NDJSON file Arrow reads in one pass (the 28-day reports run to
    tens of megabytes); None when the file is not that plain (then the line-by-line reader reads it and
    names what is wrong): not NDJSON, a type that is not the documented one, a negative count."""
    table = ndjson_table(path, text=DAYS)
    if table is None or "day_totals" in table.column_names:
        return None
    columns = [name for name in RECORD_COLUMNS if name in table.column_names]
    no_breakdowns = pa.chunked_array([pa.nulls(table.num_rows)])
    items = list_items(
        table.column("totals_by_feature") if "totals_by_feature" in table.column_names else no_breakdowns
    )
    if items is None:
        return None
    struct, rows = items
    children = dict(zip([field.name for field in struct.type], struct.flatten(), strict=True))
    if {"user_login", "day", "flagged"} & children.keys():
        return None
    record_values = {name: table.column(name) for name in columns}
    item_values = {name: values for name, values in children.items() if name in ITEM_COLUMNS}
    if not all(_plain(name, values) for name, values in (*record_values.items(), *item_values.items())):
        return None
    records = pd.DataFrame({name: values.to_pandas() for name, values in record_values.items()})
    detail = pd.DataFrame({name: values.to_pandas() for name, values in item_values.items()})
    detail = detail.set_axis(pd.Index(rows.to_numpy(), dtype="int64"))
    return records, detail, tuple(table.column_names)


def _plain(name: str, values: pa.Array | pa.ChunkedArray) -> bool:
    """Is a column of the documented type (logins and days text, flags true or false, counts not negative)?"""
    kind = values.type
    if pa.types.is_null(kind):
        return True
    if name in ("user_login", "feature", *DAYS):
        return pa.types.is_string(kind)
    if name in AGENT_FLAGS:
        return pa.types.is_boolean(kind)
    numeric = pa.types.is_int64(kind) or pa.types.is_float64(kind)
    return numeric and (pc.min(values).as_py() or 0) >= 0


def _user_days(path: Path) -> list[dict]:
    """The user-day records, whether one per line or inside reports' ``day_totals`` lists."""
    found = [d for d in documents(path) if isinstance(d, dict)]
    wrapped = [row for d in found for row in d.get("day_totals", [])]
    return wrapped or found


def _coverage(records: pd.DataFrame, path: Path) -> tuple[Coverage, ...]:
    """A 28-day report covers its stated window; a 1-day report the days it lists."""
    first, last = records["day"].min(), records["day"].max()
    if {"report_start_day", "report_end_day"} <= set(records.columns):
        start = parse_column(
            records["report_start_day"], "date", path=path, column="report_start_day", row_offset=1
        )
        end = parse_column(
            records["report_end_day"], "date", path=path, column="report_end_day", row_offset=1
        )
        first, last = min(first, start.min()), max(last, end.max())
    return (Coverage(TOOL, "day", pd.Timestamp(first), pd.Timestamp(last)),)


def _features(records: pd.DataFrame, items: pd.DataFrame, path: Path) -> pd.DataFrame:
    """One row per (record, feature); records without a feature breakdown count as feature 'other'."""
    itemized = records.loc[items.index, ["user_login", "day"]].reset_index(drop=True)
    with_features = pd.concat([itemized, items.reset_index(drop=True)], axis=1)
    bare = records.loc[~records.index.isin(items.index)]
    cloud_agent = bare.reindex(columns=AGENT_FLAGS).eq(True).any(axis=1)
    bare = bare.assign(feature=cloud_agent.map({True: "cloud_agent", False: "other"}), flagged=cloud_agent)
    features = pd.concat([with_features, bare], ignore_index=True)
    for column in ("feature", *COUNTS, "code_generation_activity_count"):
        if column not in features.columns:
            features[column] = 0
    features["flagged"] = features.get("flagged", pd.Series(False, index=features.index)).eq(True)
    numeric = ["code_generation_activity_count", *COUNTS]
    values = features[numeric].apply(pd.to_numeric, errors="coerce")
    bad = values.isna() & features[numeric].notna() | (values < 0)
    if bad.any().any():
        column = str(bad.any().idxmax())
        raise InputFileError(
            f"a count is not a non-negative number ({features.loc[bad[column], column].iloc[0]!r})",
            path=path,
            column=column,
            expected="non-negative whole numbers",
        )
    features[numeric] = values.fillna(0)
    features["feature"] = features["feature"].astype("str")
    return features
