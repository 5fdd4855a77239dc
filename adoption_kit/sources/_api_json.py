"""Admin-API responses saved to a file: one page, a JSON array of pages, or one record per line (NDJSON).

Records are flattened with dotted names ("actor.email_address") and numbered from 1 in their list, which
is the line number in NDJSON without blank lines; errors name a column by its path in the response
("data[].actor.email_address"). Numbers may arrive as strings: they are parsed where they sit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError
from adoption_kit.sources._tabular import parse_column, read_ndjson, read_text

FIRST_RECORD = 1


def is_json(head: str) -> bool:
    """Does the text start like a JSON object or array (not a CSV or a note that quotes JSON keys)?"""
    return head.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")


def documents(path: Path) -> list[object]:
    """The file's top-level JSON values: an array's items, a single object, or one object per line."""
    text = read_text(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":
            return list(read_ndjson(path))
        raise InputFileError(
            f"not valid JSON ({error.msg})", path=path, row=error.lineno, expected="a complete JSON document"
        ) from error
    return document if isinstance(document, list) else [document]


def records(pages: Sequence[object], *, key: str, path: Path) -> list[dict]:
    """The records of every page's ``key`` list; values without that list are records themselves."""
    found = [
        record
        for page in pages
        for record in (page[key] if isinstance(page, dict) and isinstance(page.get(key), list) else [page])
    ]
    for number, record in enumerate(found, start=FIRST_RECORD):
        if not isinstance(record, dict):
            raise InputFileError(
                "the record is not a JSON object",
                path=path,
                row=number,
                column=f"{key}[]",
                expected="an object",
            )
    return found


def flat(items: Sequence[dict], *, index: pd.Index | None = None) -> pd.DataFrame:
    """Objects as a frame with one dotted column per nested key (lists stay as values)."""
    frame = pd.json_normalize(list(items)) if len(items) else pd.DataFrame()
    return frame.set_axis(index if index is not None else pd.RangeIndex(len(frame)))


def require(frame: pd.DataFrame, columns: Iterable[str], *, path: Path, prefix: str) -> None:
    """Every record has a value under each column, else the first record without one is named."""
    for column in columns:
        missing = frame[column].isna() if column in frame.columns else pd.Series(True, index=frame.index)
        if missing.any():
            raise InputFileError(
                "missing key",
                path=path,
                row=_row(frame.index, missing),
                column=f"{prefix}{column}",
                expected=f"a value for {column} in every record",
            )


def parse(frame: pd.DataFrame, column: str, kind: str, *, path: Path, prefix: str) -> pd.Series:
    """One column parsed by kind (see ``_tabular.parse_column``); absent columns are all missing."""
    if column not in frame.columns:
        return parse_column(pd.Series(pd.NA, index=frame.index, dtype="str"), kind, path=path, column=column)
    try:
        return parse_column(frame[column], kind, path=path, column=column, row_offset=FIRST_RECORD)
    except InputFileError as error:
        position = pd.Series(False, index=frame.index)
        position.iloc[(error.row or FIRST_RECORD) - FIRST_RECORD] = True
        raise InputFileError(
            error.message,
            path=path,
            row=_row(frame.index, position),
            column=f"{prefix}{column}",
            expected=error.expected,
        ) from None


def fail_first(values: pd.Series, bad: pd.Series, *, path: Path, column: str, expected: str) -> None:
    """Raise at the first record where ``bad`` holds, naming its value."""
    flags = bad.fillna(False).astype(bool)
    if flags.any():
        raise InputFileError(
            f"cannot use the value {values.loc[flags].iloc[0]!r}",
            path=path,
            row=_row(values.index, flags),
            column=column,
            expected=expected,
        )


def _row(index: pd.Index, flags: pd.Series) -> int:
    """The record number (its index label, counted from 0) of the first flagged row."""
    return int(index[int(flags.to_numpy(dtype=bool).argmax())]) + FIRST_RECORD
