"""The canonical workspace tables and their checks, applied on every write.

Dates are ``datetime64[s]`` at midnight, counts are compact integers, and person columns hold
pseudonyms only (:mod:`adoption_kit.privacy.pseudonym` makes them; a check here refuses anything else).
``texts`` holds free text (GPT and project names, prompts, survey comments) only after ingest has
scrubbed it with Presidio: personal data in it is replaced by keyed tokens. ``activity_hours`` splits the
activity of event-level sources (gateway logs, Cursor and Gemini events) by hour: its days and hours are
UTC, and a person's hours on a tool and day sum to that day's events.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from adoption_kit.errors import KitError

PSEUDONYM_PATTERN = r"^p[0-9a-f]{4}_[0-9a-f]{24}$"
TOOLS = (
    "chatgpt_enterprise",
    "github_copilot",
    "m365_copilot",
    "claude_code",
    "cursor",
    "openai_api",
    "anthropic_api",
    "gemini",
    "slack_ai",
)
SCOPES = ("organisation", "enterprise", "team", "project", "api_key", "gpt", "workspace")
FREQUENCIES = ("daily", "weekly", "monthly", "rarely", "never")
IDENTITY_KINDS = ("email", "github_login", "employee_id", "cursor_user_id", "openai_user_id", "hashed_upn")
GRAINS = ("day", "week", "month")
# Kinds of free text a source can carry (see each source's FIELDS); parameters/org.yaml says, per kind,
# whether it is scrubbed and stored or dropped.
TEXT_KINDS = (
    "gpt_name",
    "gpt_description",
    "gpt_url",
    "project_name",
    "user_role",
    "conversation_title",
    "prompt",
    "survey_comment",
)
# Use-case categories of the ``tasks`` table (DESIGN.md, "Use-case mix"): what vendors' task labels and the
# prompt rules of parameters/org.yaml can tell apart; a label or prompt that fits none is "other".
TASK_CATEGORIES = ("writing", "coding", "research", "summarization", "data_analysis", "image", "other")
TASK_SOURCES = ("vendor", "prompt_rules")  # a vendor's classification, or the kit's rules on scrubbed prompts
DATE = "datetime64[s]"

_person = pa.Column(str, pa.Check.str_matches(PSEUDONYM_PATTERN), nullable=False)
_label = pa.Column(str, nullable=False)
_optional_label = pa.Column(str, nullable=True)
_count = pa.Column("Int64", pa.Check.ge(0), nullable=True)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "people": pa.DataFrameSchema(
        {
            "person_id": _person,
            "department": _label,
            "team": _label,
            "job_function": _label,
            "location": _label,
            "level": _optional_label,
            "tenure_band": _optional_label,
            "employed_from": pa.Column(DATE, nullable=True),
            "employed_to": pa.Column(DATE, nullable=True),
        },
        unique=["person_id"],
        strict=True,
        coerce=True,
    ),
    "seats": pa.DataFrameSchema(
        {
            "person_id": _person,
            "tool": pa.Column(str, pa.Check.isin(TOOLS)),
            "assigned_on": pa.Column(DATE),
            "removed_on": pa.Column(DATE, nullable=True),
            "plan": _optional_label,
            "monthly_cost": pa.Column(float, pa.Check.ge(0), nullable=True),
        },
        unique=["person_id", "tool"],
        strict=True,
        coerce=True,
    ),
    "seat_pools": pa.DataFrameSchema(
        {
            "tool": pa.Column(str, pa.Check.isin(TOOLS)),
            "department": _label,
            "purchased": pa.Column("int32", pa.Check.ge(0)),
            "unit_cost": pa.Column(float, pa.Check.ge(0)),
            "valid_from": pa.Column(DATE),
            "valid_to": pa.Column(DATE, nullable=True),
        },
        strict=True,
        coerce=True,
    ),
    "seat_requests": pa.DataFrameSchema(
        {
            "person_id": _person,
            "tool": pa.Column(str, pa.Check.isin(TOOLS)),
            "requested_on": pa.Column(DATE),
            "closed_on": pa.Column(DATE, nullable=True),
        },
        unique=["person_id", "tool", "requested_on"],
        strict=True,
        coerce=True,
    ),
    "activity": pa.DataFrameSchema(
        {
            "person_id": _person,
            "tool": pa.Column(str, pa.Check.isin(TOOLS)),
            "day": pa.Column(DATE),
            "grain": pa.Column(str, pa.Check.isin(GRAINS)),
            "surface": _label,
            "events": pa.Column("int32", pa.Check.ge(0)),
            "tokens_in": _count,
            "tokens_out": _count,
            "cost_usd": pa.Column(float, pa.Check.ge(0), nullable=True),
            "lines_accepted": _count,
            "sessions": _count,
            "throttled": _count,
        },
        strict=True,
        coerce=True,
    ),
    "activity_hours": pa.DataFrameSchema(
        {
            "person_id": _person,
            "tool": pa.Column(str, pa.Check.isin(TOOLS)),
            "day": pa.Column(DATE),
            "hour": pa.Column("int8", pa.Check.in_range(0, 23)),
            "events": pa.Column("int32", pa.Check.ge(0)),
            "throttled": _count,
        },
        unique=["person_id", "tool", "day", "hour"],
        strict=True,
        coerce=True,
    ),
    "aggregates": pa.DataFrameSchema(
        {
            "tool": pa.Column(str, pa.Check.isin(TOOLS)),
            "scope": pa.Column(str, pa.Check.isin(SCOPES)),
            "scope_id": _label,
            "day": pa.Column(DATE),
            "grain": pa.Column(str, pa.Check.isin(GRAINS)),
            "metric": _label,
            "value": pa.Column(float, nullable=False),
        },
        unique=["tool", "scope", "scope_id", "day", "grain", "metric"],
        strict=True,
        coerce=True,
    ),
    "survey": pa.DataFrameSchema(
        {
            "period": pa.Column(DATE),
            "department": _label,
            "tool": pa.Column(str, pa.Check.isin(TOOLS)),
            "frequency": pa.Column(str, pa.Check.isin(FREQUENCIES)),
            "responses": pa.Column("int32", pa.Check.ge(1)),
        },
        strict=True,
        coerce=True,
    ),
    "texts": pa.DataFrameSchema(
        {
            "person_id": pa.Column(str, pa.Check.str_matches(PSEUDONYM_PATTERN), nullable=True),
            "tool": pa.Column(str, pa.Check.isin(TOOLS), nullable=True),
            "kind": pa.Column(str, pa.Check.isin(TEXT_KINDS)),
            "day": pa.Column(DATE),
            "department": _optional_label,
            "text": _label,
        },
        strict=True,
        coerce=True,
    ),
    "tasks": pa.DataFrameSchema(
        {
            "person_id": _person,
            "tool": pa.Column(str, pa.Check.isin(TOOLS)),
            "day": pa.Column(DATE),
            "grain": pa.Column(str, pa.Check.isin(GRAINS)),
            "category": pa.Column(str, pa.Check.isin(TASK_CATEGORIES)),
            "events": pa.Column("int32", pa.Check.ge(0)),
            "source": pa.Column(str, pa.Check.isin(TASK_SOURCES)),
        },
        unique=["person_id", "tool", "day", "grain", "category", "source"],
        strict=True,
        coerce=True,
    ),
    "identities": pa.DataFrameSchema(
        {
            "kind": pa.Column(str, pa.Check.isin(IDENTITY_KINDS)),
            "token": _person,
            "person_id": _person,
        },
        unique=["kind", "token"],
        strict=True,
        coerce=True,
    ),
    "exports": pa.DataFrameSchema(
        {
            "export_id": pa.Column(str, pa.Check.str_matches(r"^[0-9a-f]{16}$")),
            "source": _label,
            "tool": pa.Column(str, pa.Check.isin(TOOLS), nullable=True),
            "grain": pa.Column(str, pa.Check.isin(GRAINS), nullable=True),
            "first_day": pa.Column(DATE, nullable=True),
            "last_day": pa.Column(DATE, nullable=True),
            "exported_at": pa.Column(DATE),
            "ingested_at": pa.Column(DATE),
            "rows_read": pa.Column("int64", pa.Check.ge(0)),
        },
        strict=True,
        coerce=True,
    ),
    "outcomes": pa.DataFrameSchema(
        {
            "unit_type": pa.Column(str, pa.Check.isin(("person", "team", "department"))),
            "unit_id": _label,
            "period": pa.Column(DATE),
            "kpi": _label,
            "value": pa.Column(float, nullable=False),
        },
        unique=["unit_type", "unit_id", "period", "kpi"],
        strict=True,
        coerce=True,
    ),
}

TABLES = tuple(SCHEMAS)


def empty(table: str) -> pd.DataFrame:
    """An empty frame with the table's columns and dtypes."""
    schema = SCHEMAS[table]
    return pd.DataFrame({name: pd.Series(dtype=column.dtype.type) for name, column in schema.columns.items()})


def conform(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the table's optional columns that a source does not have, in schema order."""
    schema = SCHEMAS[table]
    missing = {
        name: pd.Series(index=frame.index, dtype=column.dtype.type)
        for name, column in schema.columns.items()
        if name not in frame.columns
    }
    return frame.assign(**missing)[list(schema.columns)]


def validate(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Check ``frame`` against the table's schema; a failure is a :class:`KitError` naming the column."""
    try:
        return SCHEMAS[table].validate(frame, lazy=False)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors, ValueError, TypeError) as error:
        column = getattr(error, "schema", None)
        raise KitError(
            f"the {table} table does not satisfy its schema: {error}",
            column=getattr(column, "name", None),
            expected=f"the canonical '{table}' table of DESIGN.md",
        ) from error
