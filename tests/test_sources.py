"""Each real sample parses, with totals counted by hand from the file; detection goes by content."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import _api_json as api_json
from adoption_kit.sources import _tabular

CHATGPT = "chatgpt_enterprise/synthetic"


def test_when_reading_the_monthly_chatgpt_report_then_totals_match_the_file(formats):
    extract = sources.read(formats / CHATGPT / "chatgpt_user_report_monthly_v2025-10_SYNTHETIC.csv")
    activity, seats = extract.tables["activity"], extract.tables["seats"]
    assert extract.source == "chatgpt_user_report"
    # ada: 412 messages = 14 to GPTs + 33 in projects + 365 other chat; bo: 5; cy inactive; dee pending
    assert activity.groupby("identity")["events"].sum().to_dict() == {
        "ada@example.com": 412,
        "bo@example.com": 5,
    }
    assert activity.set_index(["identity", "surface"])["events"]["ada@example.com"].to_dict() == {
        "chat": 365,
        "gpts": 14,
        "projects": 33,
    }
    assert set(activity["grain"]) == {"month"}
    assert len(seats) == 5  # every listed user holds a seat, the pending one included
    assert seats.set_index("identity")["removed_on"]["eve@example.com"] == pd.Timestamp("2025-10-31")


def test_when_reading_the_older_weekly_header_then_columns_are_found_by_name(formats):
    extract = sources.read(formats / CHATGPT / "chatgpt_user_report_weekly_v2025-02_SYNTHETIC.csv")
    activity = extract.tables["activity"]
    # only ada was active: 88 messages, 2 of them to GPTs and 5 in projects
    assert activity["events"].sum() == 88
    assert set(activity["grain"]) == {"week"}
    assert activity["day"].unique().tolist() == [pd.Timestamp("2025-02-16")]


def test_when_reading_the_copilot_user_report_then_features_become_surfaces(formats):
    extract = sources.read(formats / "github_copilot/derived/organization-users-28-day-report.ndjson")
    activity = extract.tables["activity"]
    # 107 records, 8 logins, 28 days; 14 records have no use at all and 3 only the cloud agent.
    # By hand over totals_by_feature: accepted completions 1,136; prompts in chat 562, agent 785, CLI 1,640.
    assert activity.groupby("surface")["events"].sum().to_dict() == {
        "agent": 785,
        "cli": 1640,
        "cloud_agent": 0,
        "code_completion": 1136,
        "ide_chat": 562,
    }
    assert activity["identity"].nunique() == 8
    assert len(activity[["identity", "day"]].drop_duplicates()) == 93
    assert activity["lines_accepted"].sum() == 100878


def test_when_reading_the_seats_response_with_duplicates_then_each_login_holds_one_seat(formats):
    seats = sources.read(formats / "github_copilot/seats_api/enterprise_seats_with_duplicates.json").tables[
        "seats"
    ]
    assert sorted(seats["identity"]) == ["octocat", "octokitten"]


def test_when_a_file_is_of_no_known_format_then_the_error_lists_the_known_ones(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(InputFileError) as caught:
        sources.read(path)
    assert caught.value.path == path
    for name in sources.SOURCES:
        assert name in str(caught.value)


def test_when_a_source_is_named_then_detection_is_skipped(formats):
    path = formats / CHATGPT / "chatgpt_user_report_weekly_v2025-02_SYNTHETIC.csv"
    assert sources.read(path, source="chatgpt_user_report").source == "chatgpt_user_report"
    with pytest.raises(InputFileError, match="unknown source"):
        sources.read(path, source="lotus_notes")


def test_when_the_user_report_comes_wrapped_in_day_totals_then_it_reads_as_the_ndjson_does(formats):
    reports = formats / "github_copilot"
    wrapped = sources.read(reports / "usage_metrics_reports/organization-users-28-day-report.json")
    lines = sources.read(reports / "derived/organization-users-28-day-report.ndjson")
    assert wrapped.source == lines.source == "github_copilot_user_metrics"
    pd.testing.assert_frame_equal(wrapped.tables["activity"], lines.tables["activity"])
    assert wrapped.coverage == lines.coverage


def test_when_reading_user_teams_then_only_member_counts_per_team_remain(formats):
    example = formats / "github_copilot" / "docs_examples" / "organization_user_teams_1_day_example.ndjson"
    extract = sources.read(example)
    teams = extract.tables["aggregates"].set_index("scope_id")["value"].to_dict()
    assert teams == {"backend": 1.0, "frontend": 2.0}  # alice in both teams, bob in frontend
    assert extract.identity is None and "activity" not in extract.tables


def test_when_the_user_report_is_a_json_array_then_its_rows_are_read(formats):
    extract = sources.read(formats / "github_copilot/docs_examples/user_level_example.json")
    activity = extract.tables["activity"]
    # one record: login1 on 2025-10-01, one accepted completion adding 8 lines (its CLI totals are not read)
    assert activity[["identity", "surface", "events", "lines_accepted"]].values.tolist() == [
        ["login1", "code_completion", 1, 8]
    ]


_SCALARS = st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2) | st.text("ab1 ", max_size=2)


def _records(keys: list[str]) -> st.SearchStrategy:
    values = st.recursive(
        _SCALARS,
        lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(keys), inner, max_size=3),
        max_leaves=8,
    )
    return st.lists(st.dictionaries(st.sampled_from(keys), values, max_size=4), max_size=4)


@settings(max_examples=300, deadline=None)
@given(records=_records(["a", "b", "c", "a.b", "1"]))
def test_when_records_are_flattened_then_the_frame_is_the_one_json_normalize_makes(records):
    # the readers' own flattening must not change a column name, an order or a value (a key that is also
    # a flattened name included: the nested value wins, in the key's place)
    expected = pd.json_normalize(records) if records else pd.DataFrame()
    pd.testing.assert_frame_equal(api_json.flat(records), expected)


@settings(max_examples=300, deadline=None)
@given(records=_records(["a", "b", "c", "1"]))
def test_when_records_are_flattened_one_level_then_the_frame_is_the_one_json_normalize_makes(records):
    # as Gemini's activities are read: objects below the first level stay values (pandas' own renaming
    # in place mixes up keys that contain a dot at this depth, so they are left out here)
    expected = pd.json_normalize(records, max_level=1) if records else pd.DataFrame()
    pd.testing.assert_frame_equal(api_json.flat(records, max_level=1), expected)


_WRITTEN = {
    "int": st.from_regex(r"\A(?:[0-9]{1,17}|[0-9]\.0|-[0-9]| 7)\Z"),
    "float": st.from_regex(r"\A[0-9]{1,16}(?:\.[0-9]{1,16})?\Z")
    | st.sampled_from(["1e3", "-2.5", "nan", ""]),
    "number": st.from_regex(r"\A-?[0-9]{1,16}(?:\.[0-9]{1,3})?\Z"),
    "date": st.dates().map(str) | st.from_regex(r"\A20[0-9]{2}-[01][0-9]-[0-3][0-9](?:T10:00:00Z)?\Z"),
    "month": st.from_regex(r"\A(?:19|20)[0-9]{2}-[01][0-9]\Z"),
}


@settings(max_examples=400, deadline=None)
@given(data=st.data(), kind=st.sampled_from(sorted(_WRITTEN)))
def test_when_a_column_is_parsed_then_arrow_and_pandas_read_it_alike(data, kind):
    # plain columns go through Arrow, others through pandas: same values, dtypes and errors either way
    values = pd.Series(data.draw(st.lists(st.none() | _WRITTEN[kind], max_size=6)), dtype="str", name=kind)

    def parsed(plain: bool) -> pd.Series | str:
        original = _tabular._plain
        _tabular._plain = original if plain else (lambda text, kind: None)
        try:
            return _tabular.parse_column(values, kind, path=Path("f.csv"), column=kind)
        except InputFileError as error:
            return str(error)
        finally:
            _tabular._plain = original

    fast, slow = parsed(plain=True), parsed(plain=False)
    if isinstance(slow, str) or isinstance(fast, str):
        assert fast == slow
    else:
        pd.testing.assert_series_equal(fast, slow)


_CELL = st.sampled_from(
    ["", "a", " b ", "NA", "null", '"q"', '"x,y"', '"line\nbreak"', '"say ""hi"""', "1.5"]
)


@settings(max_examples=300, deadline=None)
@given(
    header=st.lists(st.sampled_from(["id", "day", " n ", "", "id", '"a\nb"']), min_size=1, max_size=4),
    rows=st.lists(st.lists(_CELL, min_size=0, max_size=5), max_size=5),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_when_arrow_reads_a_csv_then_it_gives_what_pandas_gives(header, rows, newline):
    # Arrow reads the cells or declines; whatever it reads, pandas reads the same way
    text = newline.join([",".join(header), *(",".join(row) for row in rows)]) + newline
    fast = _tabular._arrow_csv(text)
    if fast is not None:
        slow = pd.read_csv(io.StringIO(text), dtype="str", keep_default_na=False, na_values=[""])
        pd.testing.assert_frame_equal(fast, slow)


def test_when_a_csv_is_regular_then_arrow_reads_it():
    text = 'id,day,note\n1,2026-05-01,"a, b"\n2,,"two\nlines"\n'
    frame = _tabular._arrow_csv(text)
    assert frame is not None and frame["note"].tolist() == ["a, b", "two\nlines"]
    assert frame["day"].isna().tolist() == [False, True]
