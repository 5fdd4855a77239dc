"""Raw exports in, pseudonymized workspace out.

``ingest`` reads like its data flow: find the files -> skip those already ingested -> learn who is who
from the rosters (and identity maps) -> then one file at a time: read it with its format, resolve every row
to a person's keyed pseudonym, scrub free text (or drop it, per kind, by configuration), keep only the
canonical tables and let the raw file's frames go -> settle overlaps with what the workspace already holds
(the later export wins) -> check and write the whole workspace atomically. Emails, logins, employee ids and
names never leave this module.

Files are taken one at a time so that memory holds at most one raw file beside the canonical tables: an
organisation's exports add up to far more than any one of them.

Free text is scrubbed with a Presidio scrubber that knows the HR roster's names, logins and ids, and the
workspace keeps no raw roster: so an ingest that brings free text to store needs a roster file among its
inputs. A roster already ingested counts when it is still among the files given (the default raw folder
keeps it); otherwise the ingest stops and says so, rather than store text scrubbed without the names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from adoption_kit import exports, identities, schema, sources
from adoption_kit.errors import InputFileError, WorkspaceError
from adoption_kit.privacy.pseudonym import Pseudonymizer
from adoption_kit.privacy.scrub import Scrubber
from adoption_kit.sources.base import Extract
from adoption_kit.use_cases import UseCaseRules, prompt_tasks
from adoption_kit.workspace import Workspace, write_workspace

LATEST_WINS = {
    "seat_pools": ["tool", "department", "valid_from"],
    "seat_requests": ["person_id", "tool", "requested_on"],
    "aggregates": ["tool", "scope", "scope_id", "day", "grain", "metric"],
    "outcomes": ["unit_type", "unit_id", "period", "kpi"],
}
TENURE_BANDS = pd.IntervalIndex.from_breaks([-1e9, 365, 3 * 365, 5 * 365, 1e9], closed="left")
TENURE_LABELS = ["<1y", "1-3y", "3-5y", "5y+"]
PEOPLE_COLUMNS = list(schema.SCHEMAS["people"].columns)
SCRUB_ALL = dict.fromkeys(schema.TEXT_KINDS, "scrub")
ROSTER_SOURCE = "hr_roster"
# Formats that say who is who: read first, since every other file is resolved through them.
PEOPLE_SOURCES = frozenset({ROSTER_SOURCE, "identity_map"})
# The tables of an extract that are settled into the workspace (rosters and identity maps are not).
SETTLED_TABLES = frozenset({"activity", "activity_hours", "tasks", "seats", "survey", "texts", *LATEST_WINS})
# Kinds a period report restates in full: a later export's texts replace earlier ones on the days it spans.
RESTATED_TEXTS = ("gpt_name", "gpt_description", "gpt_url", "project_name", "user_role")
TEXTS_DROPPED = "texts not stored (free_text: drop in the parameters)"
DEFAULT_USE_CASES = UseCaseRules()


@dataclass(frozen=True)
class SourceReport:
    """What ingest did with one format's files."""

    source: str
    files: int
    skipped_as_ingested: int
    rows_read: int
    people_matched: int
    identities_unmatched: int
    first_day: str | None
    last_day: str | None
    rows_dropped: str
    overlaps: str
    unknown_fields: str


@dataclass(frozen=True)
class IngestReport:
    """The outcome of one ingest: the new workspace and a line per source."""

    workspace: Workspace
    sources: tuple[SourceReport, ...]

    def as_text(self) -> str:
        """A table of the counts, then the drops, overlaps and unknown fields in words."""
        frame = pd.DataFrame([asdict(report) for report in self.sources]).fillna("")
        counts = frame.drop(columns=["rows_dropped", "overlaps", "unknown_fields"]).to_string(index=False)
        notes = [
            f"{report.source}: {label} {text}"
            for report in self.sources
            for label, text in (
                ("dropped", report.rows_dropped),
                ("overlaps:", report.overlaps),
                ("unknown fields (ignored):", report.unknown_fields),
            )
            if text
        ]
        return "\n".join([counts, "", *notes]) if notes else counts


