"""Run the report notebooks with papermill: one run per group and notebook, in worker processes.

``run_reports`` checks every notebook's parameters before anything runs, skips groups too small to report
on, executes the rest in a process pool (papermill is safe across processes, not across threads with a
working directory) with a progress bar and a time limit per run, writes each executed notebook with an HTML
copy without code, and swaps the period's folder in whole, with an ``index.html`` linking every report.
"""

from __future__ import annotations

import html
import math
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from multiprocessing import get_context, util
from pathlib import Path
from urllib.parse import quote

import nbformat
import pandas as pd
import papermill
from nbclient.exceptions import CellTimeoutError
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from papermill.exceptions import PapermillExecutionError
from tqdm import tqdm

from adoption_kit import report
from adoption_kit.atomic import replace_directory
from adoption_kit.errors import ConfigError, KitError, WorkspaceError
from adoption_kit.kernels import KERNEL, WarmKernel
from adoption_kit.publish import ORGANISATION, PERIOD_PATTERN, PublishedRun

PARAMETERS = ("group", "by", "period", "published", "min_group_size")
ORGANISATION_SLUG = "organisation"
KERNEL_START_SECONDS = 120
HIDDEN_CELL_TAGS = ("parameters", "injected-parameters")
KERNEL_LOG = "kernels.log"


@dataclass(frozen=True)
class ReportResult:
    """How one (group, notebook) run went: "ok", "skipped" (with the reason) or "failed".

    A failed run keeps the error ("ValueError: ...") as its reason and, when known, the 0-based index of the
    failing cell in the source notebook (the one its author edits) as ``cell``; its executed notebook stays
    for debugging, and it gets no HTML copy.
    """

    group: str
    notebook: str
    status: str
    reason: str = ""
    cell: int | None = None
    seconds: float = 0.0
    ipynb: Path | None = None
    html: Path | None = None

    @property
    def detail(self) -> str:
        """One line for people: the time taken, why it was skipped, or where and how it failed."""
        if self.status == "ok":
            return f"{self.seconds:.1f} s"
        if self.status == "failed" and self.cell is not None:
            return f"cell {self.cell}: {self.reason}"
        return self.reason


@dataclass(frozen=True)
class _Job:
    group: str
    notebook: str
    source: Path
    parameters_cell: int
    ipynb: Path
    html: Path
    parameters: dict
    timeout_seconds: int
    by: str


def run_reports(
    run: PublishedRun,
    *,
    notebooks: Sequence[str],
    reports_root: Path,
    notebooks_dir: Path,
    jobs: int,
    timeout_seconds: int,
    min_group_size: int,
    by: str = "department",
    groups: Sequence[str] | None = None,
    progress: bool = False,
) -> list[ReportResult]:
    """Run every notebook for every group (the organisation included) and write ``reports_root/<period>/``.

    ``notebooks`` are names in ``notebooks_dir`` ("adoption_overview" or "adoption_overview.ipynb");
    ``by`` is the grouping reported on (a department, a location, a job function: any grouping the run
    publishes); ``groups`` limits the run to some groups (default: the organisation and every group of
    ``by``). ``timeout_seconds`` bounds each notebook run, kernel start included; ``progress`` draws a
    progress bar on stderr. Re-running a period replaces that period's folder whole.
    """
    if jobs < 1 or timeout_seconds < 1:
        raise ConfigError(
            f"jobs={jobs}, timeout_seconds={timeout_seconds}", expected="both at least 1 (workers, seconds)"
        )
    sources = {name.removesuffix(".ipynb"): _checked_notebook(notebooks_dir, name) for name in notebooks}
    run = run.grouped_by(by)
    minimum = report.threshold(run, min_group_size)
    frame = _planned_groups(run, groups, minimum)
    plan = [
        (group, slug, status, notebook)
        for group, slug, status in zip(frame["group"], frame["slug"], frame["status"], strict=True)
        for notebook in sources
    ]
    skipped = f"group too small: fewer than {minimum} people"
    with replace_directory(reports_root / _checked_period(run.period)) as staging:
        work = [
            _job(
                run,
                group,
                sources[notebook],
                staging / slug,
                minimum=minimum,
                timeout_seconds=timeout_seconds,
            )
            for group, slug, status, notebook in plan
            if status == "ok"
        ]
        executed = iter(_execute_all(work, jobs=jobs, log=staging / KERNEL_LOG, progress=progress))
        results = [
            next(executed) if status == "ok" else ReportResult(group, notebook, "skipped", skipped)
            for group, _, status, notebook in plan
        ]
        (staging / "index.html").write_text(_index_html(run.period, results, staging), encoding="utf-8")
        final = (reports_root / run.period).resolve()
        return [_moved(result, staging, final) for result in results]


