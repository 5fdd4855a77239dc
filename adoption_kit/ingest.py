"""Raw exports in, pseudonymized workspace out.

``ingest`` reads like its data flow: find the files -> skip those already ingested -> read each with its
format -> learn who is who from the roster (and identity maps) -> resolve every row to a person's keyed
pseudonym -> scrub free text (or drop it, per kind, by configuration) -> settle overlaps with what the
workspace already holds (the later export wins) -> check and write the whole workspace atomically.
Emails, logins, employee ids and names never leave this module.

Free text is scrubbed with a Presidio scrubber that knows the HR roster's names, logins and ids, and the
workspace keeps no raw roster: so an ingest that brings free text to store needs a roster file among its
inputs. A roster already ingested counts when it is still among the files given (the default raw folder
keeps it); otherwise the ingest stops and says so, rather than store text scrubbed without the names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
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
        reports = _source_reports({}, {}, pd.DataFrame(columns=["export_id", "won", "lost"]), skipped)
        return IngestReport(Workspace.open(workspace), tuple(reports))
    extracts = {export: sources.read(path, source=source) for export, path in fresh.items()}
    now = pd.Timestamp(datetime.now(UTC).replace(tzinfo=None)).floor("s")
    ledger = pd.concat(
        [previous["exports"]]
        + [exports.ledger_rows(e, export=export, ingested_at=now) for export, e in extracts.items()],
        ignore_index=True,
    )
    people, known_identities = _people_and_identities(previous, list(extracts.values()), pseudonymizer)
    resolutions = {
        export: identities.resolve(e, known_identities, pseudonymizer) for export, e in extracts.items()
    }
    resolutions = _scrub_texts(resolutions, extracts, skipped, pseudonymizer, free_text=free_text)
    tables, overlaps = _settle(previous, resolutions, ledger)
    prompts = prompt_tasks(tables["texts"], use_cases)
    tables["tasks"] = pd.concat([tables["tasks"], prompts], ignore_index=True)
    tables |= {"people": people, "identities": known_identities, "exports": ledger}
    reports = _source_reports(extracts, resolutions, overlaps, skipped)
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


def _people_and_identities(
    previous: dict[str, pd.DataFrame], extracts: list[Extract], pseudonymizer: Pseudonymizer
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """People from the rosters (newest wins per person) and every link that names them."""
    rosters = [e.tables["roster"] for e in extracts if "roster" in e.tables]
    if not rosters and previous["people"].empty:
        raise InputFileError(
            "no HR roster among the inputs or in the workspace",
            expected=f"a roster file ({sources.SOURCES[ROSTER_SOURCE].DESCRIPTION})",
        )
    roster = pd.concat(rosters, ignore_index=True) if rosters else None
    links = [previous["identities"]]
    people = [previous["people"]]
    if roster is not None:
        links.append(identities.roster_identities(roster, pseudonymizer))
        people.append(_people(roster, pseudonymizer, extracts))
    known = exports.latest_per_key(links, ["kind", "token"])
    for extract in extracts:
        if "identity_map" in extract.tables:
            mapped = identities.mapped_identities(
                extract.tables["identity_map"], known, pseudonymizer, extract=extract
            )
            known = exports.latest_per_key([known, mapped], ["kind", "token"])
    return exports.latest_per_key(people, ["person_id"])[PEOPLE_COLUMNS], known


def _people(roster: pd.DataFrame, pseudonymizer: Pseudonymizer, extracts: list[Extract]) -> pd.DataFrame:
    """The roster's attributes under each person's pseudonym; tenure as of the newest data."""
    days = [f["day"].max() for e in extracts for f in e.tables.values() if "day" in f and len(f)]
    reference_day = max(days) if days else pd.Timestamp.today().normalize()
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


def _scrub_texts(
    resolutions: dict[str, identities.Resolution],
    extracts: dict[str, Extract],
    skipped: list[Path],
    pseudonymizer: Pseudonymizer,
    *,
    free_text: Mapping[str, str],
) -> dict[str, identities.Resolution]:
    """Each resolution with its free text dropped by configuration or scrubbed, before anything is stored."""
    kept = {
        export: r.tables["texts"].loc[lambda t: t["kind"].map(free_text).fillna("scrub").eq("scrub")]
        for export, r in resolutions.items()
        if "texts" in r.tables
    }
    if not any(len(texts) for texts in kept.values()):
        scrubbed = kept
    else:
        carrier = next(export for export, texts in kept.items() if len(texts))
        scrubber = Scrubber.from_roster(
            _roster_at_hand(extracts, skipped, carrier=extracts[carrier]), pseudonymizer=pseudonymizer
        )
        distinct = pd.concat([texts["text"] for texts in kept.values()]).drop_duplicates()
        clean = pd.Series(scrubber.scrub(distinct).to_numpy(), index=distinct.to_numpy())
        scrubbed = {export: texts.assign(text=texts["text"].map(clean)) for export, texts in kept.items()}
    return {
        export: replace(
            r,
            tables=r.tables | {"texts": scrubbed[export].reset_index(drop=True)},
            dropped=r.dropped | _texts_dropped(len(r.tables["texts"]) - len(scrubbed[export])),
        )
        if export in scrubbed
        else r
        for export, r in resolutions.items()
    }


def _texts_dropped(count: int) -> dict[str, int]:
    return {TEXTS_DROPPED: count} if count else {}


def _roster_at_hand(extracts: dict[str, Extract], skipped: list[Path], *, carrier: Extract) -> pd.DataFrame:
    """The raw roster for scrubbing: from this ingest's files, read again when it was ingested before."""
    rosters = [e.tables["roster"] for e in extracts.values() if "roster" in e.tables]
    rosters += [
        sources.read(path).tables["roster"] for path in skipped if sources.detect(path).NAME == ROSTER_SOURCE
    ]
    if not rosters:
        raise InputFileError(
            "this file carries free text, which is scrubbed with the HR roster's names, but no roster is "
            "among the files of this ingest",
            path=carrier.path,
            expected="the roster file ingested along with it (e.g. left in the raw folder), or free_text: "
            "drop for its kinds of text in parameters/org.yaml",
        )
    return pd.concat(rosters, ignore_index=True)


