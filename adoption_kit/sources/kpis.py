"""Monthly business KPIs per team, the outcomes that usage is related to."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError
from adoption_kit.sources._tabular import read_csv
from adoption_kit.sources.base import Extract, csv_header

NAME = "team_kpis"
DESCRIPTION = "team KPI CSV with month, team, kpi, value"
REQUIRED = {"month": "month", "team": "text", "kpi": "text", "value": "number"}


def sniff(head: str) -> bool:
    """A KPI file has one value per team, month and KPI."""
    return {"month", "kpi"} <= csv_header(head)


def read(path: Path) -> Extract:
    """Team KPIs as ``outcomes`` rows."""
    frame = read_csv(path, required=REQUIRED)
    empty = frame.isna().any(axis=1)
    if empty.any():
        row = int(empty.to_numpy().argmax())
        raise InputFileError(
            "empty cell",
            path=path,
            row=row + 2,
            column=str(frame.columns[frame.iloc[row].isna()][0]),
            expected="a month, team, kpi and value on every row",
        )
    duplicated = frame.duplicated(["month", "team", "kpi"])
    if duplicated.any():
        row = int(duplicated.to_numpy().argmax())
        raise InputFileError(
            "the same team, month and KPI appear twice",
            path=path,
            row=row + 2,
            column="kpi",
            expected="one value per team, month and KPI",
        )
    outcomes = pd.DataFrame(
        {
            "unit_type": "team",
            "unit_id": frame["team"],
            "period": frame["month"],
            "kpi": frame["kpi"],
            "value": frame["value"].astype(float),
        }
    )
    return Extract(NAME, path, None, len(frame), {"outcomes": outcomes})
