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
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from adoption_kit.errors import InputFileError
from adoption_kit.sources._tabular import parse_column, read_ndjson, read_text

FIRST_RECORD = 1
# Where Python's str.splitlines also ends a line (so the line-by-line reader would see other lines).
_OTHER_LINE_BREAKS = tuple(c.encode() for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


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


def ndjson_table(path: Path, *, text: Iterable[str] = ()) -> pa.Table | None:
    """An NDJSON file read by Arrow in one pass, one column per top-level key; None when it needs the
    line-by-line reader (``documents``), which then gives the same records or names what is wrong.

    Arrow takes what that reader takes and reads it alike, or refuses: a file that is not one object per
    line, not UTF-8, a key given twice in a record, a key whose values mix types. The ``text`` keys stay
    text (Arrow would read ISO days as timestamps); one the file never names is not a column.
    """
    data = path.read_bytes()
    ascii_only = data.isascii()  # then only the one-byte breaks can be there
    if any(brk in data for brk in _OTHER_LINE_BREAKS if brk.isascii() or not ascii_only):
        return None
    strings = pa.schema([(key, pa.string()) for key in text])
    options = pa_json.ParseOptions(explicit_schema=strings, unexpected_field_behavior="infer")
    try:
        table = pa_json.read_json(pa.BufferReader(data), parse_options=options)
        table.validate(full=True)  # Arrow 26 builds broken lists from lists of objects holding a null
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if not table.num_rows:
        return None
    for key in text:
        if table.column(key).null_count == table.num_rows:
            if f'"{key}"'.encode() in data:
                return None  # named, yet always null: leave it to the line-by-line reader
            table = table.drop_columns([key])
    return table


def list_items(lists: pa.ChunkedArray) -> tuple[pa.StructArray, pa.Array] | None:
    """The objects in a column of lists of objects, and the row each sits in (nulls left out)."""
    value_type = getattr(lists.type, "value_type", None)
    if pa.types.is_null(lists.type) or (value_type is not None and pa.types.is_null(value_type)):
        return pa.array([], pa.struct([])), pa.array([], pa.int64())
    if not (pa.types.is_list(lists.type) and pa.types.is_struct(value_type) and value_type.num_fields):
        return None  # not lists of objects, or only of empty objects (which Arrow does not combine)
    lists = lists.combine_chunks()
    items, rows = pc.list_flatten(lists), pc.list_parent_indices(lists)
    present = items.is_valid()
    return items.filter(present), rows.filter(present)


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


def flat(
    items: Sequence[dict], *, index: pd.Index | None = None, max_level: int | None = None
) -> pd.DataFrame:
    """Objects as a frame with one dotted column per nested key (lists stay as values).

    The frame ``pandas.json_normalize`` makes (same columns in the same order, same values), without its
    copies of every record: top-level values first, then nested keys depth-first; objects deeper than
    ``max_level`` stay as values.
    """
    frame = (
        pd.DataFrame([flatten(item, max_level=max_level) for item in items]) if len(items) else pd.DataFrame()
    )
    return frame.set_axis(index if index is not None else pd.RangeIndex(len(frame)))


def flatten(record: dict, *, max_level: int | None = None) -> dict:
    """One object with dotted keys for its nested objects (``{"a": {"b": 1}}`` -> ``{"a.b": 1}``).

    A record without nested objects is returned as it is, not copied. Empty nested objects vanish.
    """
    if not isinstance(record, dict):
        if pd.api.types.is_scalar(record) and pd.isna(record):
            return {}
        raise TypeError(f"All items in data must be of type dict or NA-like, found {type(record).__name__}")
    for value in record.values():
        if isinstance(value, dict):
            break
    else:
        return record
    flattened = {key: value for key, value in record.items() if not isinstance(value, dict)}
    for key, value in record.items():
        if isinstance(value, dict):
            _nested(flattened, value, f"{key}", level=1, max_level=max_level)
    return flattened


def _nested(flattened: dict, values: dict, prefix: str, *, level: int, max_level: int | None) -> None:
    for key, value in values.items():
        name = f"{prefix}.{key}" if prefix else f"{key}"
        if isinstance(value, dict) and (max_level is None or level < max_level):
            _nested(flattened, value, name, level=level + 1, max_level=max_level)
        else:
            flattened[name] = value


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
