"""Admin-API responses saved to a file: one page, a JSON array of pages, or one record per line (NDJSON).

Records are flattened with dotted names ("actor.email_address") and numbered from 1 in their list, which
is the line number in NDJSON without blank lines; errors name a column by its path in the response
("data[].actor.email_address"). Numbers may arrive as strings: they are parsed where they sit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import reduce
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from adoption_kit.errors import InputFileError
from adoption_kit.sources._tabular import parse_column, read_ndjson, read_text

FIRST_RECORD = 1
ARROW_FROM = 1_000  # records; below, flattening them one by one is quicker than Arrow's work per column
_MISSING = object()  # a key the record does not have
# Arrow types whose values pandas reads alike (true/false only without gaps), and those taken from the
# records as they are (lists, objects kept whole, nulls: pandas keeps a null apart from a missing key).
_CONVERTED = (pa.types.is_string, pa.types.is_int64, pa.types.is_float64, pa.types.is_boolean)
_TAKEN = (pa.types.is_null, pa.types.is_list, pa.types.is_large_list, pa.types.is_struct)
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
    line, not UTF-8, a key given twice in a record, a key whose values mix types. A line of ``null`` or of
    an object without values, which Arrow would read as a row of nulls, goes to that reader too. The
    ``text`` keys stay text (Arrow would read ISO days as timestamps); one the file never names is not a
    column.
    """
    data = path.read_bytes()
    if data.lstrip(b" \t\r\n")[:1] != b"{":
        return None  # the first value is not an object (and Arrow crashes on a file holding only null)
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
    if not table.num_rows or not table.num_columns:
        return None
    if pc.any(reduce(pc.and_, (pc.is_null(column) for column in table.columns))).as_py():
        return None  # a line of null reads as a row of nulls: the line-by-line reader refuses it
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
    ``max_level`` stay as values. Arrow builds it from ``ARROW_FROM`` records on where it gives exactly that
    frame (``_arrow_flat``); else the records are flattened one by one (``_python_flat``).
    """
    frame = _arrow_flat(items, max_level=max_level) if len(items) >= ARROW_FROM else None
    if frame is None:
        frame = _python_flat(items, max_level=max_level)
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
        name = _dotted(prefix, key)
        if isinstance(value, dict) and (max_level is None or level < max_level):
            _nested(flattened, value, name, level=level + 1, max_level=max_level)
        else:
            flattened[name] = value


def _dotted(prefix: str, key: object) -> str:
    """A nested key's column name (a key under the empty top-level key keeps its own name)."""
    return f"{prefix}.{key}" if prefix else f"{key}"


def _python_flat(items: Sequence[dict], *, max_level: int | None = None) -> pd.DataFrame:
    """Each record flattened, then lined up by pandas (the frame ``flat`` gives, with a RangeIndex)."""
    return (
        pd.DataFrame([flatten(item, max_level=max_level) for item in items]) if len(items) else pd.DataFrame()
    )


def _arrow_flat(items: Sequence[dict], *, max_level: int | None = None) -> pd.DataFrame | None:
    """The frame ``_python_flat`` gives, built with Arrow; None where Arrow cannot give exactly that.

    Arrow cannot when it refuses the records (no objects, a key both an object and a value, text and
    numbers mixed, integers beyond int64) or would read them otherwise (a dotted key that is also a nested
    path, true or false among numbers). Lists, objects kept whole at ``max_level`` and columns of nulls or
    of true/false with gaps are taken from the records as they are; an object null in some record is a
    column of NaN, as pandas makes of that null and the other records' missing key.
    """
    kind = _record_type(items)
    records = None if kind is None else _converted(items, kind, max_level=max_level)
    if records is None:
        return None
    converted = _leaf_arrays(items, records)
    taken = {
        path: leaf for path, leaf in _leaf_types(kind, max_level=max_level).items() if path not in converted
    }
    leaves = {path: (values.type, values) for path, values in converted.items()} | {
        path: (leaf, None) for path, leaf in taken.items()
    }
    names = [reduce(_dotted, path[1:], path[0]) for path in leaves]
    order = _column_order(items, names, max_level=max_level) if len(set(names)) == len(names) else None
    if not order:
        return None
    columns = {
        name: _column(items, path, *leaf) for name, (path, leaf) in zip(names, leaves.items(), strict=True)
    }
    if any(column is None for column in columns.values()):
        return None
    return pd.DataFrame({name: columns[name] for name in order})


def _record_type(items: Sequence[dict]) -> pa.StructType | None:
    """The Arrow type of the records (every key they have); None when there are none or Arrow refuses them."""
    try:
        kind = pa.infer_type(items) if len(items) else None
    except (ValueError, TypeError, OverflowError, pa.ArrowNotImplementedError):
        return None
    return kind if kind is not None and pa.types.is_struct(kind) else None


