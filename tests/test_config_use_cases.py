"""The use_cases section of parameters/org.yaml: keyword rules per category, in order, checked when read."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from adoption_kit.config import load_settings
from adoption_kit.errors import ConfigError
from adoption_kit.use_cases import UseCaseRules
from tests.test_config_release import REPO, _project


def test_when_the_shipped_parameters_are_read_then_the_rules_are_the_kits_defaults():
    rules = load_settings(REPO).use_cases
    assert rules == UseCaseRules()
    assert [category for category, _ in rules.rules][:2] == ["coding", "data_analysis"]  # tried first


def test_when_the_rules_are_replaced_then_only_the_configured_categories_are_tried_in_their_order(
    tmp_path: Path,
):
    project = _project(tmp_path)
    path = project / "parameters" / "org.yaml"
    values = yaml.safe_load(path.read_text(encoding="utf-8")) | {
        "use_cases": {"writing": ["draft"], "coding": ["sql"]}  # not in the order of the defaults
    }
    path.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
    assert load_settings(project).use_cases.rules == (("writing", ("draft",)), ("coding", ("sql",)))


def test_when_a_rule_is_wrong_then_the_error_names_the_key_and_the_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="use_cases.coding") as raised:
        load_settings(_project(tmp_path, use_cases={"coding": ["[unclosed"]}))
    assert raised.value.path.name == "org.yaml" and raised.value.column == "use_cases.coding"
