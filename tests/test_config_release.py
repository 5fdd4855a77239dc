"""The release gate's own parameters: the (n,k) dominance rule and optional noise, read from org.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from adoption_kit.config import load_settings
from adoption_kit.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def _project(tmp_path: Path, **changes) -> Path:
    shutil.copytree(REPO / "parameters", tmp_path / "parameters")
    path = tmp_path / "parameters" / "org.yaml"
    values = yaml.safe_load(path.read_text(encoding="utf-8")) | changes
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    return tmp_path


def test_when_the_shipped_parameters_are_read_then_the_gate_uses_a_2_85_rule_and_no_noise():
    settings = load_settings(REPO)
    assert (settings.dominance.contributors, settings.dominance.share) == (2, 0.85)
    assert not settings.noise.enabled


def test_when_the_rule_is_changed_then_the_settings_follow(tmp_path):
    settings = load_settings(_project(tmp_path, dominance={"contributors": 1, "share": 0.6}))
    assert (settings.dominance.contributors, settings.dominance.share) == (1, 0.6)


@pytest.mark.parametrize(
    "dominance",
    [{"contributors": 0, "share": 0.8}, {"contributors": 2, "share": 1.5}, {"share": "most"}, {"n": 2}],
    ids=["no contributors", "a share above 1", "a share that is no number", "an unknown setting"],
)
def test_when_the_rule_is_not_a_rule_then_the_parameters_file_is_named(tmp_path, dominance):
    with pytest.raises(ConfigError, match="dominance") as raised:
        load_settings(_project(tmp_path, dominance=dominance))
    assert raised.value.path.name == "org.yaml"
