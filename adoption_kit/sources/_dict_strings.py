"""Python-dict strings of counts, as ChatGPT's user report writes them: ``{'Search': 60, 'Canvas': 15}``.

Read with regular expressions (RE2, through Arrow and DuckDB) over the whole column, never by ``eval`` of
file content: a key is quoted with single quotes, or with double quotes when it holds a single quote, as
Python's ``repr`` writes it.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_KEY = r"""(?:'[^']*'|"[^"]*")"""
_ENTRY = rf"{_KEY}\s*:\s*\d+"
WELL_FORMED = rf"\{{\s*(?:{_ENTRY}(?:\s*,\s*{_ENTRY})*\s*,?)?\s*\}}"
ENTRY = r"""(?:'([^']*)'|"([^"]*)")\s*:\s*(\d+)"""  # groups: single-quoted key, double-quoted key, count
EXPECTED = "a dict of names to counts like {'Search': 60, 'Canvas': 15}"


def malformed(cells: pd.Series) -> pd.Series:
    """True where a non-empty cell is not a dict of quoted names to whole numbers."""
    text = pc.utf8_trim_whitespace(_strings(cells))
    well_formed = pc.fill_null(pc.match_substring_regex(text, f"^{WELL_FORMED}$"), True)
    return pd.Series(pc.invert(well_formed).to_numpy(zero_copy_only=False), index=cells.index)


def entries(cells: pd.Series) -> pd.DataFrame:
    """One row per name and count in every cell: ``row`` (the cell's index label), ``key``, ``count``.

    A key that is empty (``''``) is missing.
    """
    matches = ", ".join(
        f"regexp_extract_all(cell, $${ENTRY}$$, {group}) AS {name}"
        for group, name in enumerate(("single", "double", "count"), start=1)
    )
    with duckdb.connect() as connection:
        connection.register("cells", pa.table({"cell": _strings(cells)}))
        found = connection.sql(f"SELECT {matches} FROM cells").to_arrow_table()
    single, double, count = (found[name].combine_chunks() for name in ("single", "double", "count"))
    rows = pc.list_parent_indices(single).to_numpy()
    return pd.DataFrame(
        {
            "row": cells.index.to_numpy()[rows],
            "key": pc.coalesce(_non_empty(pc.list_flatten(single)), _non_empty(pc.list_flatten(double))),
            "count": pc.cast(pc.list_flatten(count), pa.int64()).to_numpy(),
        }
    ).astype({"key": "str"})


def _strings(cells: pd.Series) -> pa.Array:
    return pa.array(cells.astype("str").where(cells.notna()), type=pa.string(), from_pandas=True)


def _non_empty(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
