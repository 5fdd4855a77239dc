"""Microsoft Graph usage reports, read alike whether they came as a CSV stream or as a JSON ``value`` list.

The same column is "Report Refresh Date" in CSV and "reportRefreshDate" in JSON, and client code varies the
casing ("powerpointCopilotLastActivityDate"): columns are found by their squashed name (lower-case letters
and digits only), while errors name a column as the file spells it (a JSON path for JSON).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError
from adoption_kit.sources._tabular import parse_column, read_csv, read_json, read_text
from adoption_kit.sources.base import csv_header

CSV_FIRST_ROW = 2  # the header is line 1
JSON_FIRST_ROW = 1  # records are numbered from 1 in their list

# A JSON document -> its records as a frame, and each column's path in the document.
JsonRecords = Callable[[object, Path], tuple[pd.DataFrame, dict[str, str]]]


def squash(name: str) -> str:
    """A column name without case, spaces or punctuation: "Report Refresh Date" -> "reportrefreshdate"."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class Report:
    """A report's rows as text (empty cells missing), with columns under their squashed names.

    ``labels`` gives each squashed name as the file spells it; ``first_row`` is the row number errors give
    the first record (the header is line 1 of a CSV; JSON records count from 1 in their list).
    """

    path: Path
    frame: pd.DataFrame
    labels: dict[str, str]
    is_json: bool

    @property
    def first_row(self) -> int:
        return JSON_FIRST_ROW if self.is_json else CSV_FIRST_ROW

    def require(self, columns: Mapping[str, tuple[str, str]]) -> None:
        """Stop at the first missing column; ``columns`` maps squashed names to (CSV name, JSON path)."""
        spelled = {key: names[self.is_json] for key, names in columns.items()}
        for key, label in spelled.items():
            if key not in self.frame.columns:
                raise InputFileError(
                    f"missing column {label!r}",
                    path=self.path,
                    column=label,
                    expected=f"a report with {', '.join(spelled.values())}",
                )

    def column(self, key: str, kind: str) -> pd.Series:
        """One column parsed by kind (see ``_tabular.parse_column``)."""
        return parse_column(
            self.frame[key], kind, path=self.path, column=self.labels[key], row_offset=self.first_row
        )

    def fail_first(self, bad: pd.Series, key: str, *, expected: str) -> None:
        """Raise at the first row where ``bad`` holds, naming the value found in column ``key``."""
        flags = bad.fillna(False).to_numpy(dtype=bool)
        if flags.any():
            position = int(flags.argmax())
            raise InputFileError(
                f"cannot use the value {self.frame[key].iloc[position]!r}",
                path=self.path,
                row=position + self.first_row,
                column=self.labels[key],
                expected=expected,
            )

    @property
    def fields(self) -> tuple[str, ...]:
        """The file's columns as it spells them (``field_key`` gives the name they are declared by)."""
        return tuple(self.labels.values())


def field_key(label: str) -> str:
    """The squashed name of a column as a CSV or a JSON path spells it: "value[].userPrincipalName"."""
    return squash(label.rpartition(".")[2])


def read_report(path: Path, *, json_records: JsonRecords) -> Report:
    """A CSV report, or a JSON one whose records ``json_records`` finds in the document."""
    text = read_text(path)
    is_json = text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")
    if is_json:
        frame, labels = json_records(read_json(path), path)
    else:
        header = [name for name in csv_header(text) if name]
        frame = read_csv(path, required={}, optional=dict.fromkeys(header, "text"))
        labels = {name: name for name in frame.columns}
    text_frame = frame.astype("str").where(frame.notna())
    text_frame = text_frame.where(text_frame.apply(lambda column: column.str.strip() != ""))
    keys = {name: squash(labels[name].rpartition(".")[2] if is_json else name) for name in frame.columns}
    duplicated = pd.Series(keys).duplicated()
    if duplicated.any():
        label = labels[str(duplicated.idxmax())]
        raise InputFileError(f"the column {label!r} appears twice", path=path, column=label)
    squashed = {keys[name]: labels[name] for name in frame.columns}
    return Report(path, text_frame.rename(columns=keys), squashed, is_json)


def value_list(document: object, path: Path) -> list[dict]:
    """The ``value`` list of a Graph JSON response, every element an object."""
    values = document.get("value") if isinstance(document, dict) else None
    if not isinstance(values, list):
        raise InputFileError("no list of records", path=path, column="value", expected='{"value": [...]}')
    for number, record in enumerate(values, start=1):
        if not isinstance(record, dict):
            raise InputFileError("the record is not an object", path=path, row=number, column="value[]")
    return values
