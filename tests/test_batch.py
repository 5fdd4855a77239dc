"""The batch: real papermill runs on the published fixture, failures kept per run, folders swapped whole."""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from adoption_kit.batch import ReportResult, group_slug, run_reports, summary_table
from adoption_kit.errors import KitError
from adoption_kit.kernels import UnixSocketKernelManager
from adoption_kit.publish import PublishedRun
from tests.published_fixture import SMALL_DEPARTMENT, write_published_fixture

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PARAMETERS = 'group = "ALL"\nby = "department"\nperiod = ""\npublished = ""\nmin_group_size = 5'
KERNEL = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> PublishedRun:
    return PublishedRun.open(write_published_fixture(tmp_path_factory.mktemp("published")))


def _notebook(folder: Path, name: str, *sources: str, parameters: str = PARAMETERS) -> Path:
    """A tiny notebook: a parameters cell, then one code cell per source."""
    cell = new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    path = folder / f"{name}.ipynb"
    nbformat.write(new_notebook(cells=[cell, *map(new_code_cell, sources)], metadata=KERNEL), path)
    return path


def _run(
    run, tmp_path: Path, notebook: str, groups: list[str], *, notebooks_dir: Path | None = None, **options
):
    settings = {"jobs": 2, "timeout_seconds": 60, "min_group_size": 5, **options}
    return run_reports(
        run,
        notebooks=[notebook],
        reports_root=tmp_path / "reports",
        notebooks_dir=notebooks_dir or tmp_path,
        groups=groups,
        **settings,
    )


@pytest.mark.slow
def test_when_the_overview_runs_then_big_groups_get_reports_without_code_and_small_ones_are_skipped(
    run, tmp_path
):
    results = _run(
        run, tmp_path, "adoption_overview", ["ALL", "Engineering", SMALL_DEPARTMENT], notebooks_dir=NOTEBOOKS
    )
    assert [(r.group, r.status) for r in results] == [
        ("ALL", "ok"),
        ("Engineering", "ok"),
        (SMALL_DEPARTMENT, "skipped"),
    ]
    assert results[2].reason == "group too small: fewer than 5 people"
    period = tmp_path / "reports" / "2026-10"
    assert results[0].ipynb == period / "organisation" / "adoption_overview.ipynb"
    assert results[1].html == period / "engineering" / "adoption_overview.html"
    for result in results[:2]:
        page = result.html.read_text(encoding="utf-8")
        assert result.ipynb.is_file()
        assert "open_run(" not in page and "import " not in page
        assert "data:image/png;base64" in page
        assert "By the end of October 2026" in page
    assert not (period / "executive-office").exists()
    index = (period / "index.html").read_text(encoding="utf-8")
    assert 'href="engineering/adoption_overview.html"' in index and "group too small" in index


@pytest.mark.slow
def test_when_a_group_is_too_small_then_the_notebook_says_so_and_shows_no_chart(run, tmp_path):
    executed = papermill.execute_notebook(
        str(NOTEBOOKS / "adoption_overview.ipynb"),
        None,
        parameters={"group": SMALL_DEPARTMENT, "published": str(run.path.parent), "period": run.period},
        kernel_name="python3",
        progress_bar=False,
        execution_timeout=60,
    )
    outputs = [output for cell in executed.cells for output in cell.get("outputs", [])]
    assert not any("image/png" in output.get("data", {}) for output in outputs)
    assert any("shows no numbers" in output.get("data", {}).get("text/markdown", "") for output in outputs)


@pytest.mark.slow
def test_when_a_cell_fails_then_the_run_is_failed_with_that_cell_and_the_others_go_on(run, tmp_path):
    _notebook(
        tmp_path,
        "broken",
        "x = 1",
        'if group != "ALL":\n    raise ValueError(f"no data for {group}")',
    )
    results = _run(run, tmp_path, "broken", ["ALL", "Sales"])
    assert [r.status for r in results] == ["ok", "failed"]
    failed = results[1]
    assert (failed.cell, failed.reason) == (2, "ValueError: no data for Sales")
    assert failed.ipynb.is_file() and failed.html is None
    assert "cell 2: ValueError: no data for Sales" in summary_table(results)


@pytest.mark.slow
def test_when_a_cell_runs_too_long_then_the_run_is_failed_with_a_timeout(run, tmp_path):
    _notebook(tmp_path, "slow", "x = 1", "import time\ntime.sleep(30)")
    [result] = _run(run, tmp_path, "slow", ["ALL"], timeout_seconds=1)
    assert (result.status, result.cell) == ("failed", 2)
    assert result.reason == "TimeoutError: the run took longer than 1 s"


@pytest.mark.slow
def test_when_cells_each_within_the_limit_add_up_past_it_then_the_run_is_failed_in_the_cell_that_crossed_it(
    run, tmp_path
):
    _notebook(tmp_path, "long", *["import time\ntime.sleep(2)"] * 5)  # 10 s in all, 2 s a cell
    [result] = _run(run, tmp_path, "long", ["ALL"], timeout_seconds=5)
    assert result.status == "failed" and result.reason == "TimeoutError: the run took longer than 5 s"
    assert result.cell in (2, 3)  # the kernel's start counts too: the third or second sleep crosses 5 s
    assert result.seconds < 9


