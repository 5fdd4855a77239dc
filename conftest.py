"""Session set-up shared by the test folders and the notebooks run under ``pytest --nbval-lax``.

Notebooks read published tables only; before any notebook runs, a small demo project is generated,
ingested and published once, and ``ADOPTION_KIT_PUBLISHED`` points the notebook kernels at it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.demo_project import DemoProject, demo_project

_projects: dict[bool, DemoProject] = {}
_scratch = tempfile.TemporaryDirectory(prefix="adoption-kit-tests-")


def shared_demo(*, run_reports: bool) -> DemoProject:
    """The session's small demo project (built on first use; with reports if asked)."""
    if run_reports not in _projects:
        name = "with-reports" if run_reports else "published"
        _projects[run_reports] = demo_project(Path(_scratch.name) / name, run_reports=run_reports)
    return _projects[run_reports]


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    if any(item.nodeid.endswith(".ipynb") or ".ipynb::" in item.nodeid for item in items):
        os.environ["ADOPTION_KIT_PUBLISHED"] = str(shared_demo(run_reports=False).published)


def pytest_unconfigure(config: pytest.Config) -> None:
    _scratch.cleanup()
