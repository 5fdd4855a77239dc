"""A run is gated against everything earlier runs published (the ledger), and may add noisy counts."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from adoption_kit.privacy import ledger
from adoption_kit.privacy.noise import NoiseSettings
from adoption_kit.publish import BUDGET_FILE, NOISY, publish
from adoption_kit.workspace import Workspace
from conftest import shared_demo

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workspace() -> Workspace:
    return Workspace.open(shared_demo(run_reports=False).workspace)


def test_when_a_period_is_published_twice_then_the_ledger_has_both_runs_and_they_agree(workspace, tmp_path):
    first = publish(workspace, published_root=tmp_path, period="", min_group_size=5)
    second = publish(workspace, published_root=tmp_path, period=first.period, min_group_size=5)
    entries = sorted((tmp_path / "ledger").iterdir())
    assert len(entries) == 2
    assert [json.loads((e / "manifest.json").read_text())["run_id"] for e in entries] == [
        first.manifest["run_id"],
        second.manifest["run_id"],
    ]
    for name in ("headcount", "activation", "weekly_active", "monthly_active", "suppressions"):
        pd.testing.assert_frame_equal(first.table(name), second.table(name))  # same data, same release
        pd.testing.assert_frame_equal(pd.read_parquet(entries[0] / f"{name}.parquet"), first.table(name))


def test_when_noise_is_off_then_no_noisy_table_is_published(workspace, tmp_path):
    run = publish(workspace, published_root=tmp_path, min_group_size=5)
    assert NOISY not in run.tables and not (tmp_path / BUDGET_FILE).exists()


def test_when_noise_is_on_then_each_count_has_its_accuracy_and_a_rerun_spends_nothing(workspace, tmp_path):
    noise = NoiseSettings(enabled=True, epsilon_per_period=1.0, max_contributions=9)
    run = publish(workspace, published_root=tmp_path, min_group_size=5, noise=noise)
    noisy = run.table(NOISY)
    people = workspace.table("people")
    assert len(noisy) == people["department"].nunique() * (workspace.table("activity")["tool"].nunique() + 1)
    assert (noisy["noisy_count"] >= 0).all() and (noisy["accuracy"] > 0).all()
    assert noisy["epsilon"].eq(1.0).all()
    spent = json.loads((tmp_path / BUDGET_FILE).read_text())
    again = publish(workspace, published_root=tmp_path, min_group_size=5, noise=noise)
    pd.testing.assert_frame_equal(again.table(NOISY), noisy)  # the same noisy numbers, not new ones
    assert json.loads((tmp_path / BUDGET_FILE).read_text()) == spent


def test_when_an_earlier_run_lacks_a_key_column_then_its_cells_count_with_that_key_empty(tmp_path):
    # a run of an earlier version published headcount without the level column (it never split by level)
    earlier = pd.DataFrame({"group_by": ["department"], "group": ["Legal"], "department": ["Legal"]})
    ledger.record(tmp_path, "20260101T000000_2025-12", {"headcount": earlier.assign(people=12)}, {})
    (found,) = ledger.prior(tmp_path, {"headcount": ["group_by", "group", "department", "level"]}).values()
    assert found.to_dict("records") == [
        {"group_by": "department", "group": "Legal", "department": "Legal", "level": "", "people": 12}
    ]
