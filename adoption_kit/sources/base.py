"""What every format module returns, and small helpers for telling formats apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from adoption_kit.schema import IDENTITY_KINDS
from adoption_kit.sources._tabular import head_text

__all__ = ["IDENTITY_KINDS", "Coverage", "Extract", "coverage_of", "csv_fields", "csv_header"]
HEADER_CHARACTERS = 4096


@dataclass(frozen=True)
class Coverage:
    """A stretch of days for which an export is the full account of one tool at one grain.

    When two exports cover the same days, ingest keeps the rows of the later one (by ``exported_at``)
    for those days and drops the other's: that is how overlapping exports resolve.
    """

    tool: str
    grain: str
    first_day: pd.Timestamp
    last_day: pd.Timestamp


@dataclass(frozen=True)
class Extract:
    """What one file yields: canonical frames whose ``identity`` column still holds a raw identifier.

    ``identity`` names the kind of identifier in that column (one of ``IDENTITY_KINDS``; None when the
    file has no people). ``exported_at`` is when the vendor produced the data (a report's refresh or end
    day); None means "as late as the newest data it covers". ``unknown_fields`` are columns or keys the
    reader does not know (reported once, then ignored); ``dropped`` counts rows left out, by reason.
    ``fields`` lists every field the file carries (columns, or a JSON record's dotted keys);
    ``sources.fields.Fields.check`` reports those the format does not declare in ``unknown_fields``.
    """

    source: str
    path: Path
    identity: str | None
    rows_read: int
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    coverage: tuple[Coverage, ...] = ()
    exported_at: pd.Timestamp | None = None
    unknown_fields: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    dropped: dict[str, int] = field(default_factory=dict)


def csv_header(head: str) -> set[str]:
    """The column names on the first line of a CSV text."""
    first = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
    return {name.strip().strip('"') for name in first.split(",")}


def csv_fields(path: Path) -> tuple[str, ...]:
    """The column names of a CSV file's header line."""
    return tuple(csv_header(head_text(path, HEADER_CHARACTERS)))


def coverage_of(frame: pd.DataFrame, *, tool: str, grain: str, first: str, last: str) -> tuple[Coverage, ...]:
    """One coverage from the earliest ``first`` to the latest ``last`` date of a frame (none if empty)."""
    if frame.empty:
        return ()
    return (Coverage(tool, grain, pd.Timestamp(frame[first].min()), pd.Timestamp(frame[last].max())),)
