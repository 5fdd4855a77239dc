"""The release ledger: what every run published, so the next run is gated against it too.

Each run adds one entry, ``<published root>/ledger/<run id>/``, holding every table exactly as published
(blank where hidden), the run's suppression record and a manifest (period, time, minimum group size, the
(n,k) rule). Entries are written before the run's tables are, and never changed: an attacker who kept
every earlier report knows everything in the ledger, so the gate treats it as public (see
:func:`adoption_kit.privacy.suppression.with_prior`) and auditors can replay each decision from it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from adoption_kit.atomic import replace_directory

LEDGER = "ledger"
MANIFEST = "manifest.json"


def ledger_root(published_root: Path) -> Path:
    return published_root / LEDGER


def prior(
    published_root: Path, keys: Mapping[str, Sequence[str]], *, before: str | None = None
) -> dict[str, pd.DataFrame]:
    """Per table, the last value each cell was ever published with (per column; hidden cells skip),
    over every entry, or only those recorded before the run id ``before``."""
    entries = sorted(p for p in ledger_root(published_root).glob("*") if (p / MANIFEST).is_file())
    entries = [e for e in entries if before is None or e.name < before]
    found: dict[str, pd.DataFrame] = {}
    for name, columns in keys.items():
        frames = [
            pd.read_parquet(e / f"{name}.parquet") for e in entries if (e / f"{name}.parquet").is_file()
        ]
        if not frames:
            continue
        # a key an earlier version of a table did not have (an attribute it never split by) is empty there
        frames = [f.assign(**{c: "" for c in columns if c not in f.columns}) for f in frames]
        stacked = pd.concat(frames, ignore_index=True)
        stacked[list(columns)] = stacked[list(columns)].astype("str")
        values = stacked.drop(columns=[c for c in ("suppressed",) if c in stacked.columns])
        found[name] = values.groupby(list(columns), sort=False, dropna=False).last().reset_index()
    return found


def record(published_root: Path, run_id: str, tables: Mapping[str, pd.DataFrame], manifest: dict) -> Path:
    """Add the entry of run ``run_id`` (its published tables, record included, and its manifest)."""
    target = ledger_root(published_root) / run_id
    with replace_directory(target) as staging:
        for name, frame in tables.items():
            frame.to_parquet(staging / f"{name}.parquet", index=False)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return target
