"""What each field of an export is for, declared once per format and enforced in one place.

A format module declares ``FIELDS = Fields(identifiers=..., free_text=..., passed=...)`` and decorates its
``read`` with ``@FIELDS.checked``. Its reader lists the fields the file carries in ``Extract.fields`` (CSV
columns, or a JSON record's dotted keys); the decorator then fails closed when a required identifier is
missing and reports every undeclared field in ``Extract.unknown_fields`` (the reader never reads those).

Roles: an *identifier* names a person (email, login, id, name, IP address, device id) and is only ever
used to resolve a pseudonym, never stored; *free text* goes to the ``texts`` table once scrubbed (its
value is the text's kind); a *passed* field may be stored as it is.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from adoption_kit.errors import InputFileError
from adoption_kit.sources.base import Extract

Reader = Callable[[Path], Extract]


def _as_written(name: str) -> str:
    return name


@dataclass(frozen=True)
class Fields:
    """One format's fields by role; ``required`` identifiers must be in every file.

    ``spelling`` turns a field as the file writes it into the declared name (M365 reports compare
    squashed names, so "User Principal Name" and "userPrincipalName" are one field).
    """

    identifiers: frozenset[str] = frozenset()
    free_text: Mapping[str, str] = field(default_factory=dict)
    passed: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()
    spelling: Callable[[str], str] = _as_written

    def __post_init__(self) -> None:
        roles = (self.identifiers, frozenset(self.free_text), self.passed)
        overlap = set().union(*(a & b for i, a in enumerate(roles) for b in roles[i + 1 :]))
        if overlap:
            raise ValueError(f"fields declared in two roles: {', '.join(sorted(overlap))}")
        if not self.required <= self.identifiers:
            raise ValueError(
                f"required fields that are not identifiers: {sorted(self.required - self.identifiers)}"
            )

    @property
    def declared(self) -> frozenset[str]:
        """Every field the format knows, whatever its role."""
        return self.identifiers | frozenset(self.free_text) | self.passed

    def check(self, extract: Extract) -> Extract:
        """The extract with its undeclared fields reported; a missing required identifier is an error."""
        named = [name for name in extract.fields if name.strip()]
        present = {self.spelling(name) for name in named}
        missing = sorted(self.required - present)
        if missing:
            raise InputFileError(
                f"missing identifier column {missing[0]!r}: the file cannot be matched to people",
                path=extract.path,
                column=missing[0],
                expected=f"the identifier columns {', '.join(sorted(self.required))}",
            )
        unknown = {name for name in named if self.spelling(name) not in self.declared}
        return dataclasses.replace(
            extract, unknown_fields=tuple(sorted(unknown | set(extract.unknown_fields)))
        )

    def checked(self, read: Reader) -> Reader:
        """Decorate a format's ``read`` so that every extract it returns went through :meth:`check`."""

        @functools.wraps(read)
        def read_checked(path: Path) -> Extract:
            return self.check(read(path))

        read_checked.fields = self  # type: ignore[attr-defined]
        return read_checked
