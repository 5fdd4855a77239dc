"""adoption-kit demo | keygen | ingest | rekey | publish | run | audit | serve."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from adoption_kit import __version__
from adoption_kit.config import KEY_ENV, Settings, load_settings
from adoption_kit.errors import KitError

FAILED_RUNS_EXIT = 1
AUDIT_FINDINGS_EXIT = 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``adoption-kit`` command."""
    arguments = _parser().parse_args(argv)
    try:
        settings = load_settings(overrides_file=arguments.parameters)
        return arguments.command(settings, arguments)
    except KitError as error:
        print(f"adoption-kit: {error}", file=sys.stderr)
        return error.exit_code


def _demo(settings: Settings, arguments: argparse.Namespace) -> int:
    from adoption_kit.demo import DemoSpec, default_start, write_demo
    from adoption_kit.privacy.pseudonym import create_key_file

    start = arguments.start or default_start(arguments.months, today=date.today())
    spec = DemoSpec(people=arguments.people, months=arguments.months, seed=arguments.seed, start=start)
    raw = arguments.out or settings.paths.raw
    summary = write_demo(raw, spec)
    key = create_key_file(settings.key_file)
    print(
        f"Demo organisation written to {raw}: {summary.people} people in {summary.departments} departments"
        f" and {summary.teams} teams, {len(summary.files)} files, {summary.first_day} to {summary.last_day}."
        f" Planted effect: {summary.planted_kpi} +{summary.planted_effect:.0%} at full adoption."
    )
    print(f"Demo pseudonymization key: {key} (outside the workspace; keep real keys out of the project)")
    return 0


def _keygen(settings: Settings, arguments: argparse.Namespace) -> int:
    from adoption_kit.privacy.pseudonym import create_key_file

    path = arguments.key_file or settings.key_file
    existed = path.exists()
    create_key_file(path)
    print(f"{'Kept the existing' if existed else 'Created a new'} key at {path}")
    return 0


def _ingest(settings: Settings, arguments: argparse.Namespace) -> int:
    from adoption_kit.ingest import ingest
    from adoption_kit.privacy.pseudonym import Pseudonymizer

    workspace = arguments.workspace or settings.paths.workspace
    pseudonymizer = Pseudonymizer.load(arguments.key_file or settings.key_file, workspace=workspace)
    report = ingest(
        arguments.paths or [settings.paths.raw],
        workspace=workspace,
        pseudonymizer=pseudonymizer,
        source=arguments.source,
        free_text=settings.free_text,
        use_cases=settings.use_cases,
    )
    print(report.as_text())
    print(f"\nWorkspace written to {report.workspace.path}")
    return 0


def _rekey(settings: Settings, arguments: argparse.Namespace) -> int:
    from adoption_kit.rekey import rekey

    report = rekey(
        arguments.paths or [settings.paths.raw],
        workspace=arguments.workspace or settings.paths.workspace,
        key_file=arguments.key_file or settings.key_file,
        new_key_file=arguments.new_key_file,
        destroy_old_key=arguments.destroy_old_key,
        free_text=settings.free_text,
        use_cases=settings.use_cases,
    )
    print(report.as_text())
    return 0


def _publish(settings: Settings, arguments: argparse.Namespace) -> int:
    run = _published_run(settings, arguments)
    print(f"Published {len(run.tables)} tables for {run.period} to {run.path}")
    return 0


def _run(settings: Settings, arguments: argparse.Namespace) -> int:
    from adoption_kit.batch import run_reports, summary_table

    published = _published_run(settings, arguments)
    results = run_reports(
        published,
        notebooks=arguments.notebooks or settings.batch.notebooks,
        reports_root=settings.paths.reports,
        notebooks_dir=settings.root / "notebooks",
        jobs=arguments.jobs or settings.batch.jobs,
        timeout_seconds=arguments.timeout or settings.batch.timeout_seconds,
        min_group_size=settings.min_group_size,
        by=arguments.by or settings.batch.by,
        progress=True,
    )
    print(summary_table(results))
    print(f"\nReports: {settings.paths.reports / published.period / 'index.html'}")
    print(f"Dashboard: {_this_command()} serve\n")
    findings = _audited(settings, period=published.period, roster=None)
    if any(result.status == "failed" for result in results):
        return FAILED_RUNS_EXIT
    return AUDIT_FINDINGS_EXIT if findings else 0


def _audit(settings: Settings, arguments: argparse.Namespace) -> int:
    findings = _audited(settings, period=arguments.period or "", roster=arguments.roster)
    return AUDIT_FINDINGS_EXIT if findings else 0


def _audited(settings: Settings, *, period: str, roster: Path | None) -> list:
    """Audit a period's published tables, its reports and the dashboard notebook; print what was found."""
    from adoption_kit.privacy.audit import as_text, audit, find_roster
    from adoption_kit.publish import open_run

    run = open_run(settings.paths.published, period)
    reports = settings.paths.reports / run.period
    dashboard = settings.root / "notebooks" / "dashboard.ipynb"
    findings = audit(
        published_run=run.path,
        reports=reports if reports.is_dir() else None,
        dashboards=[dashboard] if dashboard.is_file() else [],
        roster=roster or find_roster(settings.paths.raw),
        min_group_size=max(settings.min_group_size, run.min_group_size),
    )
    print(as_text(findings))
    return findings


