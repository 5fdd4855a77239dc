"""Re-key a workspace: re-read every export it holds with a new key, prove nothing changed, swap, retire.

Pseudonyms are keyed hashes of raw identifiers, so the workspace alone cannot be re-keyed. ``rekey`` finds
every export of the workspace's ledger among the raw files (by content), replays the original ingests
batch by batch with the new key into a staging folder, and checks that the result is the old workspace
with each old pseudonym replaced by exactly one new one: the old -> new pairs are learned while hashing,
so the check is a bijection over every table, not a sample. Only then does it commit.

The order of the steps, so that a crash leaves the old workspace with the old key or the new with the new:

1. the new key is written beside the key file as ``<key file>.rekey-pending`` (owner-only); while it
   exists every other command that loads the key stops and says to run ``adoption-kit rekey`` again;
2. the staging ingest and the checks (a crash here leaves a hidden staging folder, nothing else);
3. commit: the new workspace replaces the old one by one rename; its manifest carries the new key id;
4. the old key is copied to ``<key file>.retired-<old key id>`` (owner-only), unless it is to be destroyed;
5. the pending key replaces the key file by one rename.

A crash between 3 and 5 leaves the new workspace, the old key file and the pending key: rerunning
``adoption-kit rekey`` sees the manifest's key id is the pending key's and finishes 4-5. A crash before 3
leaves a pending key the workspace does not carry: the rerun discards it and starts over.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from adoption_kit import exports, ingest, schema
from adoption_kit.config import KEY_ENV
from adoption_kit.errors import ConfigError, InputFileError, WorkspaceError
from adoption_kit.privacy.pseudonym import (
    Pseudonymizer,
    copy_key_file,
    create_key_file,
    pending_key_path,
    retired_key_path,
)
from adoption_kit.use_cases import UseCaseRules
from adoption_kit.workspace import Workspace, write_workspace

LEDGER_DATES = ["exported_at", "ingested_at"]


@dataclass(frozen=True)
class RekeyReport:
    """What ``rekey`` did: the two key ids, what it re-read, and where the old key went."""

    workspace: Path
    key_file: Path
    old_key_id: str
    new_key_id: str
    people: int
    exports_reread: int
    files_left_out: int
    retired_key: Path | None
    finished_interrupted: bool = False

    def as_text(self) -> str:
        """A few sentences for the terminal."""
        lines = [
            f"Re-keyed {self.workspace}: pseudonyms p{self.old_key_id}_... are now p{self.new_key_id}_..."
            f" ({self.people} people, {self.exports_reread} exports re-read).",
            f"New key installed at {self.key_file}.",
        ]
        if self.finished_interrupted:
            lines[0] = f"Finished an interrupted re-keying of {self.workspace} (key {self.new_key_id})."
        if self.files_left_out:
            lines.append(
                f"{self.files_left_out} files under the inputs are not in the workspace and were left out;"
                " ingest them now with the new key."
            )
        if self.retired_key is None:
            lines.append(f"The old key {self.old_key_id} was destroyed.")
        else:
            lines.append(
                f"The old key {self.old_key_id} is no longer needed: it was moved to {self.retired_key}"
                " (owner-only). Destroy it once no backup made with it must stay readable."
            )
        return "\n".join(lines)


class _PairingPseudonymizer(Pseudonymizer):
    """The new key's tokens, remembering for each the old key's token of the same identifier."""

    def __init__(self, key: bytes, *, old: Pseudonymizer) -> None:
        super().__init__(key)
        self._old = old
        self.old_to_new: dict[str, str] = {}

    def token(self, identifier: str) -> str:
        new = super().token(identifier)
        self.old_to_new[self._old.token(identifier)] = new
        return new


def rekey(
    paths: list[Path],
    *,
    workspace: Path,
    key_file: Path,
    new_key_file: Path | None = None,
    destroy_old_key: bool = False,
    free_text: Mapping[str, str] = ingest.SCRUB_ALL,
    use_cases: UseCaseRules = ingest.DEFAULT_USE_CASES,
) -> RekeyReport:
    """Replace the workspace's key by a new one (generated, or ``new_key_file``), re-reading ``paths``
    with the same ``free_text`` and ``use_cases`` settings as the ingests that made the workspace."""
    if os.environ.get(KEY_ENV):
        raise ConfigError(
            f"rekey replaces the key file, but the key comes from ${KEY_ENV}",
            path=key_file,
            expected=f"${KEY_ENV} unset and the current key in the key file (outside the workspace,"
            f" mode 0600); after rekey, move the new key from that file to where ${KEY_ENV} comes from",
        )
    current = Workspace.open(workspace)
    old = Pseudonymizer.load(key_file, workspace=workspace, rekeying=True)
    pending = pending_key_path(key_file)
    waiting = _key_id(pending, workspace=workspace)
    if waiting is not None and current.manifest.get("key_id") == waiting:
        retired = _install(pending, key_file, old_key_id=old.key_id, destroy_old_key=destroy_old_key)
        people = len(current.table("people"))
        return RekeyReport(workspace, key_file, old.key_id, waiting, people, 0, 0, retired, True)
    if current.manifest.get("key_id") != old.key_id:
        raise WorkspaceError(
            "the workspace was pseudonymized with another key",
            path=workspace,
            expected=f"the key with id {current.manifest.get('key_id')} in {key_file}",
        )
    pending.unlink(missing_ok=True)
    ledger = current.table("exports")
    found = exports.by_export_id(ingest.discover(paths))
    files = _ledger_files(ledger, found, inputs=paths)
    new = _pending_pseudonymizer(pending, new_key_file, workspace=workspace, old=old)
    try:
        tables = _reread(
            ledger, files, workspace=workspace, pseudonymizer=new, free_text=free_text, use_cases=use_cases
        )
        _check_bijection(current, tables, new.old_to_new, old_key_id=old.key_id)
        manifest = current.manifest | {
            "key_id": new.key_id,
            "rekeyed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        write_workspace(workspace, tables, manifest)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    retired = _install(pending, key_file, old_key_id=old.key_id, destroy_old_key=destroy_old_key)
    return RekeyReport(
        workspace,
        key_file,
        old.key_id,
        new.key_id,
        people=len(tables["people"]),
        exports_reread=len(files),
        files_left_out=len(set(found) - set(files)),
        retired_key=retired,
    )


def _key_id(key_file: Path, *, workspace: Path) -> str | None:
    """The id of the key in ``key_file``; None when there is none or it was left half-written."""
    try:
        return Pseudonymizer.load(key_file, workspace=workspace, rekeying=True).key_id
    except ConfigError:
        return None


def _ledger_files(ledger: pd.DataFrame, found: dict[str, Path], *, inputs: list[Path]) -> dict[str, Path]:
    """The raw file of every export in the ledger, in ledger order; a missing one stops everything."""
    per_export = ledger.groupby("export_id", sort=False).agg(
        source=("source", "first"),
        first_day=("first_day", "min"),
        last_day=("last_day", "max"),
        exported_at=("exported_at", "first"),
    )
    missing = per_export.loc[~per_export.index.isin(list(found))]
    if len(missing):
        named = "; ".join(
            f"{row.source} export {export} ({_days(row)})" for export, row in missing.iterrows()
        )
        raise InputFileError(
            f"{len(missing)} exports of the workspace are not among the inputs: {named}",
            path=inputs[0],
            expected="every raw file the workspace was built from (nothing was changed)",
        )
    return {export: found[export] for export in per_export.index}


def _days(row: pd.Series) -> str:
    if pd.isna(row["first_day"]):
        return f"exported {row['exported_at'].date().isoformat()}"
    return f"{row['first_day'].date().isoformat()} to {row['last_day'].date().isoformat()}"


def _pending_pseudonymizer(
    pending: Path, new_key_file: Path | None, *, workspace: Path, old: Pseudonymizer
) -> _PairingPseudonymizer:
    """Write the new key (made here, or copied from ``new_key_file``) to ``pending`` and load it."""
    if new_key_file is not None:
        given = Pseudonymizer.load(new_key_file, workspace=workspace, rekeying=True)
        if given.key_id == old.key_id:
            raise ConfigError("the new key is the current key", path=new_key_file, expected="another key")
        copy_key_file(new_key_file, pending)
    else:
        create_key_file(pending)
    Pseudonymizer.load(pending, workspace=workspace, rekeying=True)
    return _PairingPseudonymizer(bytes.fromhex(pending.read_text(encoding="ascii").strip()), old=old)


def _reread(
    ledger: pd.DataFrame,
    files: dict[str, Path],
    *,
    workspace: Path,
    pseudonymizer: Pseudonymizer,
    free_text: Mapping[str, str],
    use_cases: UseCaseRules,
) -> dict[str, pd.DataFrame]:
    """Replay the original ingests, batch by batch in ledger order, into a staging folder; its tables.

    Each batch is ingested along with the files of the batches before it (skipped as already ingested),
    as they were when left in the raw folder.
    """
    order = ledger.drop_duplicates("export_id")
    batch = order["ingested_at"].ne(order["ingested_at"].shift()).cumsum()
    staging = workspace.resolve().with_name(f".{workspace.resolve().name}.rekey-{uuid.uuid4().hex[:8]}")
    replayed: list[Path] = []
    try:
        for _, exported in order.groupby(batch, sort=True):
            replayed += [files[export] for export in exported["export_id"]]
            ingest.ingest(
                replayed,
                workspace=staging,
                pseudonymizer=pseudonymizer,
                free_text=free_text,
                use_cases=use_cases,
                readers=1,  # the pairing pseudonymizer must see every token made: no worker process
            )
        staged = Workspace.open(staging)
        tables = {name: staged.table(name) for name in schema.TABLES}
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    dates = order.set_index("export_id")[LEDGER_DATES]
    restored = {column: tables["exports"]["export_id"].map(dates[column]) for column in LEDGER_DATES}
    tables["exports"] = tables["exports"].assign(**restored)
    return tables


def _check_bijection(
    current: Workspace, tables: dict[str, pd.DataFrame], old_to_new: dict[str, str], *, old_key_id: str
) -> None:
    """The re-read tables must be the old ones with each old pseudonym replaced by its own new one."""
    if len(set(old_to_new.values())) != len(old_to_new):
        raise WorkspaceError("two old pseudonyms met in one new pseudonym", expected="a one-to-one re-keying")
    pattern = rf"p{old_key_id}_[0-9a-f]{{24}}"
    differences = []
    for name, new in tables.items():
        old = current.table(name)
        unmapped = _tokens(old, pattern) - old_to_new.keys()
        if unmapped:
            differences.append(f"{name}: {len(unmapped)} pseudonyms not found again in the raw files")
            continue
        old = old.assign(**{column: _translated(old[column], pattern, old_to_new) for column in old})
        if len(old) != len(new):
            differences.append(f"{name}: {len(old)} rows before, {len(new)} after re-reading")
        elif not _sorted(old).equals(_sorted(new)):
            columns = [c for c in old if not _sorted(old[[c]]).equals(_sorted(new[[c]]))]
            differences.append(
                f"{name}: same {len(old)} rows, other values in {', '.join(columns) or 'rows'}"
            )
    if differences:
        raise WorkspaceError(
            "re-reading the raw files with the new key does not reproduce the workspace: "
            + "; ".join(differences),
            path=current.path,
            expected="the same rows person for person (nothing was changed; if the raw files or the"
            " kit's readers changed since, ingest the raw files into a new workspace folder with a new key)",
        )


def _tokens(frame: pd.DataFrame, pattern: str) -> set[str]:
    """Every pseudonym of the old key in any text column, whole or inside free text."""
    found: set[str] = set()
    for column in frame.columns:
        if pd.api.types.is_string_dtype(frame[column]):
            found |= set(frame[column].dropna().astype("str").str.findall(pattern).explode().dropna())
    return found


def _translated(column: pd.Series, pattern: str, old_to_new: dict[str, str]) -> pd.Series:
    if not pd.api.types.is_string_dtype(column):
        return column
    hit = column.str.contains(pattern, na=False)
    if not hit.any():
        return column
    replaced = column.loc[hit].str.replace(pattern, lambda match: old_to_new[match.group(0)], regex=True)
    return column.where(~hit, replaced)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), na_position="last", kind="stable").reset_index(drop=True)


def _install(pending: Path, key_file: Path, *, old_key_id: str, destroy_old_key: bool) -> Path | None:
    """Keep the old key aside (unless destroyed), then put the pending key in its place by one rename."""
    retired = (
        None if destroy_old_key else copy_key_file(key_file, retired_key_path(key_file, key_id=old_key_id))
    )
    os.replace(pending, key_file)
    return retired