def discover(paths: list[Path]) -> list[Path]:
    """Every data file under ``paths`` (files or folders), in a stable order; hidden files are skipped."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path)))
        elif path.is_file():
            found.append(path)
        else:
            raise InputFileError(
                "no such file or folder", path=path, expected="an export file or a folder of them"
            )
    if not found:
        raise InputFileError("no files to ingest", path=paths[0] if paths else None, expected="export files")
    return sorted(found)


def ingest(
    paths: list[Path],
    *,
    workspace: Path,
    pseudonymizer: Pseudonymizer,
    source: str | None = None,
    free_text: Mapping[str, str] = SCRUB_ALL,
    use_cases: UseCaseRules = DEFAULT_USE_CASES,
) -> IngestReport:
    """Add every export under ``paths`` to the workspace (creating it if needed), in one atomic step.

    ``free_text`` says per kind of text whether it is scrubbed and stored (``scrub``) or never stored
    (``drop``); kinds it leaves out are scrubbed (``Settings.free_text`` holds the configured ones).
    ``use_cases`` (``Settings.use_cases``) classifies every stored prompt into ``tasks`` anew whenever
    there are new files to ingest.
    """
    previous = _previous_tables(workspace, pseudonymizer)
    files = {exports.export_id(path): path for path in discover(paths)}
    known = set(previous["exports"]["export_id"])
    fresh = {export: path for export, path in files.items() if export not in known}
    skipped = [path for export, path in files.items() if export in known]
    if not fresh:
        reports = _source_reports({}, pd.DataFrame(columns=["export_id", "won", "lost"]), skipped)
        return IngestReport(Workspace.open(workspace), tuple(reports))
    formats = {export: sources.format_of(path, source=source).NAME for export, path in fresh.items()}
    people_files = {
        path: formats[export] for export, path in fresh.items() if formats[export] in PEOPLE_SOURCES
    }
    roster, known_identities = _who_is_who(previous, people_files, pseudonymizer)
    now = pd.Timestamp(datetime.now(UTC).replace(tzinfo=None)).floor("s")
    texts = _TextScrubber(roster, skipped, pseudonymizer=pseudonymizer, free_text=free_text)
    intake = _Intake(known_identities, pseudonymizer=pseudonymizer, texts=texts, ingested_at=now)
    for export, path in fresh.items():
        intake.read(export, path, source=formats[export])
    ledger = intake.ledger(previous["exports"])
    people = _people(previous, roster, pseudonymizer, reference_day=intake.latest_day())
    tables, overlaps = _settle(previous, intake.tables(), ledger)
    prompts = prompt_tasks(tables["texts"], use_cases)
    tables["tasks"] = pd.concat([tables["tasks"], prompts], ignore_index=True)
    tables |= {"people": people, "identities": known_identities, "exports": ledger}
    reports = _source_reports(intake.tallies, overlaps, skipped)
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "key_id": pseudonymizer.key_id,
        "rows": {name: len(frame) for name, frame in tables.items()},
        "first_day": _day(tables["activity"]["day"].min()),
        "last_day": _day(tables["activity"]["day"].max()),
        "sources": [asdict(report) for report in reports],
    }
    tables = {name: schema.conform(name, frame) for name, frame in tables.items()}
    return IngestReport(write_workspace(workspace, tables, manifest), tuple(reports))


def _previous_tables(workspace: Path, pseudonymizer: Pseudonymizer) -> dict[str, pd.DataFrame]:
    """The workspace's current tables, or empty ones; a workspace made with another key is refused.

    A table the workspace does not have yet (one written before the kit knew the table) starts empty.
    """
    if not (workspace / "manifest.json").is_file():
        return {name: schema.empty(name) for name in schema.TABLES}
    current = Workspace.open(workspace)
    if current.manifest.get("key_id") != pseudonymizer.key_id:
        raise WorkspaceError(
            "the workspace was pseudonymized with another key",
            path=workspace,
            expected=f"the key with id {current.manifest.get('key_id')}, or a new workspace folder",
        )
    return {name: current.table(name) for name in schema.TABLES}


def _who_is_who(
    previous: dict[str, pd.DataFrame], people_files: dict[Path, str], pseudonymizer: Pseudonymizer
) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """The fresh rosters (raw, as one frame; None without any) and every identity link known.

    ``people_files`` are the fresh rosters and identity maps, each with its format. Their extracts are
    let go on return: the files are read again, like every other, when the ingest takes them in.
    """
    extracts = [sources.read(path, source=name) for path, name in people_files.items()]
    rosters = [e.tables["roster"] for e in extracts if "roster" in e.tables]
    if not rosters and previous["people"].empty:
        raise InputFileError(
            "no HR roster among the inputs or in the workspace",
            expected=f"a roster file ({sources.SOURCES[ROSTER_SOURCE].DESCRIPTION})",
        )
    roster = pd.concat(rosters, ignore_index=True) if rosters else None
    links = [previous["identities"]]
    if roster is not None:
        links.append(identities.roster_identities(roster, pseudonymizer))
    known = exports.latest_per_key(links, ["kind", "token"])
    for extract in extracts:
        if "identity_map" in extract.tables:
            mapped = identities.mapped_identities(
                extract.tables["identity_map"], known, pseudonymizer, extract=extract
            )
            known = exports.latest_per_key([known, mapped], ["kind", "token"])
    return roster, known


def _people(
    previous: dict[str, pd.DataFrame],
    roster: pd.DataFrame | None,
    pseudonymizer: Pseudonymizer,
    *,
    reference_day: pd.Timestamp,
) -> pd.DataFrame:
    """People from the rosters (newest wins per person), tenure as of ``reference_day``."""
    people = [previous["people"]]
    if roster is not None:
        people.append(_roster_people(roster, pseudonymizer, reference_day=reference_day))
    return exports.latest_per_key(people, ["person_id"])[PEOPLE_COLUMNS]


def _roster_people(
    roster: pd.DataFrame, pseudonymizer: Pseudonymizer, *, reference_day: pd.Timestamp
) -> pd.DataFrame:
    """The roster's attributes under each person's pseudonym; tenure as of ``reference_day``."""
    hired = roster.get("hire_date", pd.Series(pd.NaT, index=roster.index))
    tenure = pd.cut((reference_day - hired).dt.days, bins=TENURE_BANDS)
    return pd.DataFrame(
        {
            "person_id": identities.token_of("email", roster["identity"], pseudonymizer),
            "department": roster["department"],
            "team": roster["team"],
            "job_function": roster["job_function"],
            "location": roster["location"],
            "level": roster.get("level"),
            "tenure_band": tenure.cat.rename_categories(TENURE_LABELS).astype("str").where(hired.notna()),
            "employed_from": hired,
            "employed_to": roster.get("termination_date"),
        }
    )


@dataclass(frozen=True)
class _Kept:
    """What ingest keeps of one fresh file once its raw extract is let go."""

    ledger: pd.DataFrame  # the file's rows of the export ledger
    tables: dict[str, pd.DataFrame]  # the tables to settle: person ids for identities, free text scrubbed
    latest_day: pd.Timestamp | None  # the newest ``day`` of its raw rows (tenure is as of the newest data)


@dataclass
class _SourceTally:
    """One format's fresh files, counted file by file for its line of the ingest report."""

    exports: list[str] = field(default_factory=list)
    rows_read: int = 0
    matched: set[str] = field(default_factory=set)
    unmatched: set[str] = field(default_factory=set)
    dropped: Counter[str] = field(default_factory=Counter)
    days: list[pd.Timestamp] = field(default_factory=list)  # the first and last day of each file
    unknown_fields: set[str] = field(default_factory=set)

    def add(self, export: str, extract: Extract, resolution: identities.Resolution) -> None:
        """Count one more file of this format."""
        self.exports.append(export)
        self.rows_read += extract.rows_read
        self.matched |= resolution.matched
        self.unmatched |= resolution.unmatched
        self.dropped.update(extract.dropped | resolution.dropped)
        self.days += _first_and_last_day(resolution.tables)
        self.unknown_fields.update(extract.unknown_fields)


