"""The free_text parameters: per kind of text, scrub (the default) or drop; anything else is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from adoption_kit.config import free_text_actions, load_settings
from adoption_kit.errors import ConfigError
from adoption_kit.schema import TEXT_KINDS

REPO = Path(__file__).resolve().parents[1]


def test_when_no_kind_is_configured_then_every_kind_is_scrubbed():
    assert free_text_actions({}) == dict.fromkeys(TEXT_KINDS, "scrub")


def test_when_a_kind_is_dropped_then_only_that_kind_is():
    actions = free_text_actions({"prompt": "drop"})
    assert actions["prompt"] == "drop" and {actions[k] for k in TEXT_KINDS if k != "prompt"} == {"scrub"}


@pytest.mark.parametrize(
    ("configured", "column"),
    [
        ({"chat_transcript": "scrub"}, "free_text.chat_transcript"),  # a kind no source carries
        ({"prompt": "keep"}, "free_text.prompt"),  # storing unscrubbed text is not an option
        ({"prompt": None}, "free_text.prompt"),  # a key left empty
    ],
)
def test_when_free_text_is_misconfigured_then_a_config_error_names_the_key(configured, column):
    with pytest.raises(ConfigError) as error:
        free_text_actions(configured)
    assert error.value.column == column


def test_when_the_shipped_parameters_are_read_then_urls_and_roles_are_dropped_and_the_rest_scrubbed():
    free_text = load_settings(REPO).free_text
    assert {kind for kind, action in free_text.items() if action == "drop"} == {"gpt_url", "user_role"}
