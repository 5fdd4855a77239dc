"""The privacy budget ledger: how much epsilon each period has spent on noisy releases.

A small JSON file (e.g. ``<published root>/privacy_budget.json``) lists, per period, every release and the
epsilon it spent. :meth:`PrivacyBudget.spend` checks the period's remaining budget and records the spend in
one atomic write (temp file, then ``os.replace``); a spend that would overspend raises
:class:`BudgetExceededError` and leaves the file untouched. Callers spend *before* computing any number, so a
failure afterwards can only waste budget, never release an unaccounted number.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adoption_kit.errors import ConfigError, ReleaseError, WorkspaceError

TOLERANCE = 1e-9  # floating-point slack when a period's spends add up to exactly its budget


class BudgetExceededError(ReleaseError):
    """A release asked for more epsilon than its period has left."""

    def __init__(self, *, path: Path, period: str, budget: float, spent: float, asked: float) -> None:
        super().__init__(
            f"privacy budget for period '{period}' would be overspent: budget {budget:g}, "
            f"spent {spent:g}, asked {asked:g}",
            path=path,
            expected=f"at most {max(budget - spent, 0.0):g} more epsilon for this period",
        )
        self.period = period
        self.budget = budget
        self.spent = spent
        self.asked = asked


class PrivacyBudget:
    """The epsilon ledger kept in ``path``; every period may spend up to ``epsilon_per_period``."""

    def __init__(self, path: Path, *, epsilon_per_period: float) -> None:
        if not (math.isfinite(epsilon_per_period) and epsilon_per_period > 0):
            raise ConfigError(
                f"epsilon_per_period is {epsilon_per_period}",
                column="noise.epsilon_per_period",
                expected="a positive number",
            )
        self.path = Path(path)
        self.epsilon_per_period = float(epsilon_per_period)

    def spent(self, period: str) -> float:
        """The epsilon already spent in ``period`` (0 for a period never released)."""
        return sum(entry["epsilon"] for entry in self._read().get(period, []))

    def spend(self, period: str, epsilon: float, *, queries: Sequence[str]) -> None:
        """Record that ``queries`` cost ``epsilon`` in ``period``, or raise if that would overspend."""
        if not (math.isfinite(epsilon) and epsilon > 0):
            raise ReleaseError(f"a release must spend a positive epsilon, not {epsilon}", path=self.path)
        ledger = self._read()
        spent = sum(entry["epsilon"] for entry in ledger.get(period, []))
        if spent + epsilon > self.epsilon_per_period + TOLERANCE:
            raise BudgetExceededError(
                path=self.path, period=period, budget=self.epsilon_per_period, spent=spent, asked=epsilon
            )
        entry = {
            "epsilon": float(epsilon),
            "queries": list(queries),
            "released_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        ledger.setdefault(period, []).append(entry)
        self._write(ledger)

    def _read(self) -> dict[str, list[dict[str, Any]]]:
        if not self.path.exists():
            return {}
        try:
            periods = json.loads(self.path.read_text(encoding="utf-8"))["periods"]
            epsilons = [entry.get("epsilon") for spends in periods.values() for entry in spends]
            if not all(isinstance(epsilon, int | float) for epsilon in epsilons):
                raise TypeError("a period is not a list of spends with an epsilon")
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise WorkspaceError(
                f"cannot read the privacy budget ledger: {error}",
                path=self.path,
                expected='{"periods": {"<period>": [{"epsilon": <number>, ...}]}}',
            ) from error
        return periods

    def _write(self, periods: dict[str, list[dict[str, Any]]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"periods": periods}, indent=2, sort_keys=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
