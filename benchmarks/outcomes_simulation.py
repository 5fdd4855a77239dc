"""Do the outcome estimators recover a known effect? A simulation study over many seeds per scenario.

    .venv/bin/python benchmarks/outcomes_simulation.py [--seeds 500] [--jobs 2]

Each scenario (``adoption_kit.metrics.outcomes_simulation.SCENARIOS``) simulates organisations of 80 teams
over 12 months with staggered rollouts, selection into early adoption and heterogeneous, growing effects
(+14%, +26%, or none), and estimates each with TWFE on adoption (the classic static DiD) and the staggered
DiD (Sun-Abraham). The table gives, per scenario and estimator, the planted effect, the mean estimate, the
bias as a percentage of the planted effect, the share of 95% intervals covering it, the share rejecting no
effect at 5% (the false-positive rate where nothing is planted) and the share failing the pre-trend test.
``tests/test_metrics_outcomes_simulation.py`` runs a fast version.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread per worker: small fits, many of them

import argparse  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from adoption_kit.metrics.outcomes_simulation import SCENARIOS, simulation_study, summarise  # noqa: E402

TARGETS = {"coverage": 0.90, "abs_bias_pct": 10.0, "false_positives": (0.02, 0.09)}


def run(seeds: int, jobs: int) -> pd.DataFrame:
    """Every scenario over ``seeds`` seeds, split into ``jobs`` worker processes."""
    chunks = [chunk.tolist() for chunk in np.array_split(np.arange(seeds), jobs) if chunk.size]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        parts = list(pool.map(_study, chunks))
    return pd.concat(parts, ignore_index=True)


def checks(summary: pd.DataFrame) -> pd.Series:
    """The targets the staggered DiD misses, per scenario (empty when all are met)."""
    did = summary.loc[summary["estimator"] == "staggered_did"].set_index("scenario")
    planted = did["planted"] > 0
    low, high = TARGETS["false_positives"]
    misses = [
        ("coverage " + did["coverage"].map("{:.3f}".format)).loc[
            planted & (did["coverage"] < TARGETS["coverage"])
        ],
        ("bias " + did["bias_pct"].map("{:+.1f}%".format)).loc[
            planted & (did["bias_pct"].abs() >= TARGETS["abs_bias_pct"])
        ],
        ("false positives " + did["rejection_rate"].map("{:.3f}".format)).loc[
            ~planted & ~did["rejection_rate"].between(low, high)
        ],
    ]
    return pd.concat(misses)


def _study(seeds: list[int]) -> pd.DataFrame:
    return simulation_study(SCENARIOS, seeds=seeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    arguments = parser.parse_args()
    started = time.perf_counter()
    summary = summarise(run(arguments.seeds, arguments.jobs))
    elapsed = time.perf_counter() - started
    with pd.option_context(
        "display.width", 200, "display.max_columns", 20, "display.float_format", "{:.3f}".format
    ):
        print(summary.to_string(index=False))
    missed = checks(summary)
    verdict = "all met" if missed.empty else "MISSED: " + "; ".join(missed.index + ": " + missed)
    print(f"\nstaggered DiD targets: {verdict}")
    runs = f"{arguments.seeds} seeds x {len(SCENARIOS)} scenarios, {arguments.jobs} jobs"
    print(f"wall time: {elapsed:.1f} s ({runs})")


if __name__ == "__main__":
    main()
