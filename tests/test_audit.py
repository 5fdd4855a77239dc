"""The audit finds what must not reach viewers, names the file and the place; the demo's outputs are clean."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from adoption_kit import cli
from adoption_kit.privacy.audit import Identifiers, audit
from conftest import shared_demo

ROSTER = pd.DataFrame(
    {
        "employee_id": ["E001001", "E001002"],
        "identity": ["sofia.davies@acme-demo.com", "lucia.green@acme-demo.com"],
        "full_name": ["Sofia Davies", "Lucia Green"],
        "github_login": ["sdavies-acme", None],
        "aliases": [None, "l.green@acme-demo.com"],
    }
)
PSEUDONYM = "p1a2b_0123456789abcdef01234567"


# Finding identifiers in text: no demo needed ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("mail sofia.davies@acme-demo.com today", "email"),  # as written in the roster
        ("Sofia.Davies@ACME-demo.com", "email"),  # emails are case-insensitive
        ("sofia.davies+ai@acme-demo.com", "email"),  # plus-addressing is the same mailbox
        ("l.green@acme-demo.com", "email"),  # an alias from the roster
        ("top user: Sofia Davies", "full name"),  # a name as written
        ("top user: sofia davies", "full name"),  # a name in lower case
        ("<td>Sofia</td>\n<td>Davies</td>", "full name"),  # a name split by markup (after tags are dropped)
        ("ticket by E001002", "employee id"),  # a raw employee id
        ("PR by SDavies-Acme", "GitHub login"),  # logins are case-insensitive
        (f"row {PSEUDONYM} ", "pseudonym"),  # a person-level id must never reach a report
    ],
)
def test_when_text_holds_an_identifier_then_it_is_found_and_masked(text, label):
    from adoption_kit.privacy.audit import _visible

    found = Identifiers.from_roster(ROSTER).find(_visible(text, "text/html"))
    assert [m.label for m in found] == [label]
    assert "davies" not in found[0].masked.lower() and "0123456789" not in found[0].masked


@pytest.mark.parametrize(
    "text",
    [
        "Q3 revenue, PR 4512, Copilot and ChatGPT Enterprise",  # decoys that look like ids
        "Sofia from Sales met Ms Davies",  # first and last name apart are not the person's name
        "sofia.davies@example.com",  # the same local part at another domain
        "E0010011 and XE001001",  # an employee id inside a longer token
        "p1a2b_0123",  # too short to be a pseudonym
    ],
)
def test_when_text_holds_only_decoys_then_nothing_is_found(text):
    assert Identifiers.from_roster(ROSTER).find(text) == []


# The demo's real outputs, and leaks planted in copies of them ------------------------------------------


@pytest.fixture(scope="module")
def project():
    return shared_demo(run_reports=True)


@pytest.fixture(scope="module")
def run_folder(project) -> Path:
    (folder,) = [p for p in project.published.iterdir() if not p.name.startswith(".") and p.name != "ledger"]
    return folder


@pytest.fixture(scope="module")
def identifiers(project) -> Identifiers:
    from adoption_kit.privacy.audit import read_identifiers

    return read_identifiers(project.raw / "hr" / "roster.csv")


def _audit(identifiers, *, published=None, reports=None, dashboards=()):
    return audit(
        published_run=published,
        reports=reports,
        dashboards=list(dashboards),
        roster=None,
        min_group_size=5,
        identifiers=identifiers,
    )


@pytest.mark.slow
def test_when_the_demo_outputs_are_audited_then_nothing_is_found(project, run_folder, identifiers):
    findings = _audit(
        identifiers,
        published=run_folder,
        reports=project.reports / run_folder.name,
        dashboards=[project.root / "notebooks" / "dashboard.ipynb"],
    )
    assert findings == []


def _copy(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(source, folder / source.name))


@pytest.mark.slow
def test_when_an_email_is_written_into_a_notebook_output_then_the_notebook_and_cell_are_named(
    project, run_folder, identifiers, tmp_path
):
    email = identifiers_example(project)["email"]
    source = project.reports / run_folder.name / "sales" / "adoption_overview.ipynb"
    planted = _copy(source, tmp_path / "reports" / "sales")
    notebook = json.loads(planted.read_text(encoding="utf-8"))
    index = next(i for i, cell in enumerate(notebook["cells"]) if cell.get("outputs"))
    notebook["cells"][index]["outputs"].append(
        {"output_type": "display_data", "metadata": {}, "data": {"text/html": f"<p>Ask {email}</p>"}}
    )
    planted.write_text(json.dumps(notebook), encoding="utf-8")

    (finding,) = _audit(identifiers, reports=tmp_path / "reports")
    assert finding.kind == "identifier" and finding.path == planted
    assert finding.where.startswith(f"cell {index} output") and "text/html" in finding.where
    assert email not in str(finding) and email.split("@")[0] not in str(finding)


@pytest.mark.slow
def test_when_a_name_is_written_into_an_html_report_then_the_file_and_line_are_named(
    project, run_folder, identifiers, tmp_path
):
    name = identifiers_example(project)["full_name"]
    source = project.reports / run_folder.name / "organisation" / "adoption_overview.html"
    planted = _copy(source, tmp_path / "reports" / "organisation")
    first, last = name.split(" ", 1)
    text = planted.read_text(encoding="utf-8")
    planted.write_text(text.replace("</body>", f"<p>Heaviest user: <b>{first}</b> {last}</p>\n</body>"))

    (finding,) = _audit(identifiers, reports=tmp_path / "reports")
    assert finding.kind == "identifier" and finding.path == planted
    assert finding.where.startswith("line ") and "full name" in finding.detail
    assert name not in str(finding) and last not in str(finding)


@pytest.mark.slow
def test_when_a_published_row_under_the_minimum_is_shown_then_it_is_a_small_cell(run_folder, tmp_path):
    planted = _copy(run_folder / "weekly_active.parquet", tmp_path / "published")
    frame = pd.read_parquet(planted)
    row = frame.index[frame["suppressed"]][0]
    frame.loc[row, ["wau", "people", "suppressed"]] = [2, 2, False]
    frame.to_parquet(planted, index=False)

    (finding,) = _audit(Identifiers.from_roster(ROSTER), published=tmp_path / "published")
    assert (finding.kind, finding.path) == ("small_cell", planted)
    assert finding.where.startswith(f"row {row} (") and "rests on 2 people" in finding.detail


@pytest.mark.slow
def test_when_a_suppressed_row_still_shows_its_count_then_it_is_found(run_folder, tmp_path):
    planted = _copy(run_folder / "weekly_active.parquet", tmp_path / "published")
    frame = pd.read_parquet(planted)
    row = frame.index[frame["suppressed"]][0]
    frame.loc[row, "wau"] = 1
    frame.to_parquet(planted, index=False)

    (finding,) = _audit(Identifiers.from_roster(ROSTER), published=tmp_path / "published")
    assert (finding.kind, finding.path) == ("unsuppressed_small_count", planted)
    assert finding.where.startswith(f"row {row} (") and "wau" in finding.detail


@pytest.mark.slow
def test_when_a_published_table_has_a_person_id_column_then_it_is_a_person_level_table(run_folder, tmp_path):
    planted = _copy(run_folder / "headcount.parquet", tmp_path / "published")
    frame = pd.read_parquet(planted)
    frame.insert(0, "person_id", PSEUDONYM)
    frame.to_parquet(planted, index=False)

    findings = _audit(Identifiers.from_roster(ROSTER), published=tmp_path / "published")
    person_level = {(f.path, f.where) for f in findings if f.kind == "person_level_table"}
    assert person_level == {(planted, "column 'person_id'")}  # by its name and by its pseudonyms
    assert all(PSEUDONYM not in str(f) for f in findings)


@pytest.mark.slow
def test_when_a_table_shows_more_groups_than_the_organisation_can_hold_then_it_is_person_level(
    run_folder, tmp_path
):
    headcount = _copy(run_folder / "headcount.parquet", tmp_path / "published")
    people = int(pd.read_parquet(headcount).set_index("group").at["ALL", "people"])
    rows = pd.DataFrame({"group_by": "team", "group": [f"t{i}" for i in range(people)], "people": 5})
    rows.assign(suppressed=False).to_parquet(tmp_path / "published" / "per_person.parquet", index=False)

    (finding,) = _audit(Identifiers.from_roster(ROSTER), published=tmp_path / "published")
    assert finding.kind == "person_level_table" and finding.path.name == "per_person.parquet"


@pytest.mark.slow
def test_when_the_dashboard_notebook_is_stored_with_outputs_then_it_is_found(project, tmp_path):
    planted = _copy(project.root / "notebooks" / "dashboard.ipynb", tmp_path)
    notebook = json.loads(planted.read_text(encoding="utf-8"))
    notebook["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "wau 3\n"}]
    planted.write_text(json.dumps(notebook), encoding="utf-8")

    (finding,) = _audit(Identifiers.from_roster(ROSTER), dashboards=[planted])
    assert (finding.kind, finding.path, finding.where) == ("stored_output", planted, "cell 0")


def identifiers_example(project) -> dict[str, str]:
    """One real roster row of the demo (the leak planted is a real person's identifier)."""
    roster = pd.read_csv(project.raw / "hr" / "roster.csv", dtype="str")
    return roster.iloc[len(roster) // 2].to_dict()


# The command line ------------------------------------------------------------------------------------


def _leaky_parameters(project, run_folder: Path, tmp_path: Path) -> Path:
    """Parameters pointing at a copy of the published run with one small cell shown."""
    published = tmp_path / "published" / run_folder.name
    shutil.copytree(run_folder, published)
    shutil.copytree(run_folder.parent / "ledger", published.parent / "ledger")
    frame = pd.read_parquet(published / "headcount.parquet")
    row = frame.index[frame["suppressed"]][0]
    frame.loc[row, ["people", "suppressed"]] = [1, False]
    frame.to_parquet(published / "headcount.parquet", index=False)
    parameters = tmp_path / "leaky.yaml"
    paths = {"published": str(tmp_path / "published"), "reports": str(tmp_path / "reports")}
    parameters.write_text(yaml.safe_dump({"paths": paths}), encoding="utf-8")
    return parameters


@pytest.mark.slow
def test_when_the_demo_is_clean_then_the_audit_command_exits_0(project):
    result = project.kit("audit")
    assert result.returncode == 0 and "nothing found" in result.stdout


@pytest.mark.slow
def test_when_the_audit_command_finds_something_then_it_names_the_file_and_exits_1(
    project, run_folder, tmp_path
):
    parameters = _leaky_parameters(project, run_folder, tmp_path)
    result = project.kit("--parameters", str(parameters), "audit", check=False)
    assert result.returncode == cli.AUDIT_FINDINGS_EXIT == 1
    (line,) = [line for line in result.stdout.splitlines() if ": small_cell: " in line]
    assert "headcount.parquet: row " in line
    (changed,) = [line for line in result.stdout.splitlines() if ": unrecorded_release: " in line]
    assert "headcount.parquet" in changed  # shown after the gate: it differs from its ledger entry
    assert result.stdout.rstrip().endswith("Audit: 2 findings (1 small_cell, 1 unrecorded_release).")


@pytest.mark.slow
def test_when_the_audit_command_gets_a_bad_period_then_it_exits_2(project):
    result = project.kit("audit", "--period", "2026-13", check=False)
    assert result.returncode == 2 and "YYYY-MM" in result.stderr


@pytest.mark.slow
def test_when_run_ends_with_a_finding_then_it_exits_1(project, run_folder, tmp_path, monkeypatch):
    from adoption_kit.publish import PublishedRun

    parameters = _leaky_parameters(project, run_folder, tmp_path)
    leaky = PublishedRun.open(tmp_path / "published" / run_folder.name)
    monkeypatch.chdir(project.root)
    monkeypatch.setattr(cli, "_published_run", lambda settings, arguments: leaky)
    monkeypatch.setattr("adoption_kit.batch.run_reports", lambda run, **options: [])
    assert cli.main(["--parameters", str(parameters), "run"]) == 1


@pytest.mark.slow
def test_when_a_run_is_missing_from_the_release_ledger_then_it_is_an_unrecorded_release(run_folder, tmp_path):
    copied = Path(shutil.copytree(run_folder, tmp_path / "published" / run_folder.name))
    findings = _audit(Identifiers.from_roster(ROSTER), published=copied)
    assert [(f.kind, f.path) for f in findings] == [("unrecorded_release", copied)]


@pytest.mark.slow
def test_when_a_count_moved_by_two_since_an_earlier_run_then_it_is_a_small_revision(run_folder, tmp_path):
    root = tmp_path / "published"
    copied = Path(shutil.copytree(run_folder, root / run_folder.name))
    shutil.copytree(run_folder.parent / "ledger", root / "ledger")
    # the run's own entry, recorded again just before it (other tests may have added runs around it)
    run_id = json.loads((run_folder / "manifest.json").read_text())["run_id"]
    just_before = run_id.replace("_", "-earlier_", 1)  # '-' sorts before '_'
    earlier = Path(shutil.copytree(root / "ledger" / run_id, root / "ledger" / just_before))
    headcount = pd.read_parquet(earlier / "headcount.parquet")
    row = headcount.index[(headcount["group_by"] == "department") & headcount["people"].notna()][0]
    headcount.loc[row, "people"] += 2  # as if an earlier run had shown two more people
    headcount.to_parquet(earlier / "headcount.parquet", index=False)

    (finding,) = _audit(Identifiers.from_roster(ROSTER), published=copied)
    assert (finding.kind, finding.path) == ("small_revision", copied / "headcount.parquet")
    assert headcount.loc[row, "group"] in finding.where and "people moved by fewer than 5" in finding.detail


@pytest.mark.slow
def test_when_a_published_table_differs_from_its_ledger_entry_then_it_is_found(run_folder, tmp_path):
    root = tmp_path / "published"
    copied = Path(shutil.copytree(run_folder, root / run_folder.name))
    shutil.copytree(run_folder.parent / "ledger", root / "ledger")
    monthly = pd.read_parquet(copied / "monthly_active.parquet").iloc[:-1]  # a row dropped after the fact
    monthly.to_parquet(copied / "monthly_active.parquet", index=False)

    (finding,) = _audit(Identifiers.from_roster(ROSTER), published=copied)
    assert (finding.kind, finding.path) == ("unrecorded_release", copied / "monthly_active.parquet")