class _TextScrubber:
    """Each file's free text dropped by configuration or scrubbed, one file after another.

    The Presidio scrubber is built once, from the roster at hand, at the first file with text to keep;
    each distinct text is scrubbed once per ingest and later files look it up, so the texts come out as
    one scrub of them all would leave them.
    """

    def __init__(
        self,
        roster: pd.DataFrame | None,
        skipped: list[Path],
        *,
        pseudonymizer: Pseudonymizer,
        free_text: Mapping[str, str],
    ) -> None:
        self._roster = roster
        self._skipped = skipped
        self._pseudonymizer = pseudonymizer
        self._free_text = free_text
        self._scrubber: Scrubber | None = None
        self._clean: dict[str, str] = {}

    def __call__(self, resolution: identities.Resolution, *, carrier: Path) -> identities.Resolution:
        """``resolution`` with its texts dropped or scrubbed; ``carrier`` is the file they come from."""
        if "texts" not in resolution.tables:
            return resolution
        texts = resolution.tables["texts"]
        kept = texts.loc[texts["kind"].map(self._free_text).fillna("scrub").eq("scrub")]
        if len(kept):
            kept = kept.assign(text=self._scrubbed(kept["text"], carrier=carrier))
        return replace(
            resolution,
            tables=resolution.tables | {"texts": kept.reset_index(drop=True)},
            dropped=resolution.dropped | _texts_dropped(len(texts) - len(kept)),
        )

    def _scrubbed(self, texts: pd.Series, *, carrier: Path) -> pd.Series:
        if self._scrubber is None:
            roster = _roster_at_hand(self._roster, self._skipped, carrier=carrier)
            self._scrubber = Scrubber.from_roster(roster, pseudonymizer=self._pseudonymizer)
        new = pd.Series(
            [t for t in texts.dropna().unique().tolist() if t not in self._clean], dtype=texts.dtype
        )
        self._clean.update(zip(new.tolist(), self._scrubber.scrub(new).tolist(), strict=True))
        return texts.map(self._clean)


