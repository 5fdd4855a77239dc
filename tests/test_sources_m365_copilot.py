"""Microsoft 365 Copilot usage user detail: every sample parses with totals counted by hand from the file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import m365_copilot
from adoption_kit.sources._tabular import read_text
from adoption_kit.sources.base import Coverage

DOCS = "m365_copilot/docs_examples"
APPS = ("Copilot Chat", "Microsoft Teams Copilot", "Word Copilot", "Excel Copilot", "PowerPoint Copilot")
APPS += ("Outlook Copilot", "OneNote Copilot", "Loop Copilot")
V1_COLUMNS = [
    "Report Refresh Date",
    "User Principal Name",
    "Display Name",
    "Last Activity Date",
    *(f"{app} Last Activity Date" for app in APPS),
    "Report Period",
]
V1_HEADER = ",".join(V1_COLUMNS)
SAMPLES = [
    f"{DOCS}/usage_user_detail_v1.0_csv_example.csv",
    f"{DOCS}/usage_user_detail_legacy_reportRoot_csv_header.csv",
    f"{DOCS}/usage_user_detail_beta_json_example.json",
    "m365_copilot/synthetic/usage_user_detail_v2_csv_SYNTHETIC.csv",
]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def _v1_row(upn: str, **cells: str) -> str:
    """A v1.0 CSV line refreshed 2026-07-03; ``cells`` by column name with spaces as underscores."""
    values = {"Report Refresh Date": "2026-07-03", "User Principal Name": upn, "Report Period": "7"}
    values |= {name.replace("_", " "): value for name, value in cells.items()}
    return ",".join(values.get(column, "") for column in V1_COLUMNS) + "\n"


def _summary(extract) -> dict:
    activity = extract.tables["activity"]
    return {
        "people": activity["identity"].nunique(),
        "active_days": len(activity[["identity", "day"]].drop_duplicates()),
        "events": int(activity["events"].sum()),
        "seats": len(extract.tables["seats"]),
    }


def test_when_reading_the_v1_csv_example_then_a_concealed_user_holds_a_seat_without_use(formats):
    extract = sources.read(formats / SAMPLES[0])
    # one row refreshed 2026-07-03: UPN E58EEF6A6BBD3D0293CB306D24A42057 (32 hex: concealed), no dates
    assert extract.source == "m365_copilot_usage"
    assert extract.identity == "hashed_upn"
    assert _summary(extract) == {"people": 0, "active_days": 0, "events": 0, "seats": 1}
    assert extract.tables["seats"]["assigned_on"].tolist() == [pd.Timestamp("2026-07-03")]
    day = pd.Timestamp("2026-07-03")
    assert extract.coverage == (Coverage("m365_copilot", "day", day, day),)
    assert extract.exported_at == day


def test_when_reading_the_legacy_header_then_its_other_column_order_is_read_by_name(formats):
    extract = sources.read(formats / SAMPLES[1])
    # header only: Report Period second and Copilot Chat last, no rows
    assert extract.rows_read == 0
    assert _summary(extract) == {"people": 0, "active_days": 0, "events": 0, "seats": 0}
    assert extract.coverage == ()
    assert extract.unknown_fields == ()


def test_when_reading_the_beta_json_example_then_each_app_date_is_a_day_of_use(formats):
    extract = sources.read(formats / SAMPLES[2])
    activity = extract.tables["activity"]
    # one concealed user, refreshed 2025-08-20: chat 08-16, Teams 08-20, Word 08-06, PowerPoint 2025-03-26,
    # Excel, Outlook, OneNote, Loop empty -> 4 app-days on 4 different days, 1 event each = 4 events
    assert extract.identity == "hashed_upn"
    assert _summary(extract) == {"people": 1, "active_days": 4, "events": 4, "seats": 1}
    assert activity.set_index("surface")["day"].astype(str).to_dict() == {
        "copilot_chat": "2025-08-16",
        "teams": "2025-08-20",
        "word": "2025-08-06",
        "powerpoint": "2025-03-26",
    }
    assert extract.exported_at == pd.Timestamp("2025-08-20")


def test_when_reading_the_v2_csv_then_readable_names_are_kept_and_the_concealed_one_is_counted(formats):
    extract = sources.read(formats / SAMPLES[3])
    activity = extract.tables["activity"]
    # ada: chat 07-02, Teams 07-01, chat (work) 07-02, chat (web) 06-28, M365 app 07-02, Edge 06-30,
    # agent 07-01
    # -> copilot_chat on 07-02 and 06-28 (work and chat coincide), 5 surfaces, 6 app-days, 6 events;
    # days 06-28, 06-30, 07-01, 07-02 = 4 active days. The second row's UPN is a 32-hex hash: dropped.
    # Prompts (142, 90, 52) and 19 active usage days are period totals: not read.
    assert extract.identity == "email"
    assert extract.rows_read == 2
    assert _summary(extract) == {"people": 1, "active_days": 4, "events": 6, "seats": 1}
    assert activity.groupby("surface")["day"].count().to_dict() == {
        "agent": 1,
        "copilot_chat": 2,
        "edge": 1,
        "m365_copilot_app": 1,
        "teams": 1,
    }
    assert extract.dropped == {m365_copilot.CONCEALED: 1}
    assert extract.unknown_fields == ()
    assert not any("Ada Example" in frame.to_string() for frame in extract.tables.values())  # display name


def test_when_detecting_then_only_this_module_claims_its_samples(formats):
    claimed = {
        str(path.relative_to(formats))
        for path in formats.rglob("*")
        if path.suffix in (".csv", ".json", ".ndjson")
        and m365_copilot.sniff(read_text(path)[: sources.SNIFF_CHARACTERS])
    }
    assert claimed == set(SAMPLES)
    for sample in SAMPLES:
        assert sources.detect(formats / sample) is m365_copilot


def test_when_json_keys_vary_in_case_and_dates_are_null_then_they_are_read(tmp_path):
    record = {
        "reportRefreshDate": "2026-07-03",
        "userPrincipalName": "Bo@Contoso.example",
        "lastActivityDate": "2026-07-03",
        "powerpointCopilotLastActivityDate": "2026-07-03",
        "onenoteCopilotLastActivityDate": None,
        "wordCopilotLastActivityDate": "",
    }
    extract = m365_copilot.read(_write(tmp_path, "d.json", json.dumps({"value": [record]})))
    assert extract.tables["activity"][["surface", "events"]].values.tolist() == [["powerpoint", 1]]


def test_when_the_last_activity_is_in_no_known_app_then_it_counts_as_other(tmp_path):
    text = (
        "Report Refresh Date,User Principal Name,Last Activity Date,Word Copilot Last Activity Date,"
        "Forms Copilot Last Activity Date\n2026-07-03,ann@contoso.example,2026-07-03,2026-07-01,2026-07-03\n"
    )
    extract = m365_copilot.read(_write(tmp_path, "d.csv", text))
    assert extract.tables["activity"].set_index("surface")["day"].astype(str).to_dict() == {
        "word": "2026-07-01",
        "other": "2026-07-03",
    }
    assert extract.unknown_fields == ("Forms Copilot Last Activity Date",)


# fmt: off
BAD = [
    # (file name, content, row, column, words of the message)
    ("no_upn.csv", V1_HEADER.replace("User Principal Name,", "") + "\n", None, "User Principal Name",
     "missing column"),                                             # CSV without the user column
    ("no_upn.json", json.dumps({"value": [{"reportRefreshDate": "2026-07-03", "lastActivityDate": None,
     "wordCopilotLastActivityDate": None}]}), None, "value[].userPrincipalName", "missing column"),  # JSON
    ("us_date.csv", V1_HEADER + "\n" + _v1_row("a@x.example") + _v1_row("b@x.example",
     Word_Copilot_Last_Activity_Date="07/01/2026"), 3, "Word Copilot Last Activity Date",
     "'07/01/2026'"),                                               # not an ISO date
    ("bad.json", json.dumps({"value": [{"reportRefreshDate": "2026-07-03", "userPrincipalName": "a@x.example",
     "lastActivityDate": "yesterday", "wordCopilotLastActivityDate": None}]}), 1,
     "value[].lastActivityDate", "'yesterday'"),                    # not a date, in JSON
    ("late.csv", V1_HEADER + "\n" + _v1_row("a@x.example", Last_Activity_Date="2026-07-04"), 2,
     "Last Activity Date", "on or before the report refresh date"),  # used after the snapshot was taken
    ("name.csv", V1_HEADER + "\n" + _v1_row("Ann Lee"), 2, "User Principal Name",
     "'Ann Lee'"),                                                  # neither a UPN nor a concealed one
    ("twice.csv", V1_HEADER + "\n" + _v1_row("a@x.example") + _v1_row("A@x.example"), 3,
     "User Principal Name", "one row per user"),                    # the same user twice in a snapshot
    ("no_value.json", json.dumps({"copilotLastActivityDate": []}), None, "value", "no list"),  # not Graph
]
# fmt: on


@pytest.mark.parametrize(("name", "text", "row", "column", "says"), BAD, ids=[b[0] for b in BAD])
def test_when_the_file_is_bad_then_the_error_names_file_row_and_column(
    tmp_path, name, text, row, column, says
):
    path = _write(tmp_path, name, text)
    assert sources.detect(path) is m365_copilot
    with pytest.raises(InputFileError) as caught:
        m365_copilot.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, row, column)
    assert says in str(caught.value)
