"""The audit: a second pair of eyes on everything a run released, independent of the gate that made it.

Finding and reporting are separate steps: the ``_*_findings`` helpers only look (published tables,
executed notebooks, HTML reports, the dashboard notebook) and return :class:`Finding` records; the CLI
prints them and decides the exit code. A finding never repeats an identifier in full: it is masked
("an email (s***@acme-demo.com)"), so the audit's own output is safe to paste into a ticket.

What counts as a finding:

- ``identifier``: a roster email (or alias), full name, employee id or GitHub login, or a pseudonym token
  (person-level ids never belong in a report), anywhere a viewer can read.
- ``small_cell``: a published row shown (not suppressed) although it rests on fewer than
  ``min_group_size`` people, or a table that does not say how many people its rows rest on.
- ``unsuppressed_small_count``: a row marked suppressed that still shows a number.
- ``person_level_table``: a published table with a person column (``person_id``...), pseudonyms in its
  cells, or more groups than an organisation of its size can hold with ``min_group_size`` people each.
- ``stored_output``: a dashboard notebook stored with outputs (it must hold code only, no data).
- ``unrecorded_release``: a published run missing from the release ledger, or differing from its entry
  there (the next run would be gated against the wrong history).
- ``small_revision``: a count shown by this run and by an earlier one with values fewer than
  ``min_group_size`` apart: the difference would be a handful of people.
- ``noise_without_accuracy``: a noisy table whose numbers do not carry their accuracy and epsilon.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from adoption_kit.errors import InputFileError, WorkspaceError
from adoption_kit.privacy import ledger
from adoption_kit.privacy.pseudonym import normalize_email, normalize_login
from adoption_kit.privacy.suppression import ADDITIVE, MAGNITUDES
from adoption_kit.publish import KEYS, NOISY, ORGANISATION, OUTCOME_KEYS
from adoption_kit.schema import PSEUDONYM_PATTERN

PEOPLE = "people"
SUPPRESSED = "suppressed"
RECORD_TABLES = frozenset({"suppressions"})  # the gate's record: keys and reasons, no numbers
NOISY_TABLES = {NOISY: ("noisy_count", "accuracy", "epsilon")}  # released with noise, not by the gate
KEY_COLUMNS = frozenset().union(*KEYS.values(), *OUTCOME_KEYS.values(), {SUPPRESSED})
PERSON_COLUMNS = frozenset(
    {"person_id", "email", "identity", "employee_id", "full_name", "name", "github_login", "login", "user"}
)
NOTEBOOK_TEXT = ("text/plain", "text/html", "text/markdown")  # images are skipped
TEXT_SUFFIXES = frozenset({".html", ".htm", ".md", ".txt", ".log", ".csv", ".json"})
EXAMPLES = 3  # masked identifiers shown per finding
MAX_ROWS = 5  # rows listed per table and kind of finding before the rest are counted in one line

_PSEUDONYM = re.compile(r"(?<![0-9A-Za-z_])" + PSEUDONYM_PATTERN.strip("^$") + r"(?![0-9A-Za-z_])")
_EMAIL = re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_PLUS = re.compile(r"\+[^@]*@")  # as normalize_email drops plus-addressing
_TAG = re.compile(r"<[^>]*>")
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")


@dataclass(frozen=True)
class Finding:
    """One thing a viewer should not be able to see: what kind, in which file, where in it, and what."""

    kind: str
    path: Path
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.where}: {self.kind}: {self.detail}"


@dataclass(frozen=True)
class _Match:
    label: str  # "email", "full name", ...
    masked: str
    start: int


@dataclass(frozen=True)
class Identifiers:
    """Everything that names a person in the roster, normalized for matching.

    Emails and logins match case-insensitively (plus-addressing ignored), employee ids too; full names
    match as a sequence of words in any case, so "Sofia Davies", "sofia davies" and "SOFIA DAVIES" are found.
    """

    emails: frozenset[str]
    logins: frozenset[str]
    employee_ids: frozenset[str]
    names: dict[str, tuple[tuple[str, ...], ...]]  # first word -> every name starting with it

    @classmethod
    def from_roster(cls, roster: pd.DataFrame) -> Identifiers:
        """From the frame :func:`adoption_kit.sources.roster.read` returns (``identity`` is the email)."""
        emails = _values(roster, "identity")
        if "aliases" in roster.columns:
            emails = pd.concat([emails, _values(roster, "aliases").str.split(";").explode().str.strip()])
        names: dict[str, list[tuple[str, ...]]] = {}
        for name in _values(roster, "full_name").drop_duplicates():
            words = tuple(_WORD.findall(name.lower()))
            if len(words) >= 2:
                names.setdefault(words[0], []).append(words)
        return cls(
            emails=frozenset(normalize_email(emails[emails != ""])),
            logins=frozenset(normalize_login(_values(roster, "github_login"))),
            employee_ids=frozenset(_values(roster, "employee_id").str.lower()),
            names={first: tuple(found) for first, found in names.items()},
        )

    def find(self, text: str) -> list[_Match]:
        """Every roster identifier and pseudonym in ``text``, in order of appearance."""
        found = [_Match("pseudonym", _mask(m.group()), m.start()) for m in _PSEUDONYM.finditer(text)]
        for match in _EMAIL.finditer(text):
            if _PLUS.sub("@", match.group().lower()) in self.emails:
                found.append(_Match("email", _mask_email(match.group()), match.start()))
        without_emails = _EMAIL.sub(lambda m: " " * len(m.group()), text)  # "ann.lee@" is no name
        words = [(m.group().lower(), m.start()) for m in _WORD.finditer(without_emails)]
        for index, (word, start) in enumerate(words):
            if word in self.employee_ids:
                found.append(_Match("employee id", _mask(word.upper()), start))
            if word in self.logins:
                found.append(_Match("GitHub login", _mask(word), start))
            for name in self.names.get(word, ()):
                if tuple(w for w, _ in words[index : index + len(name)]) == name:
                    masked = " ".join(_mask(w.capitalize()) for w in name)
                    found.append(_Match("full name", masked, start))
        return sorted(found, key=lambda m: m.start)


def audit(
    *,
    published_run: Path | None,
    reports: Path | None,
    dashboards: Sequence[Path],
    roster: Path | None,
    min_group_size: int,
    identifiers: Identifiers | None = None,
) -> list[Finding]:
    """Audit one published run (a folder of Parquet tables), one period's reports folder and the dashboards.

    ``roster`` is the raw HR roster the identifiers come from (or pass ``identifiers`` already read);
    without either, only pseudonyms are looked for in the text. Missing folders are an error: an audit
    that silently looked at nothing would pass anything.
    """
    identifiers = identifiers or read_identifiers(roster)
    findings: list[Finding] = []
    if published_run is not None:
        findings += _published_findings(_existing(published_run), identifiers, min_group_size=min_group_size)
    if reports is not None:
        for path in sorted(p for p in _existing(reports).rglob("*") if p.is_file()):
            if path.suffix == ".ipynb":
                findings += _notebook_findings(path, identifiers)
            elif path.suffix.lower() in TEXT_SUFFIXES:
                findings += _text_findings(path, identifiers)
    for dashboard in dashboards:
        findings += _notebook_findings(_existing(dashboard), identifiers, outputs_allowed=False)
    return findings


def read_identifiers(roster: Path | None) -> Identifiers:
    """The identifiers of a raw HR roster file (none but pseudonyms without one)."""
    if roster is None:
        return Identifiers(frozenset(), frozenset(), frozenset(), {})
    from adoption_kit.sources import roster as hr_roster

    return Identifiers.from_roster(hr_roster.read(roster).tables["roster"])


def find_roster(raw: Path) -> Path:
    """The one HR roster among the CSV files under ``raw``, recognized by its first bytes as ingest would."""
    from adoption_kit.sources import SNIFF_CHARACTERS, SOURCES, roster

    found = []
    for path in sorted(raw.rglob("*.csv")):
        with path.open("rb") as file:
            head = file.read(SNIFF_CHARACTERS).decode("utf-8-sig", errors="replace")
        if [module for module in SOURCES.values() if module.sniff(head)] == [roster]:
            found.append(path)
    if len(found) != 1:
        what = "no HR roster" if not found else f"{len(found)} HR rosters ({', '.join(map(str, found))})"
        raise WorkspaceError(
            f"the audit needs the roster to know what to look for, and found {what}",
            path=raw,
            expected="one hr_roster CSV there, or --roster FILE",
        )
    return found[0]


def as_text(findings: Sequence[Finding]) -> str:
    """One line per finding, then a count (the whole output of ``adoption-kit audit``)."""
    if not findings:
        return "Audit: nothing found (no small cell, person-level table, identifier or stored output)."
    kinds = Counter(finding.kind for finding in findings)
    counts = ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
    total = f"{len(findings)} finding{'' if len(findings) == 1 else 's'}"
    return "\n".join([*map(str, findings), "", f"Audit: {total} ({counts})."])


# Published tables -------------------------------------------------------------------------------------


def _published_findings(folder: Path, identifiers: Identifiers, *, min_group_size: int) -> list[Finding]:
    tables = {path: pd.read_parquet(path) for path in sorted(folder.glob("*.parquet"))}
    if not tables:
        raise WorkspaceError("no published table to audit", path=folder, expected="Parquet tables of a run")
    most_groups = _most_groups(tables, min_group_size)
    findings: list[Finding] = []
    for path, frame in tables.items():
        findings += _person_level_findings(path, frame, identifiers, most_groups=most_groups)
        if path.stem in NOISY_TABLES:
            findings += _noise_findings(path, frame)
        elif path.stem not in RECORD_TABLES:
            findings += _small_cell_findings(path, frame, min_group_size=min_group_size)
    return findings + _ledger_findings(folder, tables, min_group_size=min_group_size)


def _noise_findings(path: Path, frame: pd.DataFrame) -> list[Finding]:
    missing = [c for c in NOISY_TABLES[path.stem] if c not in frame.columns]
    if not missing:
        return []
    return [Finding("noise_without_accuracy", path, "table", f"no {', '.join(missing)} next to the numbers")]


def _ledger_findings(folder: Path, tables: dict[Path, pd.DataFrame], *, min_group_size: int) -> list[Finding]:
    """The run is in the release ledger as published, and no count moved by 1..k-1 since an earlier run."""
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return []  # loose tables, not a run written by `adoption-kit publish`: nothing to compare
    run_id = str(json.loads(manifest.read_text(encoding="utf-8")).get("run_id", ""))
    entry = ledger.ledger_root(folder.parent) / run_id
    if not run_id or not (entry / "manifest.json").is_file():
        return [Finding("unrecorded_release", folder, "run", "this run is not in the release ledger")]
    findings = [
        Finding("unrecorded_release", path, "table", f"differs from its ledger entry {entry.name}")
        for path, frame in tables.items()
        if not (entry / path.name).is_file() or not pd.read_parquet(entry / path.name).equals(frame)
    ]
    keys = {name: KEYS[name] for name in KEYS if (folder / f"{name}.parquet").is_file()}
    earlier = ledger.prior(folder.parent, keys, before=run_id)
    for name, columns in keys.items():
        if name not in earlier:
            continue
        now = tables[folder / f"{name}.parquet"]
        merged = now.astype({c: "str" for c in columns}).merge(
            earlier[name], on=columns, suffixes=("", ":before")
        )
        for column in [c for c in ADDITIVE.get(name, ()) if c not in MAGNITUDES.get(name, ())]:
            change = (merged[column].astype(float) - merged[f"{column}:before"].astype(float)).abs()
            for row in merged.index[((change > 0) & (change < min_group_size)).fillna(False)][:MAX_ROWS]:
                findings.append(
                    Finding(
                        "small_revision",
                        folder / f"{name}.parquet",
                        _row(merged, row),
                        f"{column} moved by fewer than {min_group_size} since an earlier run",
                    )
                )
    return findings


def _small_cell_findings(path: Path, frame: pd.DataFrame, *, min_group_size: int) -> list[Finding]:
    if PEOPLE not in frame.columns:
        detail = f"no {PEOPLE!r} column: nothing shows that each row rests on {min_group_size}+ people"
        return [Finding("small_cell", path, "table", detail)]
    people = pd.to_numeric(frame[PEOPLE], errors="coerce")
    suppressed = _suppressed(frame)
    values = [c for c in frame.columns if c not in KEY_COLUMNS]
    shows_numbers = frame[values].notna().any(axis=1)
    shown_small = [
        Finding(
            "small_cell",
            path,
            _row(frame, row),
            f"shown although it rests on {'an unknown number of' if pd.isna(n) else int(n)} people"
            f" (minimum {min_group_size})",
        )
        for row, n in people.loc[~suppressed & (people.isna() | (people < min_group_size))].items()
    ]
    hidden_shown = [
        Finding(
            "unsuppressed_small_count",
            path,
            _row(frame, row),
            f"marked suppressed but still shows {', '.join(c for c in values if pd.notna(frame.at[row, c]))}",
        )
        for row in frame.index[suppressed & shows_numbers]
    ]
    return _first_rows(shown_small) + _first_rows(hidden_shown)


def _first_rows(findings: list[Finding]) -> list[Finding]:
    """The first few rows of one kind of finding in a table, and one line counting the rest."""
    if len(findings) <= MAX_ROWS:
        return findings
    rest = len(findings) - MAX_ROWS
    first = findings[0]
    return [*findings[:MAX_ROWS], Finding(first.kind, first.path, f"{rest} more rows", "like the rows above")]


def _person_level_findings(
    path: Path, frame: pd.DataFrame, identifiers: Identifiers, *, most_groups: int | None
) -> list[Finding]:
    findings = [
        Finding(
            "person_level_table", path, f"column {column!r}", "a person-level column in a published table"
        )
        for column in frame.columns
        if str(column).lower() in PERSON_COLUMNS
    ]
    for column in frame.columns:
        if not (pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object):
            continue
        text = "\n".join(frame[column].dropna().astype(str).unique())
        pseudonyms = _PSEUDONYM.findall(text)
        if pseudonyms:
            detail = f"{len(pseudonyms)} pseudonyms, e.g. {_mask(pseudonyms[0])}: person-level rows"
            findings.append(Finding("person_level_table", path, f"column {column!r}", detail))
        findings += _identifier_findings(path, f"column {column!r}", identifiers, text, pseudonyms=False)
    if most_groups is not None and {"group_by", "group"} <= set(frame.columns):
        shown = frame.loc[~_suppressed(frame)]
        for group_by, count in shown.groupby("group_by")["group"].nunique().items():
            if count > most_groups:
                findings.append(
                    Finding(
                        "person_level_table",
                        path,
                        f"group_by {group_by!r}",
                        f"{count} groups shown, but the organisation can hold at most {most_groups}"
                        " groups of the minimum size",
                    )
                )
    return findings


def _most_groups(tables: dict[Path, pd.DataFrame], min_group_size: int) -> int | None:
    """How many groups of ``min_group_size`` people the organisation's headcount can hold (if published)."""
    for path, frame in tables.items():
        if path.stem == "headcount" and {"group", PEOPLE} <= set(frame.columns):
            total = pd.to_numeric(frame.loc[frame["group"] == ORGANISATION, PEOPLE], errors="coerce").max()
            if pd.notna(total):
                return int(total) // min_group_size
    return None