def _opened(kind: pa.DataType, depth: int, max_level: int | None) -> bool:
    """Does ``flatten`` spread the objects at this depth (top-level keys are at depth 1) into columns?"""
    return pa.types.is_struct(kind) and (max_level is None or depth <= max(max_level, 1))


def _leaf_types(
    kind: pa.StructType, *, max_level: int | None, path: tuple[str, ...] = ()
) -> dict[tuple[str, ...], pa.DataType]:
    """The type of each column, by key path."""
    leaves = {}
    for field in kind:
        key = (*path, field.name)
        if _opened(field.type, len(key), max_level):
            leaves |= _leaf_types(field.type, max_level=max_level, path=key)
        else:
            leaves[key] = field.type
    return leaves


def _converted(
    items: Sequence[dict], kind: pa.StructType, *, max_level: int | None
) -> pa.ChunkedArray | None:
    """The records converted by Arrow, leaving out the columns taken from the records as they are."""
    try:
        records = pa.array(items, type=_pruned(kind, max_level=max_level))
    except (ValueError, TypeError, OverflowError, pa.ArrowNotImplementedError):
        return None
    return records if isinstance(records, pa.ChunkedArray) else pa.chunked_array([records])


def _pruned(kind: pa.StructType, *, max_level: int | None, depth: int = 1) -> pa.StructType:
    """The type with only the objects ``flatten`` spreads and the columns of types in ``_CONVERTED``."""
    return pa.struct(
        [
            field.with_type(_pruned(field.type, max_level=max_level, depth=depth + 1))
            if _opened(field.type, depth, max_level)
            else field
            for field in kind
            if _opened(field.type, depth, max_level) or any(is_kind(field.type) for is_kind in _CONVERTED)
        ]
    )


def _leaf_arrays(
    items: Sequence[dict], values: pa.ChunkedArray, path: tuple[str, ...] = ()
) -> dict[tuple[str, ...], pa.ChunkedArray]:
    """The converted columns by key path, and a column of NaN for each object null in some record."""
    leaves = {}
    if path and _null_somewhere(items, path, values):
        leaves[path] = pa.chunked_array([pa.nulls(len(values), pa.float64())])
    for field, child in zip(values.type, values.flatten(), strict=True):
        key = (*path, field.name)
        leaves |= _leaf_arrays(items, child, key) if pa.types.is_struct(child.type) else {key: child}
    return leaves


def _null_somewhere(items: Sequence[dict], path: tuple[str, ...], values: pa.ChunkedArray) -> bool:
    """Is the key at ``path`` null (not missing) in some record where Arrow has no object?"""
    rows = np.flatnonzero(values.is_null().to_numpy()) if values.null_count else ()
    return any(_get(items[row], path, _MISSING) is None for row in rows)


def _column_order(items: Sequence[dict], names: list[str], *, max_level: int | None) -> list[str] | None:
    """The names in pandas' order (each record's ``flatten`` keys, new ones appended), read from the first
    records until every name is seen; None if the records' keys are not those names."""
    seen: dict[str, None] = {}
    for item in items:
        seen |= dict.fromkeys(flatten(item, max_level=max_level))
        if len(seen) >= len(names):
            break
    return list(seen) if seen.keys() == set(names) else None


def _column(
    items: Sequence[dict], path: tuple[str, ...], kind: pa.DataType, values: pa.ChunkedArray | None
) -> pd.Series | None:
    """One column as pandas reads it from the records; None for values Arrow may have changed."""
    gappy_bools = values is not None and pa.types.is_boolean(kind) and values.null_count > 0
    if values is not None and not gappy_bools:
        return None if pa.types.is_float64(kind) and _hides_bools(items, path, values) else values.to_pandas()
    if gappy_bools or any(is_kind(kind) for is_kind in _TAKEN):
        return pd.Series([_get(item, path, np.nan) for item in items], dtype=object).infer_objects()
    return None  # dates, bytes, ...: not from JSON, and pandas may read them otherwise


def _hides_bools(items: Sequence[dict], path: tuple[str, ...], values: pa.ChunkedArray) -> bool:
    """Did Arrow read a true or false among numbers as 1.0 or 0.0 (pandas keeps them as objects)?"""
    ones_and_zeros = pc.is_in(values, value_set=pa.array([0.0, 1.0])).to_numpy()
    return any(isinstance(_get(items[row], path, None), bool) for row in np.flatnonzero(ones_and_zeros))


def _get(record: object, path: tuple[str, ...], default: object) -> object:
    """The value at a key path in a record, or ``default`` where a key is missing."""
    for key in path:
        if not isinstance(record, dict) or key not in record:
            return default
        record = record[key]
    return record


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
