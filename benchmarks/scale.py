"""How the kit scales: every stage of a run on a generated organisation, timed apart, with the references.

    .venv/bin/python benchmarks/scale.py --people 100000 --months 12 [--folder DIR] [--stages ...]
                                         [--batch-groups 40] [--batch-by department] [--jobs 2]

Stages, each in a process of its own (its wall time and peak resident memory are its own; the memory is
the largest sum over the process and its children, sampled, so worker processes count):

- ``generate``: ``adoption-kit demo`` writes the organisation in the vendors' formats;
- ``floor``: DuckDB reads every raw file whole and counts its rows, nothing else (the ingest's floor);
- ``ingest``: ``adoption-kit ingest`` of every raw file into a new workspace (the folder's is replaced);
- ``metrics``: every table a run publishes, computed (``publish.compute_tables``), before the gate;
- ``naive``: the headline metrics (activation, WAU, MAU, stickiness, events per active user, per tool and
  for any tool, for every published grouping) written the obvious way in pandas: the reference;
- ``headline``: the same headline metrics for the same groupings with the kit's metric functions, so the
  speed-up over ``naive`` compares like with like (both timed inside their process, imports left out);
- ``gate``: the release gate over the computed tables (``release.release_run``, with the LP attacker);
- ``batch``: the report notebooks for the organisation and the first ``--batch-groups`` groups of
  ``--batch-by`` (departments; the demo has 11, so ``--batch-by team`` gives 40), against the kernel-start
  floor: runs x one bare kernel start with the notebooks' imports / cores.

Stages later in the list reuse what earlier ones left in ``--folder`` (the project folder), so one stage
can be measured again alone. The table printed at the end gives each stage's seconds, rows, rows per
second and peak memory, and the targets of the scale issue next to them.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KIT = [sys.executable, "-m", "adoption_kit.cli"]
STAGES = ("generate", "floor", "ingest", "metrics", "naive", "headline", "gate", "batch")
JSON_LIMIT = 2**31 - 1  # bytes: DuckDB reads each JSON document whole
GIB = 2**30
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Measure:
    """One stage: wall seconds, peak resident bytes of its process tree, and what it reports of itself."""

    stage: str
    seconds: float
    peak_bytes: int
    facts: dict


def main() -> None:
    arguments = _parser().parse_args()
    if arguments.stage_inside:
        print(json.dumps(_inside(arguments.stage_inside, arguments.folder, arguments)))
        return
    folder = arguments.folder.resolve()
    stages = arguments.stages or list(STAGES)
    if "generate" in stages:
        _new_project(folder)
    measures = [_measure(stage, folder, arguments) for stage in stages]
    print(_table(measures, arguments))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/adoption-kit-scale"))
    parser.add_argument("--stages", nargs="+", choices=STAGES)
    parser.add_argument("--batch-groups", type=int, default=40, help="groups in the batch (plus ALL)")
    parser.add_argument("--batch-by", default="department", help="the grouping the batch reports on")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--stage-inside", choices=STAGES, help=argparse.SUPPRESS)
    return parser


def _new_project(folder: Path) -> None:
    """An empty project: the repository's parameters and notebooks, its own outputs."""
    shutil.rmtree(folder, ignore_errors=True)
    for part in ("parameters", "notebooks"):
        shutil.copytree(REPO / part, folder / part)


def _measure(stage: str, folder: Path, arguments: argparse.Namespace) -> Measure:
    """Run one stage in a child process; its wall time, peak memory (``wait4``) and printed facts."""
    if stage == "generate":
        command = [*KIT, "demo", "--people", str(arguments.people), "--months", str(arguments.months)]
    elif stage == "ingest":  # a full ingest, into a new workspace
        shutil.rmtree(folder / "outputs" / "workspace", ignore_errors=True)
        command = [*KIT, "ingest"]
    else:
        options = ["--batch-groups", str(arguments.batch_groups), "--batch-by", arguments.batch_by]
        options += ["--jobs", str(arguments.jobs)]
        command = [sys.executable, __file__, "--stage-inside", stage, "--folder", str(folder), *options]
    print(f"[{stage}] {' '.join(command[1:])}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, text=True)
    sampled = _TreeMemory(process.pid)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    sampled.stop()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"stage {stage} failed:\n{output}")
    facts = json.loads(output.splitlines()[-1]) if stage not in ("generate", "ingest") else {}
    return Measure(stage, seconds, max(usage.ru_maxrss * 1024, sampled.peak), facts)


