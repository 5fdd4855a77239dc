"""demo -> ingest -> run on a small organisation, through the real command line, papermill and DuckDB."""

from __future__ import annotations

import json
from urllib.parse import quote

import pandas as pd
import pytest

from adoption_kit import report, report_patterns, report_tools
from adoption_kit.batch import group_slug
from adoption_kit.config import load_settings
from adoption_kit.demo import PLACEBO_KPI, PLANTED_EFFECT, PLANTED_KPI
from adoption_kit.publish import PublishedRun, open_run
from adoption_kit.sources import SOURCES
from conftest import shared_demo

pytestmark = pytest.mark.slow
TINY_DEPARTMENT = "Executive Office"
DEMO_FORMATS = set(SOURCES) - {  # the demo writes every format of issue 3's list; not these extras
    "anthropic_usage_cost",
    "cursor_spend",
    "cursor_usage_events_api",
    "github_copilot_billing",
    "github_copilot_download_links",  # always refused: a list of links, not data
    "github_copilot_legacy_metrics",
    "github_copilot_legacy_usage",
    "github_copilot_user_teams",
    "github_copilot_user_totals",
}


@pytest.fixture(scope="module")
def project():
    return shared_demo(run_reports=True)


def _run(project) -> PublishedRun:
    return open_run(project.published)


def test_when_the_demo_runs_then_every_big_enough_department_has_every_report_linked_from_the_index(project):
    run = _run(project)
    groups = run.groups()
    reported = groups["group_by"].isin(["organisation", "department"])  # teams and locations are tables only
    big = groups.loc[reported & (groups["status"] == "ok"), "group"].tolist()
    assert len(big) >= 9 and "ALL" in big
    notebooks = load_settings(project.root).batch.notebooks
    assert len(notebooks) >= 6
    period_folder = project.reports / run.period
    index = (period_folder / "index.html").read_text(encoding="utf-8")
    for group in big:
        folder = period_folder / group_slug(group)
        for notebook in notebooks:
            for suffix in (".ipynb", ".html"):
                assert (folder / f"{notebook}{suffix}").is_file(), (group, notebook)
            assert f'href="{quote(group_slug(group))}/{notebook}.html"' in index, (group, notebook)
    assert 'class="failed"' not in index


def test_when_a_department_is_under_the_minimum_then_it_gets_no_numbers_and_no_report(project):
    run = _run(project)
    for name in ("headcount", "activation", "weekly_active", "monthly_active", "stages"):
        everything = run.table(name)
        assert not (everything["department"] == TINY_DEPARTMENT).any(), name  # left out, not even hidden
    assert TINY_DEPARTMENT in run.manifest["left_out"]
    groups = run.groups().set_index("group")
    assert groups.at[TINY_DEPARTMENT, "status"] == "too_small" and pd.isna(
        groups.at[TINY_DEPARTMENT, "people"]
    )
    slug = TINY_DEPARTMENT.lower().replace(" ", "-")
    assert not (project.reports / run.period / slug / "adoption_overview.ipynb").exists()


def test_when_the_demo_is_published_then_the_lagging_department_stalls_at_first_use(project):
    run = _run(project)
    funnel = report.funnel(run, "Legal").set_index("stage")
    assert funnel.loc["first_use", "conversion"] < 0.6  # the demo rolls ChatGPT out to Legal last
    assert "have access and those who used it once" in report.bottleneck(run, "Legal")
    assert "have access and those who used it once" not in report.bottleneck(run, "Engineering")


def test_when_teams_leave_copilot_for_cursor_then_the_organisations_moves_show_them(project):
    moves = report_tools.tool_moves(_run(project))
    assert moves.iloc[0][["from_tool", "to_tool"]].tolist() == ["github_copilot", "cursor"]
    assert moves.iloc[0]["people"] >= 5  # the planted move, shown; other pairs rest on too few to show


def test_when_the_workspace_is_written_then_it_holds_the_canonical_tables(project):
    manifest = json.loads((project.workspace / "manifest.json").read_text())
    for table in ("people", "seats", "seat_pools", "activity", "outcomes"):
        frame = pd.read_parquet(project.workspace / f"{table}.parquet")
        assert len(frame) == manifest["rows"][table] > 0, table
    sources = {report["source"]: report for report in manifest["sources"]}
    assert set(sources) == DEMO_FORMATS
    assert all(report["rows_read"] > 0 for report in sources.values())
    for name in ("chatgpt_user_report", "github_copilot_user_metrics", "m365_copilot_usage", "gateway_log"):
        assert sources[name]["people_matched"] > 0 and sources[name]["identities_unmatched"] == 0, name
    tools = set(pd.read_parquet(project.workspace / "activity.parquet")["tool"])
    assert tools == {
        "chatgpt_enterprise",
        "github_copilot",
        "m365_copilot",
        "claude_code",
        "cursor",
        "openai_api",
        "gemini",
    }


def test_when_the_batch_ends_then_the_summary_says_where_reports_are_and_how_to_open_the_dashboard(project):
    printed = project.run_output
    assert "ok" in printed and "skipped" in printed and "Failed runs" not in printed
    assert "index.html" in printed and "adoption-kit serve" in printed


def test_when_the_demo_is_published_then_first_use_delays_peaks_and_waitlists_have_numbers(project):
    run = _run(project)
    assert "half did so within" in report.first_use_sentence(run, "ALL")
    peaks = report_patterns.peak_headroom(run, "ALL")
    assert len(peaks.table) >= 3 and (peaks.table["peak_to_percentile"] >= 1).all()
    demand = run.table("seat_use", group="ALL")
    waiting = demand.loc[(demand["tool"] == "m365_copilot") & (demand["status"] == "demand")]
    assert not waiting.empty  # the waitlist reaches the gate; whether it is shown is the gate's call


def test_when_the_demo_is_published_then_the_twfe_estimate_recovers_the_planted_effect(project):
    run = _run(project)
    effects = run.table("outcome_effects", group="ALL").set_index(["kpi", "estimator"])
    planted = effects.loc[(PLANTED_KPI, "twfe")]
    assert not planted["suppressed"] and planted["ci_low"] <= PLANTED_EFFECT <= planted["ci_high"]
    placebo = effects.loc[(PLACEBO_KPI, "twfe")]
    assert abs(placebo["effect"]) < PLANTED_EFFECT / 4  # nothing planted: small next to the planted 20%
    for name in ("outcome_effects", "outcome_event_study"):
        table = run.table(name)
        assert (table.loc[~table["suppressed"], "n_teams"] >= 10).all(), name  # shown: 10+ teams each
        assert (table.loc[table["suppressed"], "note"] != "").all(), name  # hidden: says why
    report = project.reports / run.period / group_slug("ALL") / "business_outcomes.ipynb"
    assert "its interval covers the planted effect" in report.read_text(encoding="utf-8")
