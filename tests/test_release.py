"""The release gate's primary suppression: nothing resting on fewer than min_group_size people is shown."""

from __future__ import annotations

import pandas as pd
import pytest

from adoption_kit.errors import ReleaseError
from adoption_kit.privacy.release import release


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["big", "edge", "small", "unknown"],
            "wau": [40, 5, 4, 3],
            "events_per_user_mean": [12.5, 3.0, 99.0, 1.0],
            "people": pd.array([40, 5, 4, None], dtype="Int64"),
        }
    )


def test_when_a_row_rests_on_fewer_people_than_the_minimum_then_its_numbers_are_blanked(table):
    released = release(table, name="weekly_active", keys=["group"], min_group_size=5)
    shown = released.table.set_index("group")
    assert shown.loc["big", "wau"] == 40 and shown.loc["edge", "wau"] == 5  # 5 is enough
    for group in ("small", "unknown"):  # fewer than 5, or an unknown count
        assert shown.loc[group].drop("suppressed").isna().all()
        assert shown.loc[group, "suppressed"]
    assert released.table["wau"].dtype == "Int64"  # counts stay counts


def test_when_rows_are_hidden_then_the_record_names_them_without_their_counts(table):
    record = release(table, name="weekly_active", keys=["group"], min_group_size=5).suppressions
    assert record["group"].tolist() == ["small", "unknown"]
    assert set(record["table"]) == {"weekly_active"}
    assert record["reason"].tolist() == ["primary", "primary"]
    assert "4" not in " ".join(record.astype(str).to_numpy().ravel())


def test_when_the_minimum_is_below_three_then_the_gate_refuses(table):
    with pytest.raises(ReleaseError):
        release(table, name="t", keys=["group"], min_group_size=2)


def test_when_a_table_does_not_say_how_many_people_rows_rest_on_then_the_gate_refuses(table):
    with pytest.raises(ReleaseError, match="people"):
        release(table.drop(columns="people"), name="t", keys=["group"], min_group_size=5)
