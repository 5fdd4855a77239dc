"""Replace a whole folder at once: readers see the old contents or the new ones, never a mix."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replace_directory(target: Path) -> Iterator[Path]:
    """Yield an empty sibling folder to fill; on success it takes ``target``'s place, on error it vanishes.

    The old folder is renamed aside and only then deleted, so a failure at any step before the final
    rename leaves ``target`` exactly as it was.
    """
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:8]
    staging = target.with_name(f".{target.name}.new-{token}")
    staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = target.with_name(f".{target.name}.old-{token}")
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
