"""Raw exports in, pseudonymized workspace out: read sources -> resolve people -> pseudonymize -> write.

Nothing that identifies a person crosses this module: emails, logins, employee ids and names are used to
find the roster person behind each row, replaced by that person's keyed pseudonym, and dropped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from adoption_kit import schema, sources
from adoption_kit.errors import InputFileError
from adoption_kit.privacy.pseudonym import Pseudonymizer, normalize_email, normalize_login
from adoption_kit.sources.base import Extract
from adoption_kit.workspace import Workspace, write_workspace

NORMALIZERS = {"email": normalize_email, "github_login": normalize_login, "employee_id": normalize_login}
ROSTER_LINKS = {"email": "identity", "github_login": "github_login", "employee_id": "employee_id"}
UNIQUE_KEYS = {
    "activity": ["person_id", "tool", "day", "grain", "surface"],
    "outcomes": ["unit_type", "unit_id", "period", "kpi"],
    "seat_pools": ["tool", "department", "valid_from"],
}
TENURE_BANDS = pd.IntervalIndex.from_breaks([-1e9, 365, 3 * 365, 5 * 365, 1e9], closed="left")
TENURE_LABELS = ["<1y", "1-3y", "3-5y", "5y+"]


@dataclass(frozen=True)
class SourceReport:
    """What ingest did with one format's files."""

    source: str
    files: int
    rows_read: int
    people_matched: int
    identities_unmatched: int
    rows_dropped: int
    first_day: str | None
    last_day: str | None


@dataclass(frozen=True)
class IngestReport:
    """The outcome of one ingest: the new workspace and a line per source."""

    workspace: Workspace
    sources: tuple[SourceReport, ...]

    def as_text(self) -> str:
        """A plain table for the terminal."""
        frame = pd.DataFrame([asdict(report) for report in self.sources]).fillna("")
        return frame.to_string(index=False)


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
    paths: list[Path], *, workspace: Path, pseudonymizer: Pseudonymizer, source: str | None = None
) -> IngestReport:
    """Read every export under ``paths`` and replace the workspace with what they say, atomically."""
    extracts = [sources.read(path, source=source) for path in discover(paths)]
    roster = _roster(extracts)
    resolved = [(extract, _resolve(extract, roster)) for extract in extracts]
    tables = _assemble(roster, [frames for _, frames in resolved], pseudonymizer)
    reports = _source_reports(resolved)
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "key_id": pseudonymizer.key_id,
        "rows": {name: len(frame) for name, frame in tables.items()},
        "first_day": _day(tables["activity"]["day"].min()),
        "last_day": _day(tables["activity"]["day"].max()),
        "sources": [asdict(report) for report in reports],
    }
    return IngestReport(write_workspace(workspace, tables, manifest), tuple(reports))


def _roster(extracts: list[Extract]) -> pd.DataFrame:
    rosters = [e.tables["roster"] for e in extracts if "roster" in e.tables]
    if not rosters:
        raise InputFileError(
            "no HR roster among the inputs", expected=f"a roster file ({sources.roster.DESCRIPTION})"
        )
    roster = pd.concat(rosters, ignore_index=True)
    return roster.assign(email=normalize_email(roster["identity"])).drop_duplicates("email", keep="last")


