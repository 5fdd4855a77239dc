"""Breakdowns by any roster attribute the user names: the ``groupings:`` section of the parameters."""

from __future__ import annotations

import pytest

from adoption_kit.config import load_settings
from adoption_kit.errors import ConfigError
from tests.test_config_release import REPO, _project


def test_when_the_shipped_parameters_are_read_then_people_are_also_broken_down_by_level():
    assert load_settings(REPO).groupings == {"level": ("level",)}


def test_when_a_grouping_names_a_cross_of_attributes_then_it_is_kept_in_order(tmp_path):
    groupings = {"department_level": ["department", "level"], "tenure": "tenure_band"}
    settings = load_settings(_project(tmp_path, groupings=groupings))
    assert settings.groupings == {"department_level": ("department", "level"), "tenure": ("tenure_band",)}


@pytest.mark.parametrize(
    "groupings",
    [{"grade": ["salary"]}, {"Level": ["level"]}, {"level": []}, {"level": [None]}],
    ids=["an attribute the roster does not have", "a name in capitals", "no attribute", "an empty one"],
)
def test_when_a_grouping_is_wrong_then_the_error_names_it_and_the_file(tmp_path, groupings):
    with pytest.raises(ConfigError, match="groupings") as error:
        load_settings(_project(tmp_path, groupings=groupings))
    assert "org.yaml" in str(error.value) and "roster attributes" in str(error.value)