def summary_table(results: Sequence[ReportResult]) -> str:
    """A plain-text table of the runs (group, notebook, status, detail), a count per status, and the
    failed runs again at the end, each with its cell, error and executed notebook."""
    rows = [
        ("group", "notebook", "status", "detail"),
        *((r.group, r.notebook, r.status, r.detail) for r in results),
    ]
    width = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{g:<{width[0]}}  {n:<{width[1]}}  {s:<{width[2]}}  {d}".rstrip() for g, n, s, d in rows]
    counts = ", ".join(f"{sum(r.status == s for r in results)} {s}" for s in ("ok", "skipped", "failed"))
    failed = [r for r in results if r.status == "failed"]
    failures = [
        f"  {r.group} / {r.notebook}: {r.detail}" + (f" (see {r.ipynb})" if r.ipynb else "") for r in failed
    ]
    return "\n".join([*lines, "", counts, *(["", "Failed runs:", *failures] if failed else [])])


def group_slug(group: str) -> str:
    """The folder name of a group's reports: "organisation" for ALL, else the name in lower case with every
    character other than a letter or digit turned into "-" (so never a path)."""
    if group == ORGANISATION:
        return ORGANISATION_SLUG
    return "".join(c if c.isalnum() else "-" for c in group.lower()) or "group"


def _checked_notebook(notebooks_dir: Path, name: str) -> Path:
    """The notebook's absolute path, after checking it declares every parameter the batch passes."""
    path = (notebooks_dir / (name if name.endswith(".ipynb") else f"{name}.ipynb")).resolve()
    if not path.is_file():
        raise ConfigError(
            f"no notebook named {name!r}", path=path, expected="a notebook in the notebooks folder"
        )
    try:
        declared = papermill.inspect_notebook(str(path))
    except Exception as error:
        raise ConfigError(f"cannot read the notebook's parameters: {error}", path=path) from error
    missing = [parameter for parameter in PARAMETERS if parameter not in declared]
    if missing:
        raise ConfigError(
            f"the notebook's parameters cell does not define {', '.join(missing)}",
            path=path,
            expected=f"a cell tagged 'parameters' defining {', '.join(PARAMETERS)}",
        )
    return path


def _parameters_cell(path: Path) -> int:
    cells = nbformat.read(path, as_version=4).cells
    return next(i for i, cell in enumerate(cells) if "parameters" in cell.metadata.get("tags", []))


def _checked_period(period: str) -> str:
    if not PERIOD_PATTERN.match(period):
        raise WorkspaceError(f"the published run's period {period!r} is not a month", expected="YYYY-MM")
    return period


def _planned_groups(run: PublishedRun, groups: Sequence[str] | None, minimum: int) -> pd.DataFrame:
    """The groups to report on, the organisation first, with their folder names and status."""
    frame = report.groups(run, min_group_size=minimum)
    if groups is not None:
        unknown = sorted(set(groups) - set(frame["group"]))
        if unknown:
            raise KitError(
                f"the run for {run.period} has no group(s) {', '.join(unknown)}",
                path=run.path,
                expected=f"some of {', '.join(sorted(frame['group']))}",
            )
        frame = frame.loc[frame["group"].isin(groups)]
    frame = frame.assign(slug=frame["group"].map(group_slug), later=frame["group"] != ORGANISATION)
    clashes = frame.loc[frame["slug"].duplicated(keep=False), "group"]
    if not clashes.empty:
        raise KitError(
            f"groups {', '.join(sorted(clashes))} would share a report folder",
            path=run.path,
            expected="group names that differ in more than punctuation or case",
        )
    return frame.sort_values(["later", "group"])


def _job(
    run: PublishedRun, group: str, source: Path, folder: Path, *, minimum: int, timeout_seconds: int
) -> _Job:
    return _Job(
        group=group,
        notebook=source.stem,
        source=source,
        parameters_cell=_parameters_cell(source),
        ipynb=folder / f"{source.stem}.ipynb",
        html=folder / f"{source.stem}.html",
        parameters={
            "group": group,
            "by": run.by,
            "period": run.period,
            "published": str(run.path.parent.resolve()),
            "min_group_size": minimum,
        },
        timeout_seconds=timeout_seconds,
        by=run.by,
    )


def _execute_all(work: list[_Job], *, jobs: int, log: Path, progress: bool) -> list[ReportResult]:
    """Every job's result, in the order of ``work``; the bar moves as runs finish, in any order."""
    if not work:
        return []
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(work)),
        mp_context=get_context("spawn"),
        initializer=_start_worker,
        initargs=(log,),
    ) as pool:
        futures = {pool.submit(_execute, job): index for index, job in enumerate(work)}
        results: list[ReportResult | None] = [None] * len(work)
        bar = tqdm(total=len(work), desc="reports", unit="run", disable=not progress, file=sys.stderr)
        with bar:
            for future in as_completed(futures):
                result = future.result()
                results[futures[future]] = result
                bar.set_postfix_str(f"{result.group}: {result.notebook} {result.status}", refresh=False)
                bar.update()
        return results


_WORKER_KERNEL = WarmKernel()  # in a worker process: its kernel, kept from one run to the next


