"""What a report may show: the group's status, the stricter threshold, the headline and Markdown escaping."""

from __future__ import annotations

import pandas as pd
import pytest

from adoption_kit import report
from adoption_kit.errors import KitError
from adoption_kit.publish import PublishedRun
from tests.published_fixture import SMALL_DEPARTMENT, write_published_fixture


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> PublishedRun:
    return PublishedRun.open(write_published_fixture(tmp_path_factory.mktemp("published")))


# fmt: off
@pytest.mark.parametrize(("group", "min_group_size", "expected"), [
    ("ALL", 5, "ok"),                     # the organisation
    ("Finance & Legal", 5, "ok"),         # 60 people
    ("Finance & Legal", 61, "too_small"), # the report's stricter threshold
    (SMALL_DEPARTMENT, 0, "too_small"),   # suppressed by the release gate
    ("Sales", 2, "ok"),                   # a looser threshold than the run's changes nothing
])
# fmt: on
def test_group_status(run, group, min_group_size, expected):
    assert report.group_status(run, group, min_group_size=min_group_size) == expected


def test_when_the_group_is_unknown_then_kit_error(run):
    with pytest.raises(KitError, match="no group named 'Marketing'"):
        report.group_status(run, "Marketing")


def test_when_the_report_is_stricter_then_rows_under_its_threshold_lose_their_numbers(run):
    table = run.table("weekly_active", group="Finance & Legal")
    shown = report.visible(table, 6)
    expected_hidden = table["suppressed"] | (table["people"].fillna(0) < 6)
    assert shown["suppressed"].tolist() == expected_hidden.tolist()
    assert shown.loc[shown["suppressed"], ["wau", "people"]].isna().all().all()
    pd.testing.assert_frame_equal(shown.loc[~shown["suppressed"]], table.loc[~expected_hidden])


def test_when_nothing_is_stricter_then_the_table_is_unchanged(run):
    table = run.table("weekly_active", group="ALL")
    pd.testing.assert_frame_equal(report.visible(table, 5), table)


def test_when_the_group_is_big_enough_then_the_headline_gives_the_any_tool_figures(run):
    activation = run.table("activation", group="Engineering").set_index("tool").loc["any"]
    text = report.headline(run, "Engineering")
    assert f"{activation['activated']} of the {activation['seat_holders']} people in Engineering" in text
    assert text.startswith("By the end of October 2026")


def test_when_the_group_is_too_small_then_the_headline_says_so_without_numbers(run):
    text = report.headline(run, SMALL_DEPARTMENT)
    assert "fewer than 5 people" in text.lower() and "shows no numbers" in text
    assert not any(character.isdigit() for character in text.replace("5", "").replace("2026", ""))


def test_when_text_goes_to_markdown_then_special_characters_are_escaped():
    shown = report.markdown("R&D <b>*stars*</b> $x$").data
    assert shown == r"R\&D \<b\>\*stars\*\</b\> \$x\$"


def test_when_a_headcount_is_hidden_only_to_protect_another_group_then_its_group_still_gets_a_report(
    tmp_path,
):
    folder = write_published_fixture(tmp_path)
    headcount = pd.read_parquet(folder / "headcount.parquet")
    hidden = headcount["group"] == "Sales"
    headcount.loc[hidden, "people"] = pd.NA
    headcount.loc[hidden, "suppressed"] = True
    headcount.to_parquet(folder / "headcount.parquet", index=False)
    record = pd.read_parquet(folder / "suppressions.parquet")
    extra = pd.DataFrame(
        [{"table": "headcount", "group_by": "department", "group": "Sales", "reason": "complementary"}]
    )
    pd.concat([record, extra.astype("str")], ignore_index=True).to_parquet(folder / "suppressions.parquet")
    run = PublishedRun.open(folder)
    assert report.group_status(run, "Sales") == "ok"
    assert report.group_status(run, SMALL_DEPARTMENT) == "too_small"


def test_when_first_use_delays_are_shown_then_the_sentence_gives_the_median_and_75th_percentile(run):
    sentence = report.first_use_sentence(run, "Engineering")
    assert sentence == (
        "Of those in Engineering who have used their seat, half did so within 3 days of getting it, and "
        "three in four within 10 days."
    )


def test_when_first_use_delays_are_hidden_then_the_sentence_says_so(run):
    assert "is not shown" in report.first_use_sentence(run, "Executive Office")


def test_when_active_levels_are_read_then_months_with_a_whole_week_and_shown_numbers_only(run):
    levels = report.active_levels(run, "Engineering")
    assert set(levels["measure"]) == {report.ACTIVE_LEVELS["mau"], report.ACTIVE_LEVELS["mean_wau"]}
    monthly = run.table("monthly_active", group="Engineering")
    expected = monthly.loc[(monthly["tool"] == "any") & monthly["mean_wau"].notna(), "mau"]
    shown = levels.loc[levels["measure"] == report.ACTIVE_LEVELS["mau"], "people"]
    assert sorted(shown) == sorted(expected.astype(float))  # departments have no daily figures