def _suppressed(frame: pd.DataFrame) -> pd.Series:
    if SUPPRESSED not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame[SUPPRESSED].fillna(False).astype(bool)


def _row(frame: pd.DataFrame, row: int) -> str:
    keys = [c for c in frame.columns if c in KEY_COLUMNS and c != SUPPRESSED]
    described = ", ".join(f"{c}={_plain(frame.at[row, c])}" for c in keys)
    return f"row {row} ({described})" if described else f"row {row}"


def _plain(value: object) -> str:
    return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)


# Notebooks and text reports ---------------------------------------------------------------------------


def _notebook_findings(
    path: Path, identifiers: Identifiers, *, outputs_allowed: bool = True
) -> list[Finding]:
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputFileError(f"cannot read the notebook: {error}", path=path) from error
    findings = _identifier_findings(path, "notebook metadata", identifiers, json.dumps(notebook["metadata"]))
    for index, cell in enumerate(notebook["cells"]):
        findings += _identifier_findings(path, f"cell {index} source", identifiers, _joined(cell["source"]))
        outputs = cell.get("outputs", [])
        if outputs and not outputs_allowed:
            detail = f"{len(outputs)} stored outputs: a dashboard notebook must hold code only, no data"
            findings.append(Finding("stored_output", path, f"cell {index}", detail))
        for number, output in enumerate(outputs):
            for kind, text in _output_texts(output):
                where = f"cell {index} output {number} ({kind})"
                findings += _identifier_findings(path, where, identifiers, _visible(text, kind))
    return findings