class _Intake:
    """Fresh files taken in one at a time: each read, resolved to pseudonyms and its free text scrubbed;
    what settling, the ledger and the report need of it is kept, its raw extract let go before the next."""

    def __init__(
        self,
        known: pd.DataFrame,
        *,
        pseudonymizer: Pseudonymizer,
        texts: _TextScrubber,
        ingested_at: pd.Timestamp,
    ) -> None:
        self._known = known
        self._pseudonymizer = pseudonymizer
        self._texts = texts
        self._ingested_at = ingested_at
        self.kept: dict[str, _Kept] = {}  # by export, in the order read
        self.tallies: dict[str, _SourceTally] = {}  # by format

    def read(self, export: str, path: Path, *, source: str) -> None:
        """Read one file with its format and take it in; only what is kept of it outlives this call."""
        extract = sources.read(path, source=source)
        resolved = identities.resolve(extract, self._known, self._pseudonymizer)
        resolution = self._texts(resolved, carrier=path)
        self.kept[export] = _Kept(
            ledger=exports.ledger_rows(extract, export=export, ingested_at=self._ingested_at),
            tables={name: frame for name, frame in resolution.tables.items() if name in SETTLED_TABLES},
            latest_day=_latest_day(extract),
        )
        self.tallies.setdefault(extract.source, _SourceTally()).add(export, extract, resolution)

    def ledger(self, earlier: pd.DataFrame) -> pd.DataFrame:
        """The export ledger: the ``earlier`` rows, then each file's in the order read."""
        return pd.concat([earlier, *(kept.ledger for kept in self.kept.values())], ignore_index=True)

    def tables(self) -> dict[str, dict[str, pd.DataFrame]]:
        """The tables to settle, by export."""
        return {export: kept.tables for export, kept in self.kept.items()}

    def latest_day(self) -> pd.Timestamp:
        """The newest ``day`` of every file taken in (today when none has days)."""
        days = [kept.latest_day for kept in self.kept.values() if kept.latest_day is not None]
        return max(days) if days else pd.Timestamp.today().normalize()


