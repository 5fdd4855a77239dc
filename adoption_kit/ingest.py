"""Raw exports in, pseudonymized workspace out.

``ingest`` reads like its data flow: find the files -> skip those already ingested -> learn who is who
from the rosters (and identity maps) -> then one file at a time: read it with its format, resolve every row
to a person's keyed pseudonym, scrub free text (or drop it, per kind, by configuration), keep only the
canonical tables and let the raw file's frames go -> settle overlaps with what the workspace already holds
(the later export wins) -> check and write the whole workspace atomically. Emails, logins, employee ids and
names never leave this module.

Memory holds one raw file at a time (one per reading process), never the organisation: each file's
pseudonymized tables are written to Parquet in a hidden folder beside the workspace as soon as it is read,
and the tables that grow with people x days (activity, hours, tasks) are settled by DuckDB from those files
and written in batches. Large ingests read their files in worker processes, one per core; the tables come
out exactly as one process reading the files in order would leave them.

Free text is scrubbed with a Presidio scrubber that knows the HR roster's names, logins and ids, and the
workspace keeps no raw roster: so an ingest that brings free text to store needs a roster file among its
inputs. A roster already ingested counts when it is still among the files given (the default raw folder
keeps it); otherwise the ingest stops and says so, rather than store text scrubbed without the names.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from adoption_kit import exports, identities, schema, sources
from adoption_kit.errors import InputFileError, WorkspaceError
from adoption_kit.metrics.engines import Table
from adoption_kit.metrics.engines.duckdb_engine import attach
from adoption_kit.privacy.pseudonym import Pseudonymizer
from adoption_kit.privacy.scrub import Scrubber
from adoption_kit.sources.base import Extract
from adoption_kit.use_cases import UseCaseRules, prompt_tasks
from adoption_kit.workspace import Workspace, rows_in, write_workspace

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
# The tables that grow with people x days: settled in DuckDB from Parquet, never held whole in memory.
SETTLED_IN_PLACE = frozenset({"activity", "activity_hours", "tasks"})
# Kinds a period report restates in full: a later export's texts replace earlier ones on the days it spans.
RESTATED_TEXTS = ("gpt_name", "gpt_description", "gpt_url", "project_name", "user_role")
TEXTS_DROPPED = "texts not stored (free_text: drop in the parameters)"
# Files are read by worker processes, one per core, when the fresh ones add up to this much.
PARALLEL_FROM_BYTES = 256 * 2**20
MAX_READERS = 2  # each reader holds one raw file: the largest exports take gigabytes while parsed
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
    readers: int | None = None,
) -> IngestReport:
    """Add every export under ``paths`` to the workspace (creating it if needed), in one atomic step.

    ``free_text`` says per kind of text whether it is scrubbed and stored (``scrub``) or never stored
    (``drop``); kinds it leaves out are scrubbed (``Settings.free_text`` holds the configured ones).
    ``use_cases`` (``Settings.use_cases``) classifies every stored prompt into ``tasks`` anew whenever
    there are new files to ingest. ``readers``: how many processes read the files (by default one per
    core when the fresh files are large enough to gain from it, see ``PARALLEL_FROM_BYTES``).
    """
    previous = _previous_tables(workspace, pseudonymizer)
    files = exports.by_export_id(discover(paths))
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
    with _spill_folder(workspace) as spill:
        reader = _Reader(
            known_identities, pseudonymizer=pseudonymizer, texts=texts, ingested_at=now, spill=spill
        )
        jobs = [(export, path, formats[export]) for export, path in fresh.items()]
        intake = _Intake(_take_in(reader, jobs, readers=readers or _readers_for(list(fresh.values()))))
        ledger = intake.ledger(previous["exports"])
        people = _people(previous, roster, pseudonymizer, reference_day=intake.latest_day())
        tables, overlaps = _settle(previous, intake.tables(), ledger, spill=spill)
        (texts,) = tables["texts"]
        tables["tasks"] = [*tables["tasks"], prompt_tasks(texts, use_cases)]
        tables |= {"people": [people], "identities": [known_identities], "exports": [ledger]}
        reports = _source_reports(intake.tallies, overlaps, skipped)
        first_day, last_day = _day_range(tables["activity"])
        manifest = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "key_id": pseudonymizer.key_id,
            "rows": {name: rows_in(parts) for name, parts in tables.items()},
            "first_day": first_day,
            "last_day": last_day,
            "sources": [asdict(report) for report in reports],
        }
        tables = {name: [_conformed(name, part) for part in parts] for name, parts in tables.items()}
        written = write_workspace(workspace, tables, manifest)
    return IngestReport(written, tuple(reports))


def _previous_tables(workspace: Path, pseudonymizer: Pseudonymizer) -> dict[str, Table]:
    """The workspace's current tables, or empty ones; a workspace made with another key is refused.

    The large tables (``SETTLED_IN_PLACE``) are their Parquet files, read in place; the others frames. A
    table the workspace does not have yet (one written before the kit knew the table) starts empty.
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
    return {
        name: current.source(name) if name in SETTLED_IN_PLACE else current.table(name)
        for name in schema.TABLES
    }


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
class _Counts:
    """What one file adds to its format's line of the ingest report."""

    rows_read: int
    matched: frozenset[str]
    unmatched: frozenset[str]
    dropped: dict[str, int]
    days: list[pd.Timestamp]  # its first and last day (none when it has no days)
    unknown_fields: tuple[str, ...]


