"""The dashboard widget, in-process: allow-lists of months and groups, untrusted choices ignored, charts
redrawn."""

from __future__ import annotations

import matplotlib as mpl
import pytest

from adoption_kit.dashboard import build_dashboard, group_choices
from adoption_kit.publish import PublishedRun
from tests.published_fixture import SMALL_DEPARTMENT, write_published_fixture


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("published")
    write_published_fixture(root, "2026-09")
    write_published_fixture(root, "2026-10")
    return root


@pytest.fixture(scope="module")
def run(published) -> PublishedRun:
    return PublishedRun.open(published / "2026-10")


@pytest.fixture(autouse=True)
def _keep_matplotlib_settings():
    with mpl.rc_context():  # the dashboard applies the house theme
        yield


def _pickers(app):
    _, pickers, _ = app.children
    return pickers.children


def _shown(app) -> list[str]:
    return [output["data"]["text/plain"] for output in app.children[2].outputs]


def test_when_groups_are_offered_then_only_big_enough_ones_with_the_organisation_first(run):
    assert [value for _, value in group_choices(run)] == ["ALL", "Engineering", "Finance & Legal", "Sales"]
    assert SMALL_DEPARTMENT not in [value for _, value in group_choices(run, min_group_size=2)]
    assert [value for _, value in group_choices(run, min_group_size=100)] == ["ALL", "Engineering", "Sales"]


def test_when_the_dashboard_opens_then_it_shows_the_organisation_in_the_latest_month(published):
    app = build_dashboard(published)
    period, group = _pickers(app)
    assert (period.options, period.value, group.value) == (("2026-10", "2026-09"), "2026-10", "ALL")
    headline, stall, charts = _shown(app)
    assert "By the end of October 2026" in headline and "stall" in stall
    assert charts == "Charts: ALL, 2026-10"
    assert app.children[2].outputs[2]["data"]["image/png"]


def test_when_another_department_is_picked_then_the_charts_are_redrawn(published):
    app = build_dashboard(published)
    _pickers(app)[1].value = "Sales"
    assert "people in Sales" in _shown(app)[0]
    assert _shown(app)[2] == "Charts: Sales, 2026-10"


def test_when_another_month_is_picked_then_the_group_stays_and_its_charts_are_of_that_month(published):
    app = build_dashboard(published)
    period, group = _pickers(app)
    group.value = "Sales"
    period.value = "2026-09"
    assert group.value == "Sales"
    assert "By the end of September 2026" in _shown(app)[0]
    assert _shown(app)[2] == "Charts: Sales, 2026-09"
    assert "September 2026" in app.children[0].value


# fmt: off
@pytest.mark.parametrize(("query", "expected"), [
    ("department=Sales", ("2026-10", "Sales")),                       # an allowed group is preselected
    ("period=2026-09&department=Sales", ("2026-09", "Sales")),        # and an allowed month
    (f"department={SMALL_DEPARTMENT}", ("2026-10", "ALL")),           # too small: not on the list
    ("department=../../etc/passwd", ("2026-10", "ALL")),              # a path: ignored
    ("period=../../etc&department=Sales", ("2026-10", "Sales")),      # a month that is a path: ignored
    ("period=2031-01", ("2026-10", "ALL")),                           # a month never published: ignored
    ("department=Sales&" + "x=1&" * 50, ("2026-10", "ALL")),          # too many fields: all ignored
])
# fmt: on
def test_when_the_query_string_asks_for_a_month_or_group_then_only_allowed_ones_are_used(
    published, query, expected
):
    period, group = _pickers(build_dashboard(published, query_string=query))
    assert (period.value, group.value) == expected


def test_when_the_selection_is_cleared_then_nothing_is_shown(published):
    app = build_dashboard(published)
    period, group = _pickers(app)
    group.index = None  # a client may send this over the widget's comm
    assert app.children[2].outputs == ()
    period.index = None
    assert app.children[2].outputs == ()


def test_when_nothing_is_published_then_the_dashboard_says_so(tmp_path):
    (message,) = build_dashboard(tmp_path).children
    assert "Nothing has been published yet" in message.value