def _settle(
    previous: dict[str, pd.DataFrame],
    resolutions: dict[str, identities.Resolution],
    ledger: pd.DataFrame,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Merge fresh tables into the previous ones by the ledger's rules."""
    rank = exports.ranks(ledger)
    in_time = sorted(resolutions, key=rank.get)
    fresh = {
        name: [r.tables[name].assign(export_id=e) for e in in_time if name in (r := resolutions[e]).tables]
        for name in ("activity", "activity_hours", "tasks", "seats", "survey", "texts", *LATEST_WINS)
    }
    new_activity = pd.concat(fresh["activity"], ignore_index=True) if fresh["activity"] else None
    if new_activity is None:
        activity = previous["activity"].assign(export_id=exports.EARLIER)
        overlaps = pd.DataFrame(columns=["export_id", "won", "lost"])
    else:
        activity, overlaps = exports.settle_activity(
            previous["activity"], new_activity, ledger, fresh_exports=set(resolutions)
        )
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
    extracts: dict[str, Extract],
    resolutions: dict[str, identities.Resolution],
    overlaps: pd.DataFrame,
    skipped: list[Path],
) -> list[SourceReport]:
    overlaps = overlaps.set_index("export_id")
    skipped_by_source = pd.Series([sources.detect(p).NAME for p in skipped], dtype="str").value_counts()
    names = sorted({e.source for e in extracts.values()} | set(skipped_by_source.index))
    reports = []
    for name in names:
        mine = [export for export, e in extracts.items() if e.source == name]
        dropped: dict[str, int] = {}
        for export in mine:
            for reason, rows in (extracts[export].dropped | resolutions[export].dropped).items():
                dropped[reason] = dropped.get(reason, 0) + rows
        won = int(overlaps["won"].reindex(mine).fillna(0).sum()) if len(overlaps) else 0
        lost = int(overlaps["lost"].reindex(mine).fillna(0).sum()) if len(overlaps) else 0
        days = pd.concat(
            [f[c] for e in mine for f in resolutions[e].tables.values() for c in ("day", "period") if c in f]
            or [pd.Series(dtype="datetime64[s]")]
        )
        unknown = sorted({field for e in mine for field in extracts[e].unknown_fields})
        reports.append(
            SourceReport(
                source=name,
                files=len(mine),
                skipped_as_ingested=int(skipped_by_source.get(name, 0)),
                rows_read=sum(extracts[e].rows_read for e in mine),
                people_matched=len(frozenset().union(*(resolutions[e].matched for e in mine))),
                identities_unmatched=len(frozenset().union(*(resolutions[e].unmatched for e in mine))),
                first_day=_day(days.min()) if len(days) else None,
                last_day=_day(days.max()) if len(days) else None,
                rows_dropped="; ".join(f"{rows} rows: {reason}" for reason, rows in sorted(dropped.items())),
                overlaps=_overlap_text(won, lost),
                unknown_fields=", ".join(unknown),
            )
        )
    return reports


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
