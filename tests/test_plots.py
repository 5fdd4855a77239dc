"""Each chart on the published fixture: the right numbers, one colour per tool, gaps for suppressed rows."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from adoption_kit import plots, report, report_costs, report_patterns, report_tools
from adoption_kit.errors import KitError
from adoption_kit.publish import PublishedRun
from tests.published_fixture import SMALL_DEPARTMENT, write_published_fixture

CHARTS = [  # (chart, the table it reads)
    (plots.activation_bars, "activation"),
    (plots.weekly_active_lines, "weekly_active"),
    (plots.stickiness_lines, "monthly_active"),
    (plots.volume_bands, "weekly_active"),
]


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> PublishedRun:
    return PublishedRun.open(write_published_fixture(tmp_path_factory.mktemp("published")))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _lines(ax) -> dict[str, np.ndarray]:
    return {line.get_label(): line.get_ydata() for line in ax.get_lines()}


def _has_note(ax) -> bool:
    return any(text.get_text() == plots.TOO_FEW_NOTE for text in ax.texts)


def test_when_the_theme_is_used_then_the_house_settings_apply():
    with mpl.rc_context():
        plots.use_house_theme()
        assert mpl.rcParams["axes.spines.top"] is False
        assert mpl.rcParams["axes.titlelocation"] == "left"


def test_every_tool_has_its_own_colour_and_label():
    from adoption_kit.schema import TOOLS

    assert {*TOOLS, "any"} == set(plots.TOOL_COLOURS) == set(plots.TOOL_LABELS)
    assert len(set(plots.TOOL_COLOURS.values())) == len(plots.TOOL_COLOURS)
    assert plots.tool_palette(["new_tool"]) == {"new_tool": plots.OTHER_TOOL_COLOUR}


def test_when_activation_is_drawn_then_each_visible_tool_has_a_bar_of_its_rate(run):
    table = run.table("activation", group="ALL")
    ax = plots.activation_bars(table)
    widths = [patch.get_width() for patch in ax.patches]
    expected = table.set_index("tool").loc[["chatgpt_enterprise", "github_copilot", "any"], "activation_rate"]
    np.testing.assert_allclose(widths, expected.to_numpy(dtype=float))
    assert [to_hex(patch.get_facecolor()).upper() for patch in ax.patches] == [
        plots.TOOL_COLOURS[tool].upper() for tool in expected.index
    ]
    first = table.set_index("tool").loc["chatgpt_enterprise"]
    assert f"{first['activated']} of {first['seat_holders']}" in [t.get_text() for t in ax.texts]


def test_when_a_tool_is_suppressed_then_it_has_no_bar(run):
    ax = plots.activation_bars(run.table("activation", group="Sales"))  # Sales has too few Copilot seats
    assert [label.get_text() for label in ax.get_yticklabels()] == ["ChatGPT Enterprise", "Any AI tool"]


def test_when_weekly_active_is_drawn_then_each_tool_is_a_line_of_its_wau(run):
    table = run.table("weekly_active", group="Engineering")
    ax = plots.weekly_active_lines(table)
    expected = table.pivot(index="week", columns="tool", values="wau").astype(float)
    lines = _lines(ax)
    assert list(lines) == ["ChatGPT Enterprise", "GitHub Copilot", "Any AI tool"]
    np.testing.assert_allclose(lines["Any AI tool"], expected["any"].to_numpy())
    assert {to_hex(line.get_color()).upper() for line in ax.get_lines()} == {
        plots.TOOL_COLOURS[t].upper() for t in ("chatgpt_enterprise", "github_copilot", "any")
    }


def test_when_some_weeks_are_suppressed_then_the_line_has_gaps_not_zeros(run):
    table = run.table("weekly_active", group="Finance & Legal")
    copilot = _lines(plots.weekly_active_lines(table))["GitHub Copilot"].astype(float)
    suppressed = table.loc[table["tool"] == "github_copilot"].sort_values("week")["suppressed"].to_numpy()
    assert suppressed.any() and not suppressed.all()
    assert np.isnan(copilot[suppressed]).all()
    assert (copilot[~suppressed] >= 5).all()


def test_when_stickiness_is_drawn_then_each_tool_is_a_line_of_its_stickiness(run):
    table = run.table("monthly_active", group="ALL")
    lines = _lines(plots.stickiness_lines(table))
    expected = table.loc[table["tool"] == "chatgpt_enterprise"].sort_values("month")["stickiness"]
    np.testing.assert_allclose(lines["ChatGPT Enterprise"], expected.to_numpy(dtype=float))


def test_when_volume_is_drawn_then_the_median_is_a_line_over_a_p90_band(run):
    table = run.table("weekly_active", group="ALL")
    ax = plots.volume_bands(table, tool="github_copilot")
    expected = table.loc[table["tool"] == "github_copilot"].sort_values("week")["events_per_user_median"]
    np.testing.assert_allclose(_lines(ax)["Median"], expected.to_numpy(dtype=float))
    assert len(ax.collections) == 1  # the band
    assert ax.get_title(loc="left").endswith("GitHub Copilot")


# fmt: off
@pytest.mark.parametrize(("chart", "table"), CHARTS)
@pytest.mark.parametrize("rows", [
    "all suppressed",  # a department under the minimum group size
    "empty",           # no rows at all
])
# fmt: on
def test_when_nothing_can_be_shown_then_the_axes_says_so(run, chart, table, rows):
    frame = run.table(table, group=SMALL_DEPARTMENT if rows == "all suppressed" else "no such group")
    ax = chart(frame)
    assert _has_note(ax)
    assert not ax.get_lines() and not ax.patches and not ax.collections


def test_when_a_tool_is_not_in_the_volume_table_then_the_axes_says_so(run):
    assert _has_note(plots.volume_bands(run.table("weekly_active", group="ALL"), tool="cursor"))


def test_when_no_axes_is_given_then_the_current_one_is_used(run):
    ax = plt.figure().gca()
    assert plots.weekly_active_lines(run.table("weekly_active", group="ALL")) is ax


# fmt: off
@pytest.mark.parametrize("broken", [
    "several groups",   # the table was not filtered to one group
    "missing column",   # not the table the chart expects
])
# fmt: on
def test_when_the_table_is_not_one_groups_then_kit_error(run, broken):
    frame = run.table("weekly_active")
    if broken == "missing column":
        frame = run.table("headcount", group="ALL")
    with pytest.raises(KitError):
        plots.weekly_active_lines(frame)


def test_when_numbers_are_plain_floats_then_the_charts_still_draw(run):
    table = run.table("weekly_active", group="ALL")
    floats = table.assign(wau=table["wau"].astype(float), suppressed=table["suppressed"].astype("boolean"))
    assert len(plots.weekly_active_lines(floats).get_lines()) == 3


def test_when_a_trend_is_given_then_its_fitted_line_is_drawn_dashed_over_the_weeks(run):
    trend = report.weekly_trend_fit(run, "ALL")
    ax = plots.weekly_active_lines(run.table("weekly_active", group="ALL"), trend=trend)
    (dashed,) = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    fit = trend.iloc[0]
    weeks = run.table("weekly_active", group="ALL")["week"]
    weeks_drawn = (weeks.max() - fit["first_period"]).days / 7
    expected_end = fit["level_at_start"] + fit["slope_per_week"] * weeks_drawn
    np.testing.assert_allclose(dashed.get_ydata(), [fit["level_at_start"], expected_end])
    assert dashed.get_label() == "Trend: Any AI tool"


def test_when_monthly_active_has_tools_used_rows_then_stickiness_draws_tools_only(run):
    table = run.table("monthly_active", group="ALL")
    assert table["tool"].str.startswith("tools_used:").any()
    lines = _lines(plots.stickiness_lines(table))
    assert list(lines) == ["ChatGPT Enterprise", "GitHub Copilot", "Any AI tool"]


def test_when_costs_are_drawn_then_each_shown_tool_and_all_tools_have_a_bar_of_their_cost_per_person(run):
    costs = report_costs.cost_per_tool(run)
    ax = plots.cost_bars(costs)
    np.testing.assert_allclose(
        [patch.get_width() for patch in ax.patches], costs["cost_per_active_user"].to_numpy(dtype=float)
    )
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels == ["ChatGPT Enterprise", "GitHub Copilot", "All tools"]


def test_when_seat_use_is_drawn_then_active_and_idle_seats_are_stacked_and_hidden_tools_left_out(run):
    seats = report_costs.seat_use(run, "Sales")  # Sales' GitHub Copilot seats are hidden
    ax = plots.seat_use_bars(seats)
    shown = seats.dropna(subset=["idle_seats"]).iloc[0]
    assert [patch.get_width() for patch in ax.patches] == [shown["active_seats"], shown["idle_seats"]]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["ChatGPT Enterprise"]


def test_when_tools_per_person_are_drawn_then_each_count_of_tools_is_a_bar_of_its_share(run):
    tools = report_tools.tools_per_person(run)
    ax = plots.tools_per_person_bars(tools)
    heights = [patch.get_height() for patch in ax.patches]
    np.testing.assert_allclose(heights, tools["share"].to_numpy(dtype=float))


def test_when_power_user_shares_are_drawn_then_each_tool_is_a_line_with_gaps_for_hidden_months(run):
    shares = report_tools.power_user_share(run, "Finance & Legal")
    lines = _lines(plots.power_user_lines(shares))
    expected = shares.loc[shares["tool"] == "any"].sort_values("month")["share"].to_numpy(dtype=float)
    np.testing.assert_allclose(lines["Any AI tool"], expected)


def test_when_a_profile_is_drawn_then_each_tool_is_a_line_of_its_shares(run):
    profile = report_patterns.weekday_profile(run, "ALL").table
    lines = _lines(plots.profile_lines(profile, slot="weekday"))
    expected = profile.loc[profile["tool"] == "github_copilot", "share"].to_numpy(dtype=float)
    np.testing.assert_allclose(lines["GitHub Copilot"], expected)


def test_when_the_use_case_mix_is_drawn_then_each_tool_bar_stacks_up_to_its_shown_events(run):
    ax = plots.use_case_bars(report_patterns.use_case_mix(run, "ALL").table)
    ends = {}
    for patch in ax.patches:
        ends[patch.get_y()] = max(ends.get(patch.get_y(), 0), patch.get_x() + patch.get_width())
    np.testing.assert_allclose(list(ends.values()), 1.0)
    assert [label.get_text() for label in ax.get_yticklabels()] == [
        "ChatGPT Enterprise",
        "GitHub Copilot",
        "All shown tools",
    ]


@pytest.mark.parametrize(
    "chart",
    [
        plots.cost_bars,
        plots.seat_use_bars,
        plots.tools_per_person_bars,
        plots.power_user_lines,
        plots.profile_lines,
        plots.use_case_bars,
    ],
)
def test_when_a_report_frame_has_nothing_to_show_then_the_new_charts_say_so(chart):
    columns = ["tool", "tools", "month", "hour", "category", "people", "mau", "share"]
    columns += ["cost_per_active_user", "active_seats", "idle_seats", "license_efficiency"]
    ax = chart(pd.DataFrame(columns=columns))
    assert _has_note(ax)
    assert not ax.get_lines() and not ax.patches


def test_when_active_levels_are_drawn_then_each_measure_is_a_line_with_its_trend(run):
    levels = report.active_levels(run, "ALL")
    ax = plots.active_level_lines(levels, trends=report.active_level_trends(levels))
    lines = _lines(ax)
    monthly = levels.loc[levels["measure"] == report.ACTIVE_LEVELS["mau"]].sort_values("month")
    np.testing.assert_allclose(lines[report.ACTIVE_LEVELS["mau"]], monthly["people"])
    assert report.ACTIVE_LEVELS["dau"] in lines  # the organisation has daily figures
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--" and len(line.get_xdata())]
    assert len(dashed) == 3  # one fitted line per measure, in the tool's colour
    assert {to_hex(line.get_color()) for line in dashed} == {plots.TOOL_COLOURS["any"].lower()}


def test_when_no_level_is_shown_then_the_levels_chart_says_so(run):
    ax = plots.active_level_lines(report.active_levels(run, SMALL_DEPARTMENT))
    assert _has_note(ax)


def test_when_movers_are_drawn_then_each_change_is_a_bar_dark_only_when_it_is_news():
    moved = pd.DataFrame(
        {
            "what": ["Monthly active: Legal", "Power users: Cursor"],
            "previous": [100.0, 10.0],
            "current": [150.0, 12.0],
            "change": [50.0, 2.0],
            "change_low": [19.0, -7.0],
            "change_high": [81.0, 11.0],
            "news": [True, False],
        }
    )
    ax = plots.mover_bars(moved)
    bars = ax.patches
    assert [bar.get_width() for bar in bars] == [50.0, 2.0]
    assert [to_hex(bar.get_facecolor()) for bar in bars] == [
        plots.NEWS_COLOUR.lower(),
        plots.NOISE_COLOUR.lower(),
    ]
    assert [label.get_text() for label in ax.get_yticklabels()] == list(moved["what"])
    assert bars[0].get_y() > bars[1].get_y()  # the largest change on top


def test_when_nothing_moved_then_the_movers_chart_says_so():
    ax = plots.mover_bars(pd.DataFrame(columns=["what", "change", "change_low", "change_high", "news"]))
    assert _has_note(ax)
