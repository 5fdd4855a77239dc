"""Settling overlaps row by row: which activity rows stand, and what each fresh export won or lost."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import exports, schema

ANN = "p0000_" + "a" * 24
BO = "p0000_" + "b" * 24
OLD, NEW, LATE = "0" * 16, "1" * 16, "2" * 16  # exports, produced in this order
DATES = ["first_day", "last_day", "exported_at", "ingested_at"]


def _ledger(*coverage: tuple[str, str | None, str | None]) -> pd.DataFrame:
    """One row per (export, first day, last day) of chatgpt's daily grain; None: no coverage."""
    produced = {OLD: "2026-03-10", NEW: "2026-03-20", LATE: "2026-03-30"}
    rows = [
        {
            "export_id": export,
            "source": "test",
            "tool": "chatgpt_enterprise" if first else None,
            "grain": "day" if first else None,
            "first_day": first,
            "last_day": last,
            "exported_at": produced[export],
            "ingested_at": "2026-04-01",
            "rows_read": 1,
        }
        for export, first, last in coverage
    ]
    return schema.conform("exports", pd.DataFrame(rows).astype({c: "datetime64[s]" for c in DATES}))


def _rows(*rows: tuple[str, str, int], export: str | None = None) -> pd.DataFrame:
    """Activity rows of (person, day, events) on chatgpt's web surface, tagged with ``export`` if given."""
    frame = pd.DataFrame(
        [
            {
                "person_id": p,
                "tool": "chatgpt_enterprise",
                "day": d,
                "grain": "day",
                "surface": "web",
                "events": e,
            }
            for p, d, e in rows
        ]
    ).astype({"day": "datetime64[s]", "events": "int32"})
    return frame if export is None else frame.assign(export_id=export)


def _settle(
    previous: pd.DataFrame, fresh: list[pd.DataFrame], ledger: pd.DataFrame, folder: Path
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The settled rows (read back from the file they are written to) and the overlaps."""
    exports_in = {frame["export_id"].iloc[0] for frame in fresh}
    into = folder / "settled.parquet"
    overlaps = exports.settle_activity(previous, fresh, ledger, fresh_exports=exports_in, into=into)
    return pd.read_parquet(into), overlaps


def _events(settled: pd.DataFrame) -> list[tuple[str, str, int, str]]:
    return sorted(
        (row.person_id, row.day.date().isoformat(), row.events, row.export_id) for row in settled.itertuples()
    )


def test_when_one_export_has_two_rows_of_a_key_then_the_later_row_stands(tmp_path):
    fresh = _rows((ANN, "2026-03-02", 1), (ANN, "2026-03-02", 2), (BO, "2026-03-02", 3), export=NEW)
    settled, _ = _settle(schema.empty("activity"), [fresh], _ledger((NEW, None, None)), tmp_path)
    assert _events(settled) == [(ANN, "2026-03-02", 2, NEW), (BO, "2026-03-02", 3, NEW)]


@pytest.mark.parametrize(
    ("coverage", "expected"),
    [
        # no coverage: per key the later export's row, other keys of the day stay
        ([], [(ANN, "2026-03-02", 5, NEW), (BO, "2026-03-02", 2, exports.EARLIER)]),
        # NEW covers the day: it is the day's full account, Bo's earlier row goes
        ([(NEW, "2026-03-01", "2026-03-07")], [(ANN, "2026-03-02", 5, NEW)]),
    ],
)
def test_when_a_fresh_export_meets_earlier_rows_then_coverage_decides_what_stays(
    coverage, expected, tmp_path
):
    previous = schema.conform("activity", _rows((ANN, "2026-03-02", 1), (BO, "2026-03-02", 2)))
    fresh = _rows((ANN, "2026-03-02", 5), export=NEW)
    ledger = _ledger((OLD, None, None), *(coverage or [(NEW, None, None)]))
    settled, _ = _settle(previous, [fresh], ledger, tmp_path)
    assert _events(settled) == expected


def test_when_exports_cover_the_same_days_then_each_counts_the_days_it_won_and_lost(tmp_path):
    previous = schema.conform(
        "activity", _rows((ANN, "2026-03-02", 1), (BO, "2026-03-02", 1), (ANN, "2026-03-03", 1))
    )
    # NEW covers 2-4 March, LATE (produced later) 3-4 March: NEW takes 2 March from the workspace and loses
    # 3 and 4 March to LATE; LATE takes 3 March from the workspace (4 March had no earlier rows).
    new = _rows((ANN, "2026-03-02", 2), (ANN, "2026-03-03", 2), (BO, "2026-03-04", 2), export=NEW)
    late = _rows((ANN, "2026-03-03", 3), (ANN, "2026-03-04", 3), export=LATE)
    ledger = _ledger((OLD, None, None), (NEW, "2026-03-02", "2026-03-04"), (LATE, "2026-03-03", "2026-03-04"))
    settled, overlaps = _settle(previous, [new, late], ledger, tmp_path)
    assert _events(settled) == [
        (ANN, "2026-03-02", 2, NEW),
        (ANN, "2026-03-03", 3, LATE),
        (ANN, "2026-03-04", 3, LATE),
    ]
    counts = overlaps.set_index("export_id")[["won", "lost"]].to_dict("index")
    assert counts == {NEW: {"won": 1, "lost": 2}, LATE: {"won": 1, "lost": 0}}
