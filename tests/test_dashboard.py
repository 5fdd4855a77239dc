"""The dashboard widget, in-process: an allow-list of groups, untrusted choices ignored, charts redrawn."""

from __future__ import annotations

import matplotlib as mpl
import pytest

from adoption_kit.dashboard import build_dashboard, group_choices
from adoption_kit.publish import PublishedRun
from tests.published_fixture import SMALL_DEPARTMENT, write_published_fixture


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> PublishedRun:
    return PublishedRun.open(write_published_fixture(tmp_path_factory.mktemp("published")))


@pytest.fixture(autouse=True)
def _keep_matplotlib_settings():
    with mpl.rc_context():  # the dashboard applies the house theme
        yield


def _shown(app) -> list[str]:
    _, _, output = app.children
    return [output["data"]["text/plain"] for output in output.outputs]


def test_when_groups_are_offered_then_only_big_enough_ones_with_the_organisation_first(run):
    assert [value for _, value in group_choices(run)] == ["ALL", "Engineering", "Finance & Legal", "Sales"]
    assert SMALL_DEPARTMENT not in [value for _, value in group_choices(run, min_group_size=2)]
    assert [value for _, value in group_choices(run, min_group_size=100)] == ["ALL", "Engineering", "Sales"]


def test_when_the_dashboard_opens_then_it_shows_the_organisation(run):
    app = build_dashboard(run)
    _, picker, output = app.children
    assert picker.value == "ALL"
    assert _shown(app)[1] == "Charts for ALL"
    assert output.outputs[1]["data"]["image/png"]


def test_when_another_department_is_picked_then_the_charts_are_redrawn(run):
    app = build_dashboard(run)
    app.children[1].value = "Sales"
    assert "people in Sales" in _shown(app)[0]
    assert _shown(app)[1] == "Charts for Sales"


# fmt: off
@pytest.mark.parametrize(("query", "expected"), [
    ("department=Sales", "Sales"),                    # an allowed group is preselected
    (f"department={SMALL_DEPARTMENT}", "ALL"),        # too small: not on the list
    ("department=../../etc/passwd", "ALL"),           # a path: ignored
    ("department=Sales&" + "x=1&" * 50, "ALL"),       # too many fields: ignored
])
# fmt: on
def test_when_the_query_string_asks_for_a_group_then_only_an_allowed_one_is_used(run, query, expected):
    assert build_dashboard(run, query_string=query).children[1].value == expected


def test_when_the_selection_is_cleared_then_nothing_is_shown(run):
    app = build_dashboard(run)
    app.children[1].index = None  # a client may send this over the widget's comm
    assert app.children[2].outputs == ()
