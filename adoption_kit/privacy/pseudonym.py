"""Keyed pseudonyms: HMAC-SHA256 of a normalized identifier, with the key's id inside every token.

The key lives outside the workspace (a key file or ``$ADOPTION_KIT_KEY``); without it nothing in the
workspace can be joined back to a person. Tokens look like ``p1a2b_<24 hex>``: ``1a2b`` names the key,
so a workspace mixing two keys is detected instead of silently splitting people in two.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

from adoption_kit.config import KEY_ENV
from adoption_kit.errors import ConfigError

KEY_BYTES = 32
DIGEST_HEX = 24
PENDING_SUFFIX = ".rekey-pending"
RETIRED_SUFFIX = ".retired-"


def normalize_email(emails: pd.Series) -> pd.Series:
    """Lower-case, trim and drop plus-addressing: ``" Ann.Lee+ai@X.com"`` -> ``"ann.lee@x.com"``."""
    cleaned = emails.astype("str").str.strip().str.lower()
    return cleaned.str.replace(r"\+[^@]*@", "@", regex=True)


def normalize_login(logins: pd.Series) -> pd.Series:
    """GitHub logins are case-insensitive."""
    return logins.astype("str").str.strip().str.lower()


class Pseudonymizer:
    """Turns normalized identifiers into stable, keyed, non-reversible tokens."""

    def __init__(self, key: bytes) -> None:
        if len(key) < KEY_BYTES:
            raise ConfigError(
                f"pseudonymization key has {len(key)} bytes", expected=f"at least {KEY_BYTES} random bytes"
            )
        self._key = key
        self.key_id = hashlib.sha256(b"adoption-kit key id\0" + key).hexdigest()[:4]

    @classmethod
    def from_hex(cls, text: str, *, origin: str) -> Pseudonymizer:
        """A pseudonymizer from a hex-encoded key; ``origin`` names where it came from in errors."""
        try:
            return cls(bytes.fromhex(text.strip()))
        except ValueError as error:
            raise ConfigError(
                "pseudonymization key is not hexadecimal", path=origin, expected="64 hex characters"
            ) from error

    @classmethod
    def load(cls, key_file: Path, *, workspace: Path, rekeying: bool = False) -> Pseudonymizer:
        """The key from ``$ADOPTION_KIT_KEY`` or ``key_file``; a missing key is an error, never generated.

        While ``adoption-kit rekey`` has a new key waiting beside the key file, only ``rekeying`` may load it.
        """
        if os.environ.get(KEY_ENV):
            return cls.from_hex(os.environ[KEY_ENV], origin=f"${KEY_ENV}")
        key_file = key_file.resolve()
        if not rekeying and pending_key_path(key_file).exists():
            raise ConfigError(
                "a re-keying of the workspace is under way or was interrupted",
                path=pending_key_path(key_file),
                expected="`adoption-kit rekey` to finish first (run it again if it was interrupted:"
                " it finishes or rolls back)",
            )
        if key_file.is_relative_to(workspace.resolve()):
            raise ConfigError(
                "the pseudonymization key is inside the workspace",
                path=key_file,
                expected="a key file outside the workspace, so the workspace alone cannot be re-identified",
            )
        if not key_file.is_file():
            raise ConfigError(
                "no pseudonymization key",
                path=key_file,
                expected=f"a key file (create one with `adoption-kit keygen`) or ${KEY_ENV}",
            )
        return cls.from_hex(key_file.read_text(encoding="ascii"), origin=str(key_file))

    def tokens(self, identifiers: pd.Series) -> pd.Series:
        """One token per (already normalized) identifier; each distinct value is hashed once."""
        distinct = identifiers.dropna().unique()
        table = {value: self.token(value) for value in distinct}
        return identifiers.map(table).astype("str")

    def token(self, identifier: str) -> str:
        """The token of one normalized identifier."""
        digest = hmac.new(self._key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"p{self.key_id}_{digest[:DIGEST_HEX]}"


def create_key_file(path: Path) -> Path:
    """Write a new random key readable by its owner only; an existing key is kept, never overwritten."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    return path


def pending_key_path(key_file: Path) -> Path:
    """Where ``adoption-kit rekey`` keeps the new key until the new workspace is in place."""
    return key_file.with_name(key_file.name + PENDING_SUFFIX)


def retired_key_path(key_file: Path, *, key_id: str) -> Path:
    """Where ``adoption-kit rekey`` moves a replaced key: ``<key file>.retired-<key id>``."""
    return key_file.with_name(f"{key_file.name}{RETIRED_SUFFIX}{key_id}")


def copy_key_file(source: Path, target: Path) -> Path:
    """Copy a key to a new owner-only file, flushed to disk; an identical copy already there is kept."""
    content = source.read_bytes()
    if target.exists():
        if target.read_bytes() != content:
            raise ConfigError(
                "a different key is already there", path=target, expected="no file at this path"
            )
        return target
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    return target