def _latest_day(extract: Extract) -> pd.Timestamp | None:
    days = [f["day"].max() for f in extract.tables.values() if "day" in f and len(f)]
    return max(days) if days else None


def _first_and_last_day(tables: dict[str, pd.DataFrame]) -> list[pd.Timestamp]:
    """The earliest and the latest day or period of the tables (nothing when none has either)."""
    days = [f[c] for f in tables.values() for c in ("day", "period") if c in f]
    if not days:
        return []
    every = pd.concat(days)
    return [every.min(), every.max()]


def _texts_dropped(count: int) -> dict[str, int]:
    return {TEXTS_DROPPED: count} if count else {}


def _roster_at_hand(roster: pd.DataFrame | None, skipped: list[Path], *, carrier: Path) -> pd.DataFrame:
    """The raw roster for scrubbing: this ingest's rosters, and those ingested before, read again."""
    rosters = [] if roster is None else [roster]
    rosters += [
        sources.read(path).tables["roster"] for path in skipped if sources.detect(path).NAME == ROSTER_SOURCE
    ]
    if not rosters:
        raise InputFileError(
            "this file carries free text, which is scrubbed with the HR roster's names, but no roster is "
            "among the files of this ingest",
            path=carrier,
            expected="the roster file ingested along with it (e.g. left in the raw folder), or free_text: "
            "drop for its kinds of text in parameters/org.yaml",
        )
    return pd.concat(rosters, ignore_index=True)


