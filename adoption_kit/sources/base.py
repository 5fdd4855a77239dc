"""What every format module returns, and small helpers for telling formats apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Extract:
    """What one file yields: canonical frames whose ``identity`` column still holds a raw identifier."""

    source: str
    path: Path
    identity: str | None
    rows_read: int
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def csv_header(head: str) -> set[str]:
    """The column names on the first line of a CSV text."""
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return {name.strip().strip('"') for name in first.split(",")}
