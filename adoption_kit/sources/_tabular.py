"""Reading delimited and JSON exports with errors that name the file, the row and the column.

Columns are found by name, never by position; every cell is read as text first and then parsed, so a bad
value is reported where it sits (row numbers are the file's line numbers, the header being line 1).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from adoption_kit.errors import InputFileError

ENCODINGS = ("utf-8-sig", "cp1252")
HEADER_LINES = 1
_FIRST_LINE = re.compile(r"[^\r\n]*")
# Values every parser reads alike, by column kind (see ``_plain``).
_DIGITS = r"\d{1,15}"
PLAIN = {
    "int": rf"^{_DIGITS}$",
    "float": rf"^{_DIGITS}(?:\.{_DIGITS})?$",
    "number": rf"^{_DIGITS}(?:\.{_DIGITS})?$",
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "day": r"^\d{4}-\d{2}-\d{2}$",
    "month": r"^\d{4}-\d{2}$",
}


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows-1252 as older exports were."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputFileError(f"cannot read the file: {error.strerror}", path=path) from error
    if not data.strip():
        raise InputFileError("the file is empty", path=path, expected="a header and at least one row")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError("the file is not text", path=path, expected="UTF-8 or Windows-1252 text")


def head_text(path: Path, characters: int) -> str:
    """``read_text(path)[:characters]``, reading only the start of the file when it is plain ASCII."""
    try:
        with path.open("rb") as handle:
            head = handle.read(characters)
    except OSError:
        head = b""
    if head.isascii() and head.strip():
        return head.decode("ascii")  # ASCII reads alike in every encoding read_text tries
    return read_text(path)[:characters]


def read_csv(path: Path, *, required: Mapping[str, str], optional: Mapping[str, str] = {}) -> pd.DataFrame:
    """Read a CSV export, check ``required`` columns and parse each column by its kind.

    Kinds: ``text``, ``date`` (ISO day), ``day`` (an ISO day of use: not in the future), ``month``
    (YYYY-MM), ``int`` and ``float`` (counts and amounts: not negative), ``number`` (any sign).
    Empty cells stay missing: an empty count is not a zero.
    """
    text = read_text(path)
    frame = _arrow_csv(text)
    if frame is None:
        try:
            frame = pd.read_csv(io.StringIO(text), dtype="str", keep_default_na=False, na_values=[""])
        except pd.errors.ParserError as error:
            raise InputFileError(f"not a well-formed CSV file: {error}", path=path) from error
    frame.columns = frame.columns.str.strip()
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise InputFileError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}",
            path=path,
            column=missing[0],
            expected=f"a header with {', '.join(required)}",
        )
    kinds = {**{k: v for k, v in optional.items() if k in frame.columns}, **required}
    parsed = {
        column: parse_column(frame[column], kind, path=path, column=column) for column, kind in kinds.items()
    }
    return pd.DataFrame(parsed, index=frame.index)


def _arrow_csv(text: str) -> pd.DataFrame | None:
    """The cells as text, read by Arrow in one pass; None when only pandas reads the file as it should.

    Arrow gives what ``pd.read_csv`` gives (every cell text, empty cells missing) or refuses: a row with
    more or fewer cells than the header, a quote after a space. A header naming a column twice or not at
    all (pandas renames those), spanning lines, or of a single column (pandas skips lines of spaces) goes
    to pandas too.
    """
    first_line = _FIRST_LINE.match(text).group()
    if first_line.count('"') % 2:
        return None  # a line break inside a quoted column name
    header = next(csv.reader([first_line]), [])
    if len(header) < 2 or len(set(header)) < len(header) or not all(name.strip() for name in header):
        return None
    options = pa_csv.ConvertOptions(
        column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=True, null_values=[""]
    )
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(text.encode()),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=options,
        )
    except pa.ArrowInvalid:
        return None
    if table.column_names != header or any(not pa.types.is_string(t) for t in table.schema.types):
        return None
    return table.to_pandas()


def read_ndjson(path: Path) -> list[dict]:
    """One JSON object per line; a bad line is reported with its line number."""
    records = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputFileError(
                f"line is not valid JSON ({error.msg})",
                path=path,
                row=number,
                expected="one JSON object per line",
            ) from error
        if not isinstance(record, dict):
            raise InputFileError("line is not a JSON object", path=path, row=number, expected="a JSON object")
        records.append(record)
    if not records:
        raise InputFileError("the file has no records", path=path, expected="one JSON object per line")
    return records


def read_json(path: Path) -> object:
    """A whole JSON document."""
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise InputFileError(
            f"not valid JSON ({error.msg})", path=path, row=error.lineno, expected="a complete JSON document"
        ) from error


def parse_column(
    values: pd.Series, kind: str, *, path: Path, column: str, row_offset: int = HEADER_LINES + 1
) -> pd.Series:
    """Parse one text column; the first value that does not parse raises with its row number.

    A column written plainly throughout (digits, ISO days) is parsed by Arrow in one pass; any other
    column goes value by value through pandas, which finds and names the bad value. Both give the same.
    """
    text = values.astype("str").str.strip().where(values.notna())
    fail_where = partial(_raise_first, text=text, path=path, column=column, row_offset=row_offset)
    if kind == "text":
        return text
    if kind in ("date", "day", "month"):
        parsed = _plain(text if kind == "month" else text.str.slice(0, 10), kind)
        if parsed is None:
            pattern = "%Y-%m" if kind == "month" else "%Y-%m-%d"
            parsed = pd.to_datetime(
                text if kind == "month" else text.str.slice(0, 10), format=pattern, errors="coerce"
            )
            fail_where(
                text.notna() & parsed.isna(),
                expected="a month like 2026-05" if kind == "month" else "a date like 2026-05-31",
            )
        if kind == "day":
            fail_where(
                parsed > pd.Timestamp.today().normalize(), expected="a day of use that is not in the future"
            )
        return parsed.astype("datetime64[s]")
    if kind in ("int", "float", "number"):
        plain = _plain(text, kind)
        if plain is not None:
            return plain
        parsed = pd.to_numeric(text, errors="coerce")
        bad_type = text.notna() & parsed.isna()
        if kind == "int":
            bad_type |= parsed.notna() & (parsed % 1 != 0)
        fail_where(bad_type, expected="a whole number" if kind == "int" else "a number")
        if kind != "number":
            fail_where(parsed < 0, expected="a number that is not negative")
        return parsed.astype("Int64") if kind == "int" else parsed.astype("Float64")
    raise ValueError(f"unknown column kind {kind!r}")


def _plain(text: pd.Series, kind: str) -> pd.Series | None:
    """The column parsed by Arrow when every value is plainly written for ``kind``, else None.

    Plain means what no parser reads differently: unsigned digits (with a fraction for amounts, at most
    15 digits each side, so every whole number is exact in a float) and zero-padded ISO days or months.
    """
    strings = pa.array(text, type=pa.string(), from_pandas=True)
    if pc.all(pc.match_substring_regex(strings, PLAIN[kind])).as_py() is False:
        return None
    try:
        if kind in ("int", "float", "number"):
            numbers = pc.cast(strings, pa.int64() if kind == "int" else pa.float64())
            array = pd.arrays.IntegerArray if kind == "int" else pd.arrays.FloatingArray
            parsed = array(
                pc.fill_null(numbers, 0).to_numpy(), pc.is_null(numbers).to_numpy(zero_copy_only=False)
            )
            return pd.Series(parsed, index=text.index, name=text.name)
        days = pc.cast(
            pc.binary_join_element_wise(strings, "-01", "") if kind == "month" else strings, pa.date32()
        )
    except pa.ArrowInvalid:
        return None  # e.g. 2026-02-30: pandas names it
    moments = pc.cast(days, pa.timestamp("s")).to_numpy(zero_copy_only=False)
    return pd.Series(moments, index=text.index, name=text.name)


def check_rows(
    frame: pd.DataFrame,
    checks: Iterable[tuple[str, pd.Series, str]],
    *,
    path: Path,
    row_offset: int = HEADER_LINES + 1,
) -> None:
    """Raise on the first row failing a check; each check is (column, rows that fail, what was expected)."""
    for column, bad, expected in checks:
        text = frame[column].astype("str").where(frame[column].notna())
        _raise_first(bad, text, path=path, column=column, row_offset=row_offset, expected=expected)


def _raise_first(
    bad: pd.Series, text: pd.Series, *, path: Path, column: str, row_offset: int, expected: str
) -> None:
    if bad.fillna(False).any():
        position = int(bad.fillna(False).to_numpy().argmax())
        value = text.iloc[position]
        raise InputFileError(
            "empty cell" if pd.isna(value) else f"cannot use the value {value!r}",
            path=path,
            row=position + row_offset,
            column=column,
            expected=expected,
        )
