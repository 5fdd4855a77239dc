"""Python-dict strings of counts, as ChatGPT's user report writes them: ``{'Search': 60, 'Canvas': 15}``.

Read with regular expressions over the whole column (no ``eval`` of file content): a key is quoted with
single quotes, or with double quotes when it holds a single quote, as Python's ``repr`` writes it.
"""

from __future__ import annotations

import pandas as pd

_KEY = r"""(?:'[^']*'|"[^"]*")"""
_ENTRY = rf"{_KEY}\s*:\s*\d+"
WELL_FORMED = rf"\{{\s*(?:{_ENTRY}(?:\s*,\s*{_ENTRY})*\s*,?)?\s*\}}"
ENTRY = r"""(?:'(?P<single>[^']*)'|"(?P<double>[^"]*)")\s*:\s*(?P<count>\d+)"""
EXPECTED = "a dict of names to counts like {'Search': 60, 'Canvas': 15}"


def malformed(cells: pd.Series) -> pd.Series:
    """True where a non-empty cell is not a dict of quoted names to whole numbers."""
    text = cells.astype("str").str.strip()
    return cells.notna() & ~text.str.fullmatch(WELL_FORMED).fillna(False).astype(bool)


def entries(cells: pd.Series) -> pd.DataFrame:
    """One row per name and count in every cell: ``row`` (the cell's index label), ``key``, ``count``."""
    found = cells.astype("str").where(cells.notna()).str.extractall(ENTRY)
    rows = found.index.get_level_values(0)
    return pd.DataFrame(
        {
            "row": rows,
            "key": found["single"].fillna(found["double"]).to_numpy(),
            "count": found["count"].astype("int64").to_numpy(),
        }
    )
