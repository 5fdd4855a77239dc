"""environment.yml and pyproject.toml ask for the same packages with the same pins."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def _normalized(requirement: str) -> tuple[str, str]:
    name, pins = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement.strip()).groups()
    return name.lower().replace("_", "-"), pins.replace(" ", "")


def test_when_both_files_are_read_then_they_pin_the_same_packages():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"].values()  # dev, and the spark engine's
    wanted = project["dependencies"] + [requirement for extra in extras for requirement in extra]
    environment = yaml.safe_load((REPO / "environment.yml").read_text())["dependencies"]
    conda = [d for d in environment if isinstance(d, str) and not d.startswith(("python=", "pip"))]
    assert dict(map(_normalized, conda)) == dict(map(_normalized, wanted))


def test_when_python_is_pinned_then_both_files_agree():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((REPO / "environment.yml").read_text())["dependencies"]
    assert "python=3.11" in environment and project["requires-python"] == ">=3.11"
