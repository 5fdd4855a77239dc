"""Monthly business KPIs per team, the outcomes that usage is related to."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from adoption_kit.sources._tabular import check_rows, read_csv
from adoption_kit.sources.base import Extract, csv_fields, csv_header
from adoption_kit.sources.fields import Fields

NAME = "team_kpis"
DESCRIPTION = "team KPI CSV with month, team, kpi, value"
REQUIRED = {"month": "month", "team": "text", "kpi": "text", "value": "number"}

FIELDS = Fields(passed=frozenset(REQUIRED))


def sniff(head: str) -> bool:
    """A KPI file has one value per team, month and KPI."""
    return {"month", "kpi"} <= csv_header(head)


@FIELDS.checked
def read(path: Path) -> Extract:
    """Team KPIs as ``outcomes`` rows."""
    frame = read_csv(path, required=REQUIRED)
    checks = [
        (column, frame[column].isna(), "a month, team, kpi and value on every row") for column in REQUIRED
    ]
    duplicated = frame.duplicated(["month", "team", "kpi"])
    check_rows(frame, [*checks, ("kpi", duplicated, "one value per team, month and KPI")], path=path)
    outcomes = pd.DataFrame(
        {
            "unit_type": "team",
            "unit_id": frame["team"],
            "period": frame["month"],
            "kpi": frame["kpi"],
            "value": frame["value"].astype(float),
        }
    )
    return Extract(NAME, path, None, len(frame), {"outcomes": outcomes}, fields=csv_fields(path))
