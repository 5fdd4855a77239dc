"""Export formats: one module per format, picked by content (or named explicitly) from a registry.

Every public module of this package is a format (found at import, no list to keep in step). Each has
``NAME``, ``DESCRIPTION``, ``FIELDS`` (its fields by role: identifiers, free text, passed; see
:mod:`adoption_kit.sources.fields`), ``sniff(head) -> bool`` (does the start of a file look like this
format?) and ``read(path) -> Extract``, decorated with ``@FIELDS.checked``. An extract still carries raw
identifiers and unscrubbed free text: it never leaves :mod:`adoption_kit.ingest`, which pseudonymizes and
scrubs it before anything is written.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

from adoption_kit.errors import InputFileError
from adoption_kit.sources._tabular import head_text
from adoption_kit.sources.base import Extract

SNIFF_CHARACTERS = 4096
NOT_FORMATS = frozenset({"base", "fields"})


def _format_modules() -> dict[str, ModuleType]:
    """Every module of this package that reads a format (private modules and ``base`` are helpers)."""
    modules = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_") and info.name not in NOT_FORMATS
    ]
    return {module.NAME: module for module in sorted(modules, key=lambda m: m.NAME)}


SOURCES: dict[str, ModuleType] = _format_modules()


def known_formats() -> str:
    """One line per format the kit reads, for error messages and `--help`."""
    return "; ".join(f"{name} ({module.DESCRIPTION})" for name, module in SOURCES.items())


def detect(path: Path) -> ModuleType:
    """The format of ``path``, judged by its content; an unknown file is an error listing the known ones."""
    head = head_text(path, SNIFF_CHARACTERS)
    matches = [module for module in SOURCES.values() if module.sniff(head)]
    if len(matches) != 1:
        found = (
            "no known format" if not matches else f"several formats ({', '.join(m.NAME for m in matches)})"
        )
        raise InputFileError(
            f"cannot tell which export this is: it looks like {found}",
            path=path,
            expected=f"one of: {known_formats()}; or name it with --source",
        )
    return matches[0]


def format_of(path: Path, *, source: str | None = None) -> ModuleType:
    """The named format, or the one the content of ``path`` shows."""
    if source is not None and source not in SOURCES:
        raise InputFileError(f"unknown source {source!r}", path=path, expected=f"one of {', '.join(SOURCES)}")
    return SOURCES[source] if source else detect(path)


def read(path: Path, *, source: str | None = None) -> Extract:
    """Read one file with the named format, or the one its content shows."""
    return format_of(path, source=source).read(path)