def _settle(
    previous: dict[str, pd.DataFrame],
    fresh_tables: dict[str, dict[str, pd.DataFrame]],
    ledger: pd.DataFrame,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Merge fresh tables (by export) into the previous ones by the ledger's rules."""
    rank = exports.ranks(ledger)
    in_time = sorted(fresh_tables, key=rank.get)
    fresh = {
        name: [t[name].assign(export_id=e) for e in in_time if name in (t := fresh_tables[e])]
        for name in SETTLED_TABLES
    }
    if fresh["activity"]:
        activity, overlaps = exports.settle_activity(
            previous["activity"], fresh["activity"], ledger, fresh_exports=set(fresh_tables)
        )
    else:
        activity = previous["activity"].assign(export_id=exports.EARLIER)
        overlaps = pd.DataFrame(columns=["export_id", "won", "lost"])
    tables = {
        "activity": activity,
        "activity_hours": exports.settle_hours(previous["activity_hours"], fresh["activity_hours"], activity),
        "tasks": _vendor_tasks(previous["tasks"], fresh["tasks"], activity),
        "seats": _seats([previous["seats"], *fresh["seats"]]),
        "survey": pd.concat([previous["survey"], *fresh["survey"]], ignore_index=True),
        "texts": _texts(previous["texts"], fresh["texts"]),
    }
    for name, keys in LATEST_WINS.items():
        tables[name] = exports.latest_per_key([previous[name], *fresh[name]], keys)
    settled = {name: frame.drop(columns="export_id", errors="ignore") for name, frame in tables.items()}
    return settled, overlaps


def _texts(previous: pd.DataFrame, fresh: list[pd.DataFrame]) -> pd.DataFrame:
    """Earlier texts, less those a fresh period report restates, then the fresh ones; each text once.

    A restated kind (a GPT's name in the GPT report) is replaced on the days a fresh export spans for its
    tool; other kinds (prompts, survey comments) are events, added to what was there.
    """
    if not fresh:
        return previous
    new = pd.concat([schema.conform("texts", f.drop(columns="export_id")) for f in fresh], ignore_index=True)
    restated = new.loc[new["kind"].isin(RESTATED_TEXTS)]
    spans = restated.groupby(["kind", "tool"], as_index=False)["day"].agg(first="min", last="max")
    earlier = schema.conform("texts", previous).merge(spans, on=["kind", "tool"], how="left")
    replaced = earlier["day"].between(earlier["first"], earlier["last"]).fillna(False).to_numpy(dtype=bool)
    kept = earlier.loc[~replaced].drop(columns=["first", "last"])
    return pd.concat([kept, new], ignore_index=True).drop_duplicates(ignore_index=True)


def _vendor_tasks(previous: pd.DataFrame, fresh: list[pd.DataFrame], activity: pd.DataFrame) -> pd.DataFrame:
    """Vendor-classified tasks whose person, tool, day and grain kept activity from the same export.

    So they stay, go or are replaced with their export's activity; for one key the latest export's row
    wins. Rows classified from prompts are left out: ingest rebuilds them from all stored prompts.
    """
    earlier = schema.conform("tasks", previous.loc[previous["source"].eq("vendor")])
    tasks = pd.concat([earlier.assign(export_id=exports.EARLIER), *fresh], ignore_index=True)
    standing = activity[["person_id", "tool", "day", "grain", "export_id"]].drop_duplicates()
    kept = tasks.merge(standing, on=["person_id", "tool", "day", "grain", "export_id"])
    keys = ["person_id", "tool", "day", "grain", "category", "source"]
    return kept.drop_duplicates(keys, keep="last").drop(columns="export_id")


def _seats(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One seat per person and tool: first assignment, first removal seen."""
    seats = pd.concat([f for f in frames if len(f)] or [frames[0]], ignore_index=True)
    if seats.empty:
        return seats
    return seats.groupby(["person_id", "tool"], as_index=False).agg(
        assigned_on=("assigned_on", "min"),
        removed_on=("removed_on", "min"),
        plan=("plan", "first"),
    )


def _source_reports(
    tallies: dict[str, _SourceTally], overlaps: pd.DataFrame, skipped: list[Path]
) -> list[SourceReport]:
    """A line per format: its fresh files (``tallies``) and those skipped as ingested before."""
    overlaps = overlaps.set_index("export_id")
    skipped_by_source = pd.Series([sources.detect(p).NAME for p in skipped], dtype="str").value_counts()
    names = sorted(set(tallies) | set(skipped_by_source.index))
    return [
        _source_report(name, tallies.get(name, _SourceTally()), overlaps, int(skipped_by_source.get(name, 0)))
        for name in names
    ]


def _source_report(name: str, tally: _SourceTally, overlaps: pd.DataFrame, skipped: int) -> SourceReport:
    won = int(overlaps["won"].reindex(tally.exports).fillna(0).sum()) if len(overlaps) else 0
    lost = int(overlaps["lost"].reindex(tally.exports).fillna(0).sum()) if len(overlaps) else 0
    days = pd.Series(tally.days, dtype="datetime64[s]")
    return SourceReport(
        source=name,
        files=len(tally.exports),
        skipped_as_ingested=skipped,
        rows_read=tally.rows_read,
        people_matched=len(tally.matched),
        identities_unmatched=len(tally.unmatched),
        first_day=_day(days.min()) if len(days) else None,
        last_day=_day(days.max()) if len(days) else None,
        rows_dropped="; ".join(f"{rows} rows: {reason}" for reason, rows in sorted(tally.dropped.items())),
        overlaps=_overlap_text(won, lost),
        unknown_fields=", ".join(sorted(tally.unknown_fields)),
    )


def _overlap_text(won: int, lost: int) -> str:
    parts = []
    if won:
        parts.append(f"{won} tool-days replaced earlier exports' rows (the later export wins)")
    if lost:
        parts.append(f"{lost} tool-days left to the export that is their full account")
    return "; ".join(parts)


def _day(value: object) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