def _start_worker(log: Path) -> None:
    """Send the worker's stderr to the run's log (kernels inherit it: their start-up warnings go there,
    not to the terminal) and shut its kernel down when the worker ends."""
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(descriptor, sys.stderr.fileno())
    os.close(descriptor)
    util.Finalize(None, _WORKER_KERNEL.discard, exitpriority=10)


def _execute(job: _Job) -> ReportResult:
    """One papermill run in a worker process; a failing cell becomes a "failed" result, not an exception."""
    start = time.perf_counter()
    job.ipynb.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            str(job.source),
            str(job.ipynb),
            parameters=job.parameters,
            kernel_name=KERNEL,
            km=_WORKER_KERNEL.ready(),
            report_mode=True,
            progress_bar=False,
            start_timeout=min(KERNEL_START_SECONDS, job.timeout_seconds),
            timeout_func=_RunDeadline(start + job.timeout_seconds),
        )
    except PapermillExecutionError as error:  # a cell raised: the kernel is fine for the next run
        return _failed(job, start, f"{error.ename}: {error.evalue}", _source_cell(job, error.cell_index))
    except CellTimeoutError:
        _WORKER_KERNEL.discard()  # still busy with the cell that ran out of time
        reason = f"TimeoutError: the run took longer than {job.timeout_seconds} s"
        return _failed(job, start, reason, _source_cell(job, _last_started_cell(job.ipynb)))
    except Exception as error:  # the kernel died or never started: still one result among many
        _WORKER_KERNEL.discard()
        return _failed(job, start, f"{type(error).__name__}: {error}", None)
    _write_html(job)
    return ReportResult(
        job.group, job.notebook, "ok", seconds=time.perf_counter() - start, ipynb=job.ipynb, html=job.html
    )


class _RunDeadline:
    """nbclient's ``timeout_func``: each cell may take what is left of the run's time (at least 1 s, since
    nbclient reads 0 as no limit)."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def __call__(self, cell: nbformat.NotebookNode) -> int:
        return max(1, math.ceil(self.deadline - time.perf_counter()))


def _failed(job: _Job, start: float, reason: str, cell: int | None) -> ReportResult:
    ipynb = job.ipynb if job.ipynb.exists() else None
    return ReportResult(job.group, job.notebook, "failed", reason, cell, time.perf_counter() - start, ipynb)


def _source_cell(job: _Job, executed_index: int | None) -> int | None:
    """The index in the source notebook of a cell of the executed one (papermill adds a cell after the
    parameters cell)."""
    if executed_index is None:
        return None
    return executed_index - 1 if executed_index > job.parameters_cell + 1 else executed_index


def _last_started_cell(ipynb: Path) -> int | None:
    try:
        cells = nbformat.read(ipynb, as_version=4).cells
    except (OSError, ValueError):
        return None
    started = [i for i, cell in enumerate(cells) if cell.metadata.get("papermill", {}).get("start_time")]
    return started[-1] if started else None


def _write_html(job: _Job) -> None:
    """An HTML copy for readers: outputs and text only, no code, no prompts, no parameters cells."""
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=HIDDEN_CELL_TAGS), enabled=True)
    title = f"{Path(job.notebook).stem}: {job.group}, {job.parameters['period']}"
    body, _ = exporter.from_notebook_node(
        nbformat.read(job.ipynb, as_version=4), resources={"metadata": {"name": title}}
    )
    job.html.write_text(body, encoding="utf-8")


def _moved(result: ReportResult, staging: Path, final: Path) -> ReportResult:
    """The same result with its paths in the period's final folder instead of the staging one."""
    ipynb, html_copy = (
        None if p is None else final / p.relative_to(staging) for p in (result.ipynb, result.html)
    )
    return replace(result, ipynb=ipynb, html=html_copy)


def _index_html(period: str, results: Sequence[ReportResult], staging: Path) -> str:
    """A page linking every report of the period, with its status."""
    rows = "\n".join(_index_row(result, staging) for result in results)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>AI adoption reports, {html.escape(period)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; }}
th, td {{ text-align: left; padding: 0.3rem 1rem 0.3rem 0; border-bottom: 1px solid #ddd; }}
.ok {{ color: #05734f; }} .skipped {{ color: #666; }} .failed {{ color: #b00020; font-weight: bold; }}
</style>
</head>
<body>
<h1>AI adoption reports, {html.escape(period)}</h1>
<table>
<thead><tr><th>Group</th><th>Report</th><th>Status</th><th>Detail</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""


def _index_row(result: ReportResult, staging: Path) -> str:
    group = "Whole organisation" if result.group == ORGANISATION else result.group
    report_cell = html.escape(result.notebook)
    if result.html is not None:
        link = quote(result.html.relative_to(staging).as_posix())
        report_cell = f'<a href="{html.escape(link)}">{report_cell}</a>'
    status = html.escape(result.status)
    return (
        f"<tr><td>{html.escape(group)}</td><td>{report_cell}</td>"
        f'<td class="{status}">{status}</td><td>{html.escape(result.detail)}</td></tr>'
    )