def _output_texts(output: dict) -> Iterable[tuple[str, str]]:
    if output.get("output_type") == "stream":
        yield output.get("name", "stream"), _joined(output.get("text", ""))
    elif output.get("output_type") == "error":
        yield (
            "error",
            "\n".join([output.get("ename", ""), output.get("evalue", ""), *output.get("traceback", [])]),
        )
    for kind in NOTEBOOK_TEXT:
        if kind in output.get("data", {}):
            yield kind, _joined(output["data"][kind])


def _text_findings(path: Path, identifiers: Identifiers) -> list[Finding]:
    text = path.read_text(encoding="utf-8", errors="replace")
    kind = "text/html" if path.suffix.lower() in {".html", ".htm"} else "text/plain"
    return _identifier_findings(path, "", identifiers, _visible(text, kind), lines=True)


def _visible(text: str, kind: str) -> str:
    """What a reader sees: HTML without tags, entities decoded, embedded images dropped (lines kept)."""
    if kind != "text/html":
        return text
    text = _DATA_URI.sub(" ", text)
    return html.unescape(_TAG.sub(lambda m: "\n" * m.group().count("\n") or " ", text))


def _identifier_findings(
    path: Path,
    where: str,
    identifiers: Identifiers,
    text: str,
    *,
    lines: bool = False,
    pseudonyms: bool = True,
) -> list[Finding]:
    """One finding per kind of identifier found in ``text``, with up to three masked examples."""
    by_label: dict[str, list[_Match]] = {}
    for match in identifiers.find(text):
        if pseudonyms or match.label != "pseudonym":
            by_label.setdefault(match.label, []).append(match)
    findings = []
    for label, matches in by_label.items():
        examples = list(dict.fromkeys(m.masked for m in matches))
        shown = ", ".join(examples[:EXAMPLES]) + (", ..." if len(examples) > EXAMPLES else "")
        article = "an" if label[0] in "aeiou" else "a"
        what = f"{article} {label}" if len(matches) == 1 else f"{len(matches)} {label}s"
        detail = f"{what} ({shown})"
        place = f"line {text.count(chr(10), 0, matches[0].start) + 1}" if lines else where
        findings.append(Finding("identifier", path, place, detail))
    return findings


# Small helpers ----------------------------------------------------------------------------------------


def _existing(path: Path) -> Path:
    if not path.exists():
        raise WorkspaceError("nothing to audit here", path=path, expected="the folder or file of a run")
    return path


def _values(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series([], dtype="str")
    return frame[column].dropna().astype("str").str.strip()


def _joined(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def _mask(value: str) -> str:
    """The first character and stars: enough to find the person in the roster, not to read them here."""
    if _PSEUDONYM.fullmatch(value):
        return f"{value[:6]}***"
    return f"{value[:1]}***"


def _mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{_mask(local)}@{domain}"
