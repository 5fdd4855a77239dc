"""A small demo project built once per test session with the real command line, as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KIT = [sys.executable, "-m", "adoption_kit.cli"]
SMALL_DEMO = ["--people", "400", "--months", "3", "--seed", "11"]


@dataclass(frozen=True)
class DemoProject:
    """A project folder (parameters/, notebooks/, outputs/) after demo, ingest and optionally run (whose
    printed summary ``run_output`` keeps)."""

    root: Path
    run_output: str = ""

    @property
    def raw(self) -> Path:
        return self.root / "outputs" / "demo" / "raw"

    @property
    def workspace(self) -> Path:
        return self.root / "outputs" / "workspace"

    @property
    def published(self) -> Path:
        return self.root / "outputs" / "published"

    @property
    def reports(self) -> Path:
        return self.root / "outputs" / "reports"

    def kit(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run ``adoption-kit`` in this project; the result keeps stdout, stderr and the exit code."""
        environment = {k: v for k, v in os.environ.items() if not k.startswith("ADOPTION_KIT_")}
        result = subprocess.run(
            [*KIT, *arguments], cwd=self.root, env=environment, capture_output=True, text=True, timeout=900
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"adoption-kit {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result


def new_project(root: Path) -> DemoProject:
    """An empty project: the repository's parameters and notebooks, its own outputs."""
    root.mkdir(parents=True, exist_ok=True)
    for folder in ("parameters", "notebooks"):
        shutil.copytree(REPO / folder, root / folder, dirs_exist_ok=True)
    return DemoProject(root)


def demo_project(root: Path, *, run_reports: bool) -> DemoProject:
    """A project with the small demo generated and ingested (and the reports run, if asked)."""
    project = new_project(root)
    project.kit("demo", *SMALL_DEMO)
    project.kit("ingest")
    if not run_reports:
        project.kit("publish")
        return project
    return DemoProject(root, run_output=project.kit("run").stdout)
