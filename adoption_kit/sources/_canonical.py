"""Small steps from a vendor's rows to canonical ones: UTC days, hashed key names, aggregates in long form."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError

UNNAMED = "unnamed"  # scope_id when the file does not say which organisation it describes
GROUP = ["tool", "scope", "scope_id", "day", "grain"]


def hashed(name: str) -> str:
    """A stable, non-reversible stand-in for a name that may be personal (an API key's name)."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


def utc_days(
    values: pd.Series, *, path: Path, column: str, unit: str | None = None, first_row: int
) -> pd.Series:
    """The UTC day (midnight, datetime64[s]) of ISO-8601 timestamps, or of epoch numbers in ``unit``."""
    moments = utc_times(values, path=path, column=column, unit=unit, first_row=first_row)
    return moments.dt.normalize().astype("datetime64[s]")


def utc_times(
    values: pd.Series, *, path: Path, column: str, unit: str | None = None, first_row: int
) -> pd.Series:
    """The UTC time (without time zone) of ISO-8601 timestamps, or of epoch numbers in ``unit``."""
    text = values.astype("str").str.strip().where(values.notna())
    if unit is None:
        moments = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    else:
        moments = pd.to_datetime(pd.to_numeric(text, errors="coerce"), unit=unit, utc=True, errors="coerce")
    bad = (text.isna() | moments.isna()).to_numpy(dtype=bool)
    if bad.any():
        position = int(bad.argmax())
        raise InputFileError(
            f"cannot use the value {text.iloc[position]!r}",
            path=path,
            row=position + first_row,
            column=column,
            expected="an ISO-8601 timestamp" if unit is None else f"a time in epoch {unit}",
        )
    return moments.dt.tz_convert(None)


def aggregates(frame: pd.DataFrame, metrics: Mapping[str, str]) -> pd.DataFrame:
    """One aggregates row per group, day and metric from wide columns (``metrics``: column -> metric name).

    ``frame`` has the GROUP columns; missing values make no row (empty is not zero); rows of the same
    group, day and metric are summed, so pass counts, tokens and amounts, or deduplicate first.
    """
    present = {column: metric for column, metric in metrics.items() if column in frame.columns}
    long = frame[GROUP + list(present)].rename(columns=present).melt(id_vars=GROUP, var_name="metric")
    long = long.loc[long["value"].notna()].astype({"value": "float64"})
    return long.groupby([*GROUP, "metric"], as_index=False, sort=True)["value"].sum()


def free_texts(frame: pd.DataFrame, kinds: Mapping[str, str], *, context: pd.DataFrame) -> pd.DataFrame:
    """One raw ``texts`` row per non-empty free-text cell, still to be scrubbed by ingest.

    ``kinds`` maps a column of ``frame`` to the kind of text it holds (absent columns are skipped);
    ``context`` holds, on the same index, what each row says about its text: ``identity``, ``tool``,
    ``day`` and ``department`` as far as the source has them. Repeated texts are kept once.
    """
    present = {column: kind for column, kind in kinds.items() if column in frame.columns}
    cells = frame[list(present)]
    wide = cells.astype("str").where(cells.notna()).rename(columns=present)
    long = context.join(wide).melt(id_vars=list(context.columns), var_name="kind", value_name="text")
    long["text"] = long["text"].astype("str").str.strip()
    long = long.loc[long["text"].notna() & long["text"].ne("")]
    return long.drop_duplicates().reset_index(drop=True)
