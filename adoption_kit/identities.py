"""Who is behind each row: roster links turned into keyed tokens, and extracts resolved through them.

The workspace keeps an ``identities`` table of (kind, token, person_id): a token is the keyed pseudonym of
``kind:normalized identifier`` (an email's token is the person's id itself). Later ingests resolve logins,
aliases and tool user ids through it without ever storing an identifier in the clear.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from adoption_kit.errors import InputFileError
from adoption_kit.privacy.pseudonym import Pseudonymizer, normalize_email, normalize_login
from adoption_kit.sources.base import Extract

NORMALIZERS = {
    "email": normalize_email,
    "github_login": normalize_login,
    "employee_id": normalize_login,
    "cursor_user_id": normalize_login,
    "openai_user_id": normalize_login,
    "hashed_upn": normalize_login,
}
ROSTER_LINKS = {"github_login": "github_login", "employee_id": "employee_id"}
ALIAS_SEPARATOR = ";"
UNMATCHABLE = {"hashed_upn": "user names concealed (hashed) by the tenant: cannot be matched"}
NO_ROSTER_MATCH = "identity matches nobody in the roster"
_REMEMBERED: weakref.WeakKeyDictionary[Pseudonymizer, dict[str, str]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Resolution:
    """An extract's tables with ``person_id`` in place of the raw identity, and what could not be matched."""

    tables: dict[str, pd.DataFrame]
    matched: frozenset[str] = frozenset()
    unmatched: frozenset[str] = frozenset()
    dropped: dict[str, int] = field(default_factory=dict)


def token_of(kind: str, values: pd.Series, pseudonymizer: Pseudonymizer) -> pd.Series:
    """The token of each raw identifier of ``kind`` (normalized first); each distinct value is worked once."""
    codes, distinct = values.factorize()
    normalized = NORMALIZERS[kind](pd.Series(distinct, dtype=values.dtype))
    tokens = _tokens(pseudonymizer, normalized if kind == "email" else kind + ":" + normalized)
    return pd.Series(tokens.array.take(codes, allow_fill=True), index=values.index, name=values.name)


def _tokens(pseudonymizer: Pseudonymizer, identifiers: pd.Series) -> pd.Series:
    """``pseudonymizer.tokens(identifiers)`` for distinct identifiers, each hashed once while it lives.

    An ingest resolves the same people in every file: their tokens are remembered (in memory only, beside
    the pseudonymizer, and forgotten with it) instead of hashed again for each file.
    """
    remembered = _REMEMBERED.setdefault(pseudonymizer, {})
    new = [value for value in identifiers.dropna().unique().tolist() if value not in remembered]
    remembered.update(zip(new, pseudonymizer.tokens(pd.Series(new, dtype="str")), strict=True))
    tokens = [remembered.get(value) for value in identifiers.tolist()]
    return pd.Series(tokens, index=identifiers.index, dtype="str")


def roster_identities(roster: pd.DataFrame, pseudonymizer: Pseudonymizer) -> pd.DataFrame:
    """Tokens of every way the roster names a person: email, aliases, employee id, GitHub login."""
    person = token_of("email", roster["identity"], pseudonymizer)
    links = [pd.DataFrame({"kind": "email", "token": person, "person_id": person})]
    for kind, column in ROSTER_LINKS.items():
        if column in roster:
            known = roster[column].notna()
            links.append(
                pd.DataFrame(
                    {
                        "kind": kind,
                        "token": token_of(kind, roster.loc[known, column], pseudonymizer),
                        "person_id": person[known],
                    }
                )
            )
    if "aliases" in roster:
        aliases = roster["aliases"].str.split(ALIAS_SEPARATOR).explode().str.strip()
        aliases = aliases.loc[aliases.notna() & (aliases != "")]
        links.append(
            pd.DataFrame(
                {
                    "kind": "email",
                    "token": token_of("email", aliases, pseudonymizer),
                    "person_id": person.loc[aliases.index],
                }
            )
        )
    return pd.concat(links, ignore_index=True)


def mapped_identities(
    mapping: pd.DataFrame, known: pd.DataFrame, pseudonymizer: Pseudonymizer, *, extract: Extract
) -> pd.DataFrame:
    """Tokens from an identity map (kind, identifier, email), for emails the roster knows."""
    person = _lookup(known, "email", token_of("email", mapping["email"], pseudonymizer))
    unknown = person.isna()
    if unknown.any():
        row = int(unknown.to_numpy().argmax())
        raise InputFileError(
            f"the email {mapping['email'].iloc[row]!r} is not in the roster",
            path=extract.path,
            row=row + 2,
            column="email",
            expected="emails of people in the HR roster",
        )
    tokens = pd.concat(
        [token_of(kind, group["identifier"], pseudonymizer) for kind, group in mapping.groupby("kind")]
    ).reindex(mapping.index)
    return pd.DataFrame({"kind": mapping["kind"], "token": tokens, "person_id": person})


def resolve(extract: Extract, known: pd.DataFrame, pseudonymizer: Pseudonymizer) -> Resolution:
    """Replace each person table's raw ``identity`` by the ``person_id`` it links to; drop the rest."""
    person_tables = {n: f for n, f in extract.tables.items() if "identity" in f and n not in ("roster",)}
    if "roster" in extract.tables:
        people = token_of("email", extract.tables["roster"]["identity"], pseudonymizer)
        return Resolution(dict(extract.tables), matched=frozenset(people.tolist()))
    if extract.identity is None or not person_tables:
        return Resolution(dict(extract.tables))
    kind = extract.identity
    # Each distinct identity is tokenized and looked up once, whichever tables and rows name it.
    named = pd.concat([frame["identity"] for frame in person_tables.values()], ignore_index=True)
    codes, distinct = named.factorize()
    tokens = token_of(kind, pd.Series(distinct, dtype=named.dtype), pseudonymizer)
    person = pd.Series(pd.NA, index=tokens.index, dtype="str")
    if kind not in UNMATCHABLE:
        person = tokens.map(_people_by_token(known, kind)).astype("str")
    linked = person.notna().to_numpy()
    linked_by_code = np.append(linked, False)  # code -1, a row without identity, reads the last: False
    resolved, dropped, start = dict(extract.tables), 0, 0
    for name, frame in person_tables.items():
        rows = codes[start : start + len(frame)]
        start += len(frame)
        found = linked_by_code[rows]
        dropped += int((~found).sum())
        resolved[name] = (
            frame.loc[found].drop(columns="identity").assign(person_id=person.array.take(rows[found]))
        )
    reasons = {UNMATCHABLE.get(kind, NO_ROSTER_MATCH): dropped} if dropped else {}
    matched, unmatched = frozenset(person[linked].tolist()), frozenset(tokens[~linked].tolist())
    return Resolution(resolved, matched, unmatched, reasons)


def _lookup(known: pd.DataFrame, kind: str, tokens: pd.Series) -> pd.Series:
    return tokens.map(_people_by_token(known, kind)).astype("str")


def _people_by_token(known: pd.DataFrame, kind: str) -> pd.Series:
    """The person each known token of ``kind`` links to (the last link wins), indexed by token."""
    table = known.loc[known["kind"] == kind].drop_duplicates("token", keep="last")
    return pd.Series(table["person_id"].to_numpy(), index=table["token"].to_numpy())
