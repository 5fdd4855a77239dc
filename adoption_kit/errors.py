"""What went wrong, where (file, row, column) and what was expected.

Every error a user can cause derives from :class:`KitError`; the CLI turns it into a clear message and
exit code 2. Callers act on the typed attributes instead of parsing the message.
"""

from __future__ import annotations

from pathlib import Path


class KitError(Exception):
    """A problem with the user's input or setup, not a bug in the kit."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.row = row
        self.column = column
        self.expected = expected

    def __str__(self) -> str:
        where = []
        if self.path is not None:
            where.append(f"file {self.path}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = self.message
        if where:
            text = f"{', '.join(where)}: {text}"
        if self.expected:
            text = f"{text} (expected {self.expected})"
        return text


class InputFileError(KitError):
    """A raw export, roster or KPI file that cannot be read as its format says."""


class ConfigError(KitError):
    """A parameters file, key file or command-line option that is missing or invalid."""


class WorkspaceError(KitError):
    """The workspace or a published run is missing, incomplete or inconsistent."""


class ReleaseError(KitError):
    """The release gate refused to publish a table."""