@pytest.mark.slow
def test_when_the_batch_runs_by_another_grouping_then_each_of_its_groups_gets_a_report(run, tmp_path, capsys):
    _notebook(tmp_path, "tiny", "print(f'{by}: {group}')")
    teams = ["Sales / Field", "Engineering / Data"]
    results = _run(run, tmp_path, "tiny", ["ALL", *teams], by="team", progress=True)
    assert [(r.group, r.status) for r in results] == [("ALL", "ok"), (teams[1], "ok"), (teams[0], "ok")]
    printed = nbformat.read(results[2].ipynb, as_version=4).cells[-1].outputs[0]["text"]
    assert printed == "team: Sales / Field\n"
    assert results[2].html.parent.name == "sales---field"
    assert "reports: 100%" in capsys.readouterr().err  # the progress bar


def _printed(result: ReportResult) -> str:
    cells = nbformat.read(result.ipynb, as_version=4).cells
    return "".join(output.get("text", "") for cell in cells for output in cell.outputs)


@pytest.mark.slow
def test_when_a_worker_runs_again_then_its_kernel_is_reused_with_nothing_left_of_the_last_run(run, tmp_path):
    _notebook(tmp_path, "leaky", "import os\nprint(os.getpid(), 'leftover' in globals())\nleftover = group")
    first, second, third = _run(run, tmp_path, "leaky", ["ALL", "Sales", "Engineering"], jobs=1)
    pids = {_printed(result).split()[0] for result in (first, second, third)}
    assert len(pids) == 1  # one kernel for the worker's three runs
    assert [_printed(result).split()[1] for result in (first, second, third)] == ["False"] * 3


@pytest.mark.slow
def test_when_a_run_times_out_then_the_workers_next_run_gets_a_fresh_kernel(run, tmp_path):
    sleep_for_all = "if group == 'ALL':\n    time.sleep(60)"
    _notebook(tmp_path, "stuck", "import os, time\nprint(os.getpid())", sleep_for_all)
    stuck, after = _run(run, tmp_path, "stuck", ["ALL", "Sales"], jobs=1, timeout_seconds=8)
    assert (stuck.status, after.status) == ("failed", "ok")
    assert _printed(after).strip() != _printed(stuck).strip()  # another kernel process


@pytest.mark.slow
def test_when_a_period_is_run_again_then_its_folder_is_replaced_whole(run, tmp_path):
    _notebook(tmp_path, "tiny", "x = 1")
    _run(run, tmp_path, "tiny", ["ALL", "Sales"])
    period = tmp_path / "reports" / "2026-10"
    assert (period / "sales" / "tiny.html").is_file()
    _run(run, tmp_path, "tiny", ["ALL"])
    assert sorted(p.name for p in period.iterdir()) == ["index.html", "kernels.log", "organisation"]
    assert [p.name for p in (tmp_path / "reports").iterdir()] == ["2026-10"]  # no staging folder left


def test_when_a_notebook_lacks_a_parameter_then_kit_error_before_anything_runs(run, tmp_path):
    _notebook(tmp_path, "old", "x = 1", parameters='department = "ALL"\nperiod = ""\npublished = ""')
    with pytest.raises(KitError, match="group, by, min_group_size"):
        _run(run, tmp_path, "old", ["ALL"])
    assert not (tmp_path / "reports").exists()


# fmt: off
@pytest.mark.parametrize(("notebook", "groups", "message"), [
    ("missing", ["ALL"], "no notebook named 'missing'"),  # a notebook name that does not exist
    ("tiny", ["Marketing"], "no group"),                   # a group the run does not have
    ("tiny", ["ALL"], "no grouping 'floor'"),              # a grouping the run does not publish
])
# fmt: on
def test_when_the_request_names_something_unknown_then_kit_error(run, tmp_path, notebook, groups, message):
    _notebook(tmp_path, "tiny", "x = 1")
    by = "floor" if "grouping" in message else "department"
    with pytest.raises(KitError, match=message):
        _run(run, tmp_path, notebook, groups, by=by)


# fmt: off
@pytest.mark.parametrize(("group", "slug"), [
    ("ALL", "organisation"),                 # the organisation
    ("Finance & Legal", "finance---legal"),  # every other character becomes a dash
    ("R&D / Lab_2", "r-d---lab-2"),          # underscores and slashes too
    ("Développement", "développement"),      # letters outside ASCII are kept
    ("../../etc", "------etc"),              # never a path
])
# fmt: on
def test_group_slug(group, slug):
    assert group_slug(group) == slug


def test_when_results_are_summarised_then_each_run_has_a_line_and_the_counts_follow():
    results = [
        ReportResult("ALL", "overview", "ok", seconds=3.21),
        ReportResult("Tiny", "overview", "skipped", "group too small: fewer than 5 people"),
        ReportResult("Sales", "overview", "failed", "KeyError: 'x'", cell=4),
    ]
    lines = summary_table(results).splitlines()
    assert lines[0].split() == ["group", "notebook", "status", "detail"]
    assert lines[1].split() == ["ALL", "overview", "ok", "3.2", "s"]
    assert lines[3].endswith("cell 4: KeyError: 'x'")
    assert lines[-4:-1] == ["1 ok, 1 skipped, 1 failed", "", "Failed runs:"]
    assert lines[-1] == "  Sales / overview: cell 4: KeyError: 'x'"
    assert "Failed runs" not in summary_table(results[:2])


def test_when_two_workers_start_kernels_then_each_gets_its_own_unix_sockets_not_a_shared_port_range():
    first, second = (UnixSocketKernelManager(kernel_name="python3") for _ in range(2))
    assert first.transport == second.transport == "ipc"  # no race for a free TCP port between workers
    assert first.ip != second.ip and Path(first.ip).parent == Path(tempfile.gettempdir())
