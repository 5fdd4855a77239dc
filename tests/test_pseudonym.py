"""Keyed pseudonyms: known answers, normalization, and a key that must come from outside the workspace."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from adoption_kit.errors import ConfigError
from adoption_kit.privacy.pseudonym import Pseudonymizer, create_key_file, normalize_email

KEY = bytes(range(32))

# fmt: off
KNOWN_ANSWERS = [
    ("ann.lee@example.com", "p7dab_f86c138c4d352a95d176642f"),  # HMAC-SHA256(key 00..1f), first 24 hex
    ("octocat", "p7dab_8f81993dee61c1eb2475325c"),              # a login is hashed the same way
]
# fmt: on


@pytest.mark.parametrize(("identifier", "token"), KNOWN_ANSWERS)
def test_when_the_key_is_fixed_then_tokens_match_the_known_answers(identifier, token):
    assert Pseudonymizer(KEY).token(identifier) == token


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        (" Ann.Lee@Example.COM ", "ann.lee@example.com"),  # case and whitespace
        ("ann.lee+chatgpt@example.com", "ann.lee@example.com"),  # plus-addressing
        ("ann.lee@example.com", "ann.lee@example.com"),  # already normal
    ],
)
def test_when_emails_differ_in_form_then_they_normalize_alike(raw, normalized):
    assert normalize_email(pd.Series([raw])).iloc[0] == normalized


def test_when_two_keys_differ_then_tokens_and_key_ids_differ():
    first, second = Pseudonymizer(KEY), Pseudonymizer(bytes(reversed(KEY)))
    assert first.key_id != second.key_id
    assert first.token("x@example.com") != second.token("x@example.com")


def test_when_a_series_repeats_values_then_equal_values_get_equal_tokens():
    tokens = Pseudonymizer(KEY).tokens(pd.Series(["a@x.com", "b@x.com", "a@x.com"]))
    assert tokens.iloc[0] == tokens.iloc[2] != tokens.iloc[1]


def test_when_the_key_is_short_then_it_is_refused():
    with pytest.raises(ConfigError, match="bytes"):
        Pseudonymizer(b"short")


def test_when_no_key_exists_then_loading_fails_instead_of_generating_one(tmp_path, monkeypatch):
    monkeypatch.delenv("ADOPTION_KIT_KEY", raising=False)
    with pytest.raises(ConfigError, match="no pseudonymization key"):
        Pseudonymizer.load(tmp_path / "missing.key", workspace=tmp_path / "workspace")
    assert not (tmp_path / "missing.key").exists()


def test_when_the_key_file_is_inside_the_workspace_then_it_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("ADOPTION_KIT_KEY", raising=False)
    key = create_key_file(tmp_path / "workspace" / "pseudonym.key")
    with pytest.raises(ConfigError, match="inside the workspace"):
        Pseudonymizer.load(key, workspace=tmp_path / "workspace")


def test_when_the_key_comes_from_the_environment_then_no_file_is_needed(tmp_path, monkeypatch):
    monkeypatch.setenv("ADOPTION_KIT_KEY", KEY.hex())
    loaded = Pseudonymizer.load(tmp_path / "absent.key", workspace=tmp_path / "workspace")
    assert loaded.token("octocat") == KNOWN_ANSWERS[1][1]


def test_when_a_key_file_is_created_then_only_its_owner_can_read_it_and_it_is_never_overwritten(tmp_path):
    path = create_key_file(tmp_path / "secrets" / "k.key")
    first = path.read_text()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    create_key_file(path)
    assert path.read_text() == first
    assert len(bytes.fromhex(first.strip())) == 32