@dataclass(frozen=True)
class _Taken:
    """What ingest keeps of one fresh file once its raw extract is let go."""

    export: str
    source: str
    ledger: pd.DataFrame  # the file's rows of the export ledger
    tables: dict[str, Path]  # the tables to settle as Parquet: person ids for identities, free text scrubbed
    latest_day: pd.Timestamp | None  # the newest ``day`` of its raw rows (tenure is as of the newest data)
    counts: _Counts


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

    def add(self, export: str, counts: _Counts) -> None:
        """Count one more file of this format."""
        self.exports.append(export)
        self.rows_read += counts.rows_read
        self.matched |= counts.matched
        self.unmatched |= counts.unmatched
        self.dropped.update(counts.dropped)
        self.days += counts.days
        self.unknown_fields.update(counts.unknown_fields)


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


class _Reader:
    """Takes one fresh file in: reads it with its format, resolves every row to a person's pseudonym,
    drops or scrubs its free text, and writes the tables to settle as Parquet into ``spill``, so that
    memory holds one raw file at a time whatever the size of the organisation. Picklable: worker processes
    each get a copy (see :func:`_take_in`)."""

    def __init__(
        self,
        known: pd.DataFrame,
        *,
        pseudonymizer: Pseudonymizer,
        texts: _TextScrubber,
        ingested_at: pd.Timestamp,
        spill: Path,
    ) -> None:
        self._known = known
        self._pseudonymizer = pseudonymizer
        self._texts = texts
        self._ingested_at = ingested_at
        self._spill = spill

    def __call__(self, export: str, path: Path, source: str) -> _Taken:
        extract = sources.read(path, source=source)
        resolved = identities.resolve(extract, self._known, self._pseudonymizer)
        resolution = self._texts(resolved, carrier=path)
        tables = {}
        for name, frame in resolution.tables.items():
            if name in SETTLED_TABLES:
                tables[name] = self._spill / f"{export}.{name}.parquet"
                schema.conform(name, frame).assign(export_id=export).to_parquet(tables[name], index=False)
        counts = _Counts(
            rows_read=extract.rows_read,
            matched=frozenset(resolution.matched),
            unmatched=frozenset(resolution.unmatched),
            dropped=extract.dropped | resolution.dropped,
            days=_first_and_last_day(resolution.tables),
            unknown_fields=tuple(extract.unknown_fields),
        )
        return _Taken(
            export=export,
            source=extract.source,
            ledger=exports.ledger_rows(extract, export=export, ingested_at=self._ingested_at),
            tables=tables,
            latest_day=_latest_day(extract),
            counts=counts,
        )


def _readers_for(paths: list[Path]) -> int:
    """One reading process per core (at most ``MAX_READERS``) when the files add up to
    ``PARALLEL_FROM_BYTES``, else one: starting a worker costs a second or two of imports."""
    size = sum(path.stat().st_size for path in paths)
    return min(MAX_READERS, os.cpu_count() or 1, len(paths)) if size >= PARALLEL_FROM_BYTES else 1


def _take_in(reader: _Reader, jobs: list[tuple[str, Path, str]], *, readers: int) -> Iterator[_Taken]:
    """Each job (export, file, format) taken in by ``reader``, in the jobs' order: here, or by ``readers``
    worker processes (each with its copy of the reader). The first file that fails stops the rest."""
    if readers <= 1:
        yield from (reader(*job) for job in jobs)
        return
    # Workers start from a fork server: a fork of this process would copy DuckDB's and Arrow's threads.
    pool = ProcessPoolExecutor(
        readers,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=_start_worker,
        initargs=(reader,),
    )
    try:
        yield from pool.map(_work, jobs)
    finally:
        pool.shutdown(cancel_futures=True)


