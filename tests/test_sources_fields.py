"""Every format declares its fields by role, and one check enforces the declaration for all of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources.base import Extract
from adoption_kit.sources.fields import Fields

GATEWAY = Fields(
    identifiers=frozenset(["user", "client_ip"]),
    free_text={"prompt": "prompt"},
    passed=frozenset(["timestamp", "model"]),
    required=frozenset(["user"]),
)


def _extract(*fields: str) -> Extract:
    return Extract("gateway_log", Path("log.csv"), "email", 0, fields=fields)


@pytest.mark.parametrize(
    "module", sorted(sources.SOURCES.values(), key=lambda m: m.NAME), ids=lambda m: m.NAME
)
def test_when_a_format_is_registered_then_it_declares_its_fields_and_its_reader_enforces_them(module):
    assert isinstance(module.FIELDS, Fields)
    assert getattr(module.read, "fields", None) is module.FIELDS  # read is decorated with FIELDS.checked
    roles = [module.FIELDS.identifiers, frozenset(module.FIELDS.free_text), module.FIELDS.passed]
    assert sum(len(role) for role in roles) == len(module.FIELDS.declared)  # no field in two roles


@pytest.mark.parametrize(
    "roles",
    [
        {"identifiers": frozenset(["email"]), "passed": frozenset(["email"])},  # identifier also passed
        {"free_text": {"title": "conversation_title"}, "passed": frozenset(["title"])},  # text also passed
        {"passed": frozenset(["email"]), "required": frozenset(["email"])},  # required but not an identifier
    ],
)
def test_when_a_declaration_is_inconsistent_then_it_is_refused(roles):
    with pytest.raises(ValueError):
        Fields(**roles)


def test_when_a_file_has_undeclared_fields_then_they_are_reported_sorted():
    checked = GATEWAY.check(_extract("timestamp", "user", "manager_email", "model", "badge_id", ""))
    assert checked.unknown_fields == ("badge_id", "manager_email")


def test_when_a_required_identifier_is_missing_then_the_file_is_refused_naming_file_and_column():
    with pytest.raises(InputFileError) as error:
        GATEWAY.check(_extract("timestamp", "model", "prompt"))
    assert error.value.column == "user" and error.value.path == Path("log.csv")


def test_when_an_optional_identifier_is_missing_then_the_file_is_read():
    assert GATEWAY.check(_extract("timestamp", "user")).unknown_fields == ()


def test_when_names_are_compared_by_spelling_then_each_spelling_of_a_declared_field_is_known():
    fields = Fields(
        passed=frozenset(["reportrefreshdate"]), spelling=lambda name: name.lower().replace(" ", "")
    )
    checked = fields.check(_extract("Report Refresh Date", "Manager Email"))
    assert checked.unknown_fields == ("Manager Email",)