class _TreeMemory:
    """The largest resident memory of a process and its descendants together, sampled four times a
    second from /proc (``wait4`` gives only the largest single process)."""

    def __init__(self, pid: int) -> None:
        self.peak = 0
        self._pid = pid
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(0.25):
            self.peak = max(self.peak, _tree_resident(self._pid))


def _tree_resident(pid: int) -> int:
    """Resident bytes of ``pid`` and every process below it (0 for those gone meanwhile)."""
    total, waiting = 0, [pid]
    while waiting:
        process = Path("/proc") / str(waiting.pop())
        try:
            total += int((process / "statm").read_text().split()[1]) * PAGE
            for task in (process / "task").iterdir():
                waiting += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def _inside(stage: str, folder: Path, arguments: argparse.Namespace) -> dict:
    """The work of a measured stage, run in its own process; what it found, as JSON-ready facts."""
    os.chdir(folder)
    return {
        "floor": _floor,
        "metrics": _metrics,
        "naive": _naive,
        "headline": _headline,
        "gate": _gate,
        "batch": _batch,
    }[stage](folder, arguments)


def _floor(folder: Path, arguments: argparse.Namespace) -> dict:
    """DuckDB reading every raw file whole and counting its rows (records of NDJSON and CSV, documents of
    JSON): the least any ingest must do."""
    import duckdb

    connection = duckdb.connect()
    rows = 0
    files = sorted(p for p in (folder / "outputs" / "demo" / "raw").rglob("*") if p.is_file())
    for path in files:
        quoted = str(path).replace("'", "''")
        if path.suffix == ".csv":
            reader = f"read_csv('{quoted}', all_varchar = true)"
        else:
            reader = f"read_json('{quoted}', format = 'auto', maximum_object_size = {JSON_LIMIT})"
        rows += connection.execute(f"SELECT count(*) FROM {reader}").fetchone()[0]
    return {"rows": rows, "files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def _settings_and_workspace(folder: Path):
    from adoption_kit.config import load_settings
    from adoption_kit.workspace import Workspace

    settings = load_settings(folder)
    return settings, Workspace.open(settings.paths.workspace)


def _as_of(workspace) -> date:
    import pandas as pd

    return pd.Period(workspace.manifest["last_day"][:7], "M").end_time.date()


def _metrics(folder: Path, arguments: argparse.Namespace) -> dict:
    """Every table of the run, before the gate; kept for the gate stage."""
    from adoption_kit.publish import compute_tables

    settings, workspace = _settings_and_workspace(folder)
    start = time.perf_counter()
    tables = compute_tables(
        workspace,
        as_of=_as_of(workspace),
        min_group_size=settings.min_group_size,
        dominance=settings.dominance,
        rules=settings.metrics,
        groupings=settings.groupings,
    )
    seconds = time.perf_counter() - start
    (folder / "computed.pickle").write_bytes(pickle.dumps(tables))
    rows = int(workspace.manifest["rows"]["activity"])
    return {"rows": rows, "tables": len(tables), "compute_seconds": seconds}


def _naive(folder: Path, arguments: argparse.Namespace) -> dict:
    """The headline metrics the obvious way: whole tables in pandas, a groupby per metric and grouping."""
    import pandas as pd

    from adoption_kit.publish import GROUPINGS

    _, workspace = _settings_and_workspace(folder)
    people, seats, activity = (workspace.table(name) for name in ("people", "seats", "activity"))
    start = time.perf_counter()
    activity = pd.concat([activity, activity.assign(tool="any")], ignore_index=True)
    used = activity.merge(people, on="person_id")
    used["week"] = used["day"].dt.to_period("W").dt.start_time
    used["month"] = used["day"].dt.to_period("M").dt.start_time
    holders = seats.merge(people, on="person_id")
    activated = holders.merge(used[["person_id", "tool"]].drop_duplicates(), on=["person_id", "tool"])
    results = []
    for attributes in GROUPINGS.values():
        keys = list(attributes)
        activation = (
            activated.groupby([*keys, "tool"])["person_id"].nunique()
            / holders.groupby([*keys, "tool"])["person_id"].nunique()
        )
        wau = used.groupby([*keys, "tool", "week"])["person_id"].nunique()
        mau = used.groupby([*keys, "tool", "month"])["person_id"].nunique()
        weekly = wau.reset_index().assign(month=lambda f: f["week"].dt.to_period("M").dt.start_time)
        stickiness = weekly.groupby([*keys, "tool", "month"])["person_id"].mean() / mau
        per_person = used.groupby([*keys, "tool", "week", "person_id"])["events"].sum()
        per_week = per_person.groupby([*keys, "tool", "week"])
        results += [activation, wau, mau, stickiness, per_week.median(), per_week.quantile(0.9)]
    seconds = time.perf_counter() - start
    return {"rows": len(activity) // 2, "result_rows": sum(map(len, results)), "compute_seconds": seconds}


def _headline(folder: Path, arguments: argparse.Namespace) -> dict:
    """The naive stage's metrics and groupings with the kit's metric functions."""
    from adoption_kit import metrics
    from adoption_kit.metrics import query
    from adoption_kit.publish import GROUPINGS

    _, workspace = _settings_and_workspace(folder)
    people, seats, activity = (workspace.table(name) for name in ("people", "seats", "activity"))
    as_of = _as_of(workspace)
    start = time.perf_counter()
    results = []
    with query.sharing():  # as a run computes them: the person-level summaries once for every grouping
        for attributes in GROUPINGS.values():
            by = attributes or None
            results += [
                metrics.seat_activation(seats, activity, people, by=by, as_of=as_of),
                metrics.monthly_active_users(activity, people, by=by, until=as_of),  # WAU, stickiness too
                metrics.events_per_active_user(activity, people, by=by, until=as_of),
            ]
    seconds = time.perf_counter() - start
    return {"rows": len(activity), "result_rows": sum(map(len, results)), "compute_seconds": seconds}


def _gate(folder: Path, arguments: argparse.Namespace) -> dict:
    """The release gate over the tables the metrics stage computed."""
    from adoption_kit.privacy.release import release_run
    from adoption_kit.publish import KEYS

    settings, _ = _settings_and_workspace(folder)
    tables = pickle.loads((folder / "computed.pickle").read_bytes())
    released = release_run(
        tables, keys=KEYS, min_group_size=settings.min_group_size, dominance=settings.dominance
    )
    cells = sum(len(r.table) for r in released)
    hidden = sum(int(r.table["suppressed"].sum()) for r in released)
    return {"rows": cells, "hidden": hidden}


def _batch(folder: Path, arguments: argparse.Namespace) -> dict:
    """The report notebooks for ALL and the first ``--batch-groups`` groups of ``--batch-by``, and the
    kernel-start floor measured the same way (a bare kernel start with the notebooks' imports)."""
    from adoption_kit.batch import run_reports
    from adoption_kit.publish import ORGANISATION, publish
    from adoption_kit.report import groups

    settings, workspace = _settings_and_workspace(folder)
    run = publish(
        workspace,
        published_root=settings.paths.published,
        min_group_size=settings.min_group_size,
        dominance=settings.dominance,
        rules=settings.metrics,
        groupings=settings.groupings,
    )
    run = run.grouped_by(arguments.batch_by)
    shown = groups(run, min_group_size=settings.min_group_size)
    big_enough = sorted(shown.loc[(shown["status"] == "ok") & (shown["group"] != ORGANISATION), "group"])
    chosen = [ORGANISATION, *big_enough[: arguments.batch_groups]]
    start = time.perf_counter()
    results = run_reports(
        run,
        notebooks=settings.batch.notebooks,
        reports_root=settings.paths.reports,
        notebooks_dir=folder / "notebooks",
        jobs=arguments.jobs,
        timeout_seconds=settings.batch.timeout_seconds,
        min_group_size=settings.min_group_size,
        by=arguments.batch_by,
        groups=chosen,
    )
    seconds = time.perf_counter() - start
    runs = sum(result.status != "skipped" for result in results)
    kernel = _bare_kernel_seconds(folder / "notebooks")
    return {
        "rows": runs,
        "groups": len(chosen),
        "failed": sum(result.status == "failed" for result in results),
        "batch_seconds": seconds,
        "kernel_seconds": kernel,
        "floor_seconds": runs * kernel / arguments.jobs,
    }


def _bare_kernel_seconds(notebooks: Path, repeats: int = 3) -> float:
    """Mean seconds to start a kernel, run the report notebooks' import lines and shut it down."""
    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    imports = sorted(
        {
            line
            for path in notebooks.glob("*.ipynb")
            for cell in nbformat.read(path, as_version=4).cells
            if cell.cell_type == "code"
            for line in cell.source.splitlines()
            if line.startswith(("import ", "from "))
        }
    )
    bare = new_notebook(cells=[new_code_cell("\n".join(imports))])
    start = time.perf_counter()
    for _ in range(repeats):
        NotebookClient(bare, kernel_name="python3", timeout=120).execute()
    return (time.perf_counter() - start) / repeats


def _table(measures: list[Measure], arguments: argparse.Namespace) -> str:
    """The stages with their rates and the targets, as a text table."""
    by_stage = {m.stage: m for m in measures}
    lines = [
        f"Organisation: {arguments.people:,} people, {arguments.months} months; {arguments.jobs} jobs",
        "",
        f"{'stage':<10}{'seconds':>10}{'rows':>14}{'rows/s':>12}{'peak GiB':>10}  notes",
    ]
    for m in measures:
        rows = m.facts.get("rows", by_stage["floor"].facts["rows"] if "floor" in by_stage else 0)
        rate = rows / m.seconds if rows and m.stage != "batch" else float("nan")
        lines.append(
            f"{m.stage:<10}{m.seconds:>10.1f}{rows:>14,}{rate:>12,.0f}{m.peak_bytes / GIB:>10.2f}  "
            + _notes(m, by_stage)
        )
    return "\n".join(lines)


def _notes(m: Measure, by_stage: dict[str, Measure]) -> str:
    if m.stage == "floor":
        return f"{m.facts['files']} files, {m.facts['bytes'] / GIB:.2f} GiB"
    if m.stage == "ingest" and "floor" in by_stage:
        share = by_stage["floor"].seconds / m.seconds
        return f"{share:.0%} of the floor's rate (target >= 50%); peak target <= 6 GiB"
    if m.stage == "metrics":
        return f"{m.facts['tables']} tables in {m.facts['compute_seconds']:.1f} s (target <= 60 s)"
    if m.stage == "naive":
        return f"headline metrics, every grouping: {m.facts['compute_seconds']:.1f} s of compute"
    if m.stage == "headline" and "naive" in by_stage:
        speedup = by_stage["naive"].facts["compute_seconds"] / m.facts["compute_seconds"]
        return f"the same in {m.facts['compute_seconds']:.1f} s: {speedup:.1f}x naive's speed (target >= 5x)"
    if m.stage == "gate":
        return f"{m.facts['hidden']:,} of {m.facts['rows']:,} rows hidden"
    if m.stage == "batch":
        ratio = m.facts["batch_seconds"] / m.facts["floor_seconds"]
        return (
            f"{m.facts['rows']} runs for {m.facts['groups']} groups in {m.facts['batch_seconds']:.1f} s "
            f"({m.facts['failed']} failed); kernel-start floor {m.facts['floor_seconds']:.1f} s "
            f"({m.facts['kernel_seconds']:.2f} s a kernel): {ratio:.2f}x (target <= 1.3x)"
        )
    return ""


if __name__ == "__main__":
    main()