def _this_command() -> str:
    """How the user can call this very ``adoption-kit`` again (relative to their folder when possible)."""
    executable = Path(sys.argv[0])
    if executable.name != "adoption-kit":
        return "adoption-kit"
    try:
        return str(executable.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(executable)


def _serve(settings: Settings, arguments: argparse.Namespace) -> int:
    from adoption_kit.serve import serve

    return serve(
        settings.root / "notebooks" / "dashboard.ipynb",
        published_root=settings.paths.published,
        port=arguments.port,
        open_browser=arguments.open,
    )


def _published_run(settings: Settings, arguments: argparse.Namespace):
    from adoption_kit.publish import publish
    from adoption_kit.workspace import Workspace

    return publish(
        Workspace.open(settings.paths.workspace),
        published_root=settings.paths.published,
        period=arguments.period or "",
        min_group_size=settings.min_group_size,
        dominance=settings.dominance,
        noise=settings.noise,
        rules=settings.metrics,
        groupings=settings.groupings,
        engine=settings.engine,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="adoption-kit", description=__doc__)
    parser.add_argument("--version", action="version", version=f"adoption-kit {__version__}")
    parser.add_argument("--parameters", type=Path, help="a YAML file overriding parameters/org.yaml")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="write the synthetic demo organisation in the vendors' formats")
    demo.add_argument("--people", type=int, default=2000)
    demo.add_argument("--months", type=int, default=6)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--start", type=date.fromisoformat, help="YYYY-MM-01 (default: 2026-05-01 if it fits)")
    demo.add_argument("--out", type=Path, help="folder for the raw files (default: paths.raw)")
    demo.set_defaults(command=_demo)

    keygen = commands.add_parser("keygen", help="create a pseudonymization key file (never overwrites)")
    keygen.add_argument("--key-file", type=Path)
    keygen.set_defaults(command=_keygen)

    ingest = commands.add_parser("ingest", help="pseudonymize exports into the workspace")
    ingest.add_argument("paths", nargs="*", type=Path, help="files or folders (default: paths.raw)")
    ingest.add_argument("--source", help="read every file as this format instead of detecting it")
    ingest.add_argument("--workspace", type=Path)
    ingest.add_argument("--key-file", type=Path)
    ingest.set_defaults(command=_ingest)

    rekey = commands.add_parser(
        "rekey",
        help="replace the pseudonymization key: re-read the raw exports, swap the workspace and key",
        description="Re-key the workspace: every export in its ledger must be among PATHS (matched by"
        " content); they are re-ingested with a new key into a staging folder, checked to give the same"
        " rows person for person, then the workspace and the key file are replaced. The old key is kept as"
        " <key file>.retired-<key id> (owner-only; no longer needed, destroy it when no backup needs it)"
        " or deleted with --destroy-old-key. If interrupted, run it again: it finishes or starts over."
        f" Refused when the key comes from ${KEY_ENV}.",
    )
    rekey.add_argument("paths", nargs="*", type=Path, help="files or folders (default: paths.raw)")
    rekey.add_argument("--workspace", type=Path)
    rekey.add_argument("--key-file", type=Path, help="the current key, replaced in place by the new one")
    rekey.add_argument("--new-key-file", type=Path, help="use this existing key (default: a new random key)")
    rekey.add_argument(
        "--destroy-old-key", action="store_true", help="delete the old key instead of keeping it"
    )
    rekey.set_defaults(command=_rekey)

    for name, handler, text in (
        ("publish", _publish, "compute and gate the published tables of a period"),
        ("run", _run, "publish, then run the report notebooks once per group"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--period", help="YYYY-MM (default: the last month with data)")
        if name == "run":
            command.add_argument("--by", help="the grouping to report on (default: batch.by, department)")
            command.add_argument("--notebooks", nargs="+", help="notebook names (default: batch.notebooks)")
            command.add_argument("--jobs", type=int, help="worker processes (default: batch.jobs)")
            command.add_argument("--timeout", type=int, help="seconds per notebook run, all cells")
        command.set_defaults(command=handler)

    audit = commands.add_parser(
        "audit", help="look for small cells, person-level tables and identifiers in what a run released"
    )
    audit.add_argument("--period", help="YYYY-MM (default: the latest published)")
    audit.add_argument("--roster", type=Path, help="the HR roster CSV (default: found in paths.raw)")
    audit.set_defaults(command=_audit)

    serve = commands.add_parser("serve", help="open the read-only leaders' dashboard (Voila)")
    serve.add_argument("--port", type=int, default=8866)
    serve.add_argument("--open", action="store_true", help="open a browser")
    serve.set_defaults(command=_serve)
    return parser


if __name__ == "__main__":
    sys.exit(main())