_worker_reader: _Reader | None = None  # a reading process's reader, set as it starts


def _start_worker(reader: _Reader) -> None:
    global _worker_reader
    _worker_reader = reader


def _work(job: tuple[str, Path, str]) -> _Taken:
    return _worker_reader(*job)


@contextmanager
def _spill_folder(workspace: Path) -> Iterator[Path]:
    """A hidden folder beside the workspace for the files' pseudonymized tables until they are settled
    (the analyst tier stays in one place); removed afterwards, whatever happens."""
    parent = workspace.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{workspace.name}.intake-", dir=parent) as folder:
        yield Path(folder)


class _Intake:
    """The fresh files taken in, in order: the ledger, the tables to settle and the report's counts."""

    def __init__(self, taken: Iterable[_Taken]) -> None:
        self.taken: list[_Taken] = []
        self.tallies: dict[str, _SourceTally] = {}  # by format
        for file in taken:
            self.taken.append(file)
            self.tallies.setdefault(file.source, _SourceTally()).add(file.export, file.counts)

    def ledger(self, earlier: pd.DataFrame) -> pd.DataFrame:
        """The export ledger: the ``earlier`` rows, then each file's in the order read."""
        return pd.concat([earlier, *(file.ledger for file in self.taken)], ignore_index=True)

    def tables(self) -> dict[str, dict[str, Path]]:
        """The tables to settle, by export, as the Parquet files they were written to."""
        return {file.export: file.tables for file in self.taken}

    def latest_day(self) -> pd.Timestamp:
        """The newest ``day`` of every file taken in (today when none has days)."""
        days = [file.latest_day for file in self.taken if file.latest_day is not None]
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
    previous: dict[str, Table], fresh_tables: dict[str, dict[str, Path]], ledger: pd.DataFrame, *, spill: Path
) -> tuple[dict[str, list[pd.DataFrame | Path]], pd.DataFrame]:
    """Merge fresh tables (by export, as Parquet files) into the previous ones by the ledger's rules.

    Every table comes back as its parts: the large ones (``SETTLED_IN_PLACE``) as Parquet files DuckDB
    wrote into ``spill`` without holding them in memory, the others as frames."""
    rank = exports.ranks(ledger)
    in_time = sorted(fresh_tables, key=rank.get)
    fresh = {
        name: [fresh_tables[e][name] for e in in_time if name in fresh_tables[e]] for name in SETTLED_TABLES
    }
    activity = spill / "activity.parquet"
    overlaps = exports.settle_activity(
        previous["activity"], fresh["activity"], ledger, fresh_exports=set(fresh_tables), into=activity
    )
    hours, tasks = spill / "activity_hours.parquet", spill / "tasks.parquet"
    exports.settle_hours(previous["activity_hours"], fresh["activity_hours"], activity, into=hours)
    exports.settle_vendor_tasks(previous["tasks"], fresh["tasks"], activity, into=tasks)
    loaded = {
        name: [pd.read_parquet(path) for path in fresh[name]] for name in SETTLED_TABLES - SETTLED_IN_PLACE
    }
    tables = {
        "seats": _seats([previous["seats"], *loaded["seats"]]),
        "survey": pd.concat([previous["survey"], *loaded["survey"]], ignore_index=True),
        "texts": _texts(previous["texts"], loaded["texts"]),
    }
    for name, keys in LATEST_WINS.items():
        tables[name] = exports.latest_per_key([previous[name], *loaded[name]], keys)
    settled = {name: [frame.drop(columns="export_id", errors="ignore")] for name, frame in tables.items()}
    return settled | {"activity": [activity], "activity_hours": [hours], "tasks": [tasks]}, overlaps


def _conformed(name: str, part: pd.DataFrame | Path) -> pd.DataFrame | Path:
    """A frame with the table's columns in order (a settled Parquet file already has them)."""
    return part if isinstance(part, Path) else schema.conform(name, part)


def _day_range(activity: list[pd.DataFrame | Path]) -> tuple[str | None, str | None]:
    """The first and the last day of the settled activity (its one Parquet file)."""
    with duckdb.connect() as connection:
        attach(connection, {"activity": activity[0]})
        first, last = connection.sql("SELECT min(day), max(day) FROM activity").fetchall()[0]
    return _day(first), _day(last)


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
