"""Every metric threshold lives in parameters/org.yaml, one section per metric, checked when read."""

from __future__ import annotations

from pathlib import Path

import pytest

from adoption_kit.config import load_settings
from adoption_kit.errors import ConfigError
from adoption_kit.metrics import PowerUserRule, StageRule
from tests.test_config_release import REPO, _project


def test_when_the_shipped_parameters_are_read_then_the_metric_defaults_are_designs():
    metrics = load_settings(REPO).metrics
    assert metrics.power_users == PowerUserRule(top_share=0.2, weekly_messages=75, tools_or_surfaces=3)
    assert metrics.power_users.combine == "all"  # DESIGN.md: top 20% and 75+ a week and 3+ surfaces
    assert metrics.stages == StageRule()
    assert metrics.cost.idle_days == 30


def test_when_one_threshold_is_overridden_then_the_others_keep_their_defaults(tmp_path: Path):
    metrics = load_settings(_project(tmp_path, cost={"idle_days": 14})).metrics
    assert metrics.cost.idle_days == 14 and metrics.power_users.weekly_messages == 75


@pytest.mark.parametrize(
    ("section", "values"),
    [
        ("power_users", {"weekly_mesages": 75}),
        ("power_users", {"combine": "either"}),
        ("stages", {"weeks": 4}),
    ],
    ids=["a misspelt key", "an unknown combination", "an unknown key"],
)
def test_when_a_metric_section_is_wrong_then_the_error_names_the_section_and_file(tmp_path, section, values):
    with pytest.raises(ConfigError, match=section) as raised:
        load_settings(_project(tmp_path, **{section: values}))
    assert raised.value.path.name == "org.yaml" and raised.value.column == section
