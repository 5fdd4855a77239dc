"""Writing a workspace whose large tables come in parts (Parquet files and frames), batch by batch.

Ingest hands the settled activity, hours and tasks to ``write_workspace`` as the Parquet files DuckDB wrote,
so that no table is held whole in memory. Written in small batches, a table must come out exactly as the
same rows written as one frame; its unique keys must hold across the parts; a failure leaves the old
workspace as it was.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adoption_kit import schema, workspace
from adoption_kit.errors import KitError
from adoption_kit.workspace import Workspace, write_workspace

PEOPLE = [f"p0000_{i:024x}" for i in range(40)]


def _activity(people: list[str]) -> pd.DataFrame:
    """Daily rows of chatgpt on two surfaces; the tokens are missing in the first rows."""
    rng = np.random.default_rng(5)
    count = len(people) * 3
    frame = pd.DataFrame(
        {
            "person_id": np.repeat(people, 3),
            "tool": "chatgpt_enterprise",
            "day": pd.Timestamp("2026-03-02") + pd.to_timedelta(np.tile([0, 1, 2], len(people)), unit="D"),
            "grain": "day",
            "surface": rng.choice(["web", "desktop"], count),
            "events": rng.integers(1, 20, count).astype("int32"),
            "tokens_in": pd.array([None] * 5 + list(rng.integers(0, 900, count - 5)), dtype="Int64"),
        }
    )
    return schema.conform("activity", frame)


def _tables(**given: object) -> dict[str, object]:
    return {name: given.get(name, schema.empty(name)) for name in schema.TABLES}


def _tagged_file(frame: pd.DataFrame, path: Path) -> Path:
    """A settled table's file: the table's columns and the export each row came from."""
    frame.assign(export_id="0" * 16).to_parquet(path, index=False)
    return path


def test_when_a_table_is_written_from_parts_in_small_batches_then_it_reads_back_as_one_frame_would(
    tmp_path, monkeypatch
):
    activity = _activity(PEOPLE)
    write_workspace(tmp_path / "whole", _tables(activity=activity), {})
    monkeypatch.setattr(workspace, "BATCH_ROWS", 7)  # the first batch has no tokens at all
    first = _tagged_file(activity.iloc[:50], tmp_path / "first.parquet")
    write_workspace(tmp_path / "parts", _tables(activity=[first, activity.iloc[50:]]), {})

    whole = Workspace.open(tmp_path / "whole").table("activity")
    parts = Workspace.open(tmp_path / "parts").table("activity")
    pd.testing.assert_frame_equal(parts, whole)
    assert parts["tokens_in"].notna().sum() == len(activity) - 5
    assert "export_id" not in parts.columns
    assert workspace.rows_in([first, activity.iloc[50:]]) == len(activity)


def test_when_a_key_is_in_two_parts_then_the_workspace_is_refused_and_the_old_one_kept(tmp_path):
    hours = pd.DataFrame(
        {
            "person_id": PEOPLE[:4],
            "tool": "chatgpt_enterprise",
            "day": pd.Timestamp("2026-03-02"),
            "hour": np.int8(9),
            "events": np.int32(2),
            "throttled": pd.array([0, 0, 1, 0], dtype="Int64"),
        }
    )
    target = tmp_path / "workspace"
    write_workspace(target, _tables(activity_hours=hours), {"created_at": "before"})
    repeated = [_tagged_file(hours, tmp_path / "settled.parquet"), hours.iloc[[2]]]

    with pytest.raises(KitError) as raised:
        write_workspace(target, _tables(activity_hours=repeated), {"created_at": "after"})

    assert PEOPLE[2] in str(raised.value) and "twice" in str(raised.value)
    assert raised.value.column == "person_id, tool, day, hour"
    kept = Workspace.open(target)
    assert kept.manifest == {"created_at": "before"}
    pd.testing.assert_frame_equal(kept.table("activity_hours"), schema.validate("activity_hours", hours))


def test_when_an_optional_text_is_missing_in_the_first_part_then_the_later_parts_text_is_kept(tmp_path):
    people = pd.DataFrame(
        {
            "person_id": PEOPLE[:6],
            "department": "Sales",
            "team": "North",
            "job_function": "Sales",
            "location": "Paris",
            "level": [None, None, None, "L3", "L4", None],
            "tenure_band": "1-3y",
            "employed_from": pd.Timestamp("2024-01-01"),
            "employed_to": pd.NaT,
        }
    ).astype({"employed_from": "datetime64[s]", "employed_to": "datetime64[s]"})
    write_workspace(tmp_path / "parts", _tables(people=[people.iloc[:3], people.iloc[3:]]), {})
    write_workspace(tmp_path / "whole", _tables(people=people), {})

    parts = Workspace.open(tmp_path / "parts").table("people")
    assert parts["level"].fillna("").tolist() == ["", "", "", "L3", "L4", ""]
    pd.testing.assert_frame_equal(parts, Workspace.open(tmp_path / "whole").table("people"))
