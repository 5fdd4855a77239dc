"""Shared fixtures: where the vendors' real samples live, and a clean environment for every test."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

FORMATS = Path(__file__).resolve().parents[2] / "shared" / "formats"


@pytest.fixture
def formats() -> Path:
    """The folder of real export samples (``../shared/formats``)."""
    if not FORMATS.is_dir():
        pytest.skip(f"the vendors' samples are not beside the repository ({FORMATS})")
    return FORMATS


@pytest.fixture(autouse=True)
def _no_key_from_the_environment(monkeypatch):
    monkeypatch.delenv("ADOPTION_KIT_KEY", raising=False)
