"""Random identifiers shaped like the vendors' (public ids, GPT ids, node ids, account ids)."""

from __future__ import annotations

import numpy as np

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
HEX = "0123456789abcdef"


def random_ids(rng: np.random.Generator, n: int, length: int, alphabet: str) -> np.ndarray:
    """``n`` random strings of ``length`` characters from ``alphabet``."""
    chars = np.array(list(alphabet))[rng.integers(0, len(alphabet), (n, length))]
    return np.ascontiguousarray(chars).view(f"<U{length}").ravel()


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # the alphabet of ULIDs