def _resolve(extract: Extract, roster: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each table of the extract with ``email`` (the roster's, normalized) in place of the raw identity."""
    if "roster" in extract.tables:
        return {
            "roster": extract.tables["roster"].assign(
                email=normalize_email(extract.tables["roster"]["identity"])
            )
        }
    if extract.identity is None:
        return dict(extract.tables)
    normalize = NORMALIZERS[extract.identity]
    link = roster[[ROSTER_LINKS[extract.identity], "email"]].dropna()
    lookup = pd.Series(link["email"].to_numpy(), index=normalize(link.iloc[:, 0]).to_numpy())
    lookup = lookup[~lookup.index.duplicated()]
    resolved = {}
    for name, frame in extract.tables.items():
        keys = normalize(frame["identity"])
        resolved[name] = frame.assign(email=keys.map(lookup), unmatched_identity=keys).drop(
            columns="identity"
        )
    return resolved


def _assemble(
    roster: pd.DataFrame, extracts: list[dict[str, pd.DataFrame]], pseudonymizer: Pseudonymizer
) -> dict[str, pd.DataFrame]:
    """The canonical tables: matched rows only, person columns pseudonymized, later exports winning."""
    gathered = {name: [] for name in schema.TABLES if name != "people"}
    for frames in extracts:
        for name, frame in frames.items():
            if name in gathered:
                gathered[name].append(frame.loc[frame["email"].notna()] if "email" in frame else frame)
    tables = {
        name: pd.concat(frames, ignore_index=True) if frames else schema.empty(name)
        for name, frames in gathered.items()
    }
    reference_day = tables["activity"]["day"].max() if len(tables["activity"]) else pd.Timestamp.today()
    tables["people"] = _people(roster, reference_day)
    for name in ("activity", "seats"):
        if len(tables[name]):
            tables[name] = tables[name].assign(person_id=pseudonymizer.tokens(tables[name]["email"]))
    tables["people"] = tables["people"].assign(person_id=pseudonymizer.tokens(roster["email"]).to_numpy())
    tables["seats"] = _seats(tables["seats"])
    for name, keys in UNIQUE_KEYS.items():
        tables[name] = tables[name].drop_duplicates(keys, keep="last")
    return {name: schema.conform(name, frame) for name, frame in tables.items()}


def _people(roster: pd.DataFrame, reference_day: pd.Timestamp) -> pd.DataFrame:
    hired = roster.get("hire_date", pd.Series(pd.NaT, index=roster.index))
    tenure_days = (reference_day - hired).dt.days
    tenure = pd.cut(tenure_days, bins=TENURE_BANDS).cat.rename_categories(TENURE_LABELS).astype("str")
    return pd.DataFrame(
        {
            "department": roster["department"],
            "team": roster["team"],
            "job_function": roster["job_function"],
            "location": roster["location"],
            "level": roster.get("level"),
            "tenure_band": tenure.where(hired.notna()),
            "employed_from": hired,
            "employed_to": roster.get("termination_date"),
        }
    )


def _seats(seats: pd.DataFrame) -> pd.DataFrame:
    """One seat per person and tool: first assignment, first removal seen."""
    if seats.empty:
        return seats
    return seats.groupby(["person_id", "tool"], as_index=False).agg(
        assigned_on=("assigned_on", "min"), removed_on=("removed_on", "min"), plan=("plan", "first")
    )


def _source_reports(resolved: list[tuple[Extract, dict[str, pd.DataFrame]]]) -> list[SourceReport]:
    reports = []
    for name in dict.fromkeys(extract.source for extract, _ in resolved):
        mine = [(e, frames) for e, frames in resolved if e.source == name]
        frames = [frame for _, tables in mine for frame in tables.values()]
        matched = pd.concat([f["email"].dropna() for f in frames if "email" in f] or [pd.Series(dtype="str")])
        unmatched = pd.concat(
            [f.loc[f["email"].isna(), "unmatched_identity"] for f in frames if "unmatched_identity" in f]
            or [pd.Series(dtype="str")]
        )
        days = pd.concat(
            [f[c] for f in frames for c in ("day", "period") if c in f] or [pd.Series(dtype="str")]
        )
        reports.append(
            SourceReport(
                source=name,
                files=len(mine),
                rows_read=sum(e.rows_read for e, _ in mine),
                people_matched=matched.nunique(),
                identities_unmatched=unmatched.nunique(),
                rows_dropped=len(unmatched),
                first_day=_day(days.min()) if len(days) else None,
                last_day=_day(days.max()) if len(days) else None,
            )
        )
    return reports


def _day(value: object) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)
