"""ChatGPT Enterprise GPT report: per-GPT aggregates, totals counted by hand; names and creators dropped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import chatgpt_gpts, chatgpt_users
from adoption_kit.sources._tabular import read_text

SAMPLE = "chatgpt_enterprise/synthetic/chatgpt_gpt_report_weekly_v2025-02_SYNTHETIC.csv"
WEEK = "Weekly,2026-03-01,2026-03-07"
HEADER = "cadence,period_start,period_end,gpt_id,gpt_name,messages_workspace,unique_messagers_workspace"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_when_reading_the_sample_then_each_gpt_has_its_week_of_messages_and_senders(formats):
    extract = sources.read(formats / SAMPLE)
    aggregates = extract.tables["aggregates"]
    # g-abc123DEF: 31 messages from 3 people; g-xyz789GHI: 0 and 0 (zeros, not empty: kept); week of 02-16
    assert extract.source == "chatgpt_gpt_report"
    assert extract.identity == "email" and extract.rows_read == 2  # the creators of the GPTs
    assert aggregates.groupby("metric")["value"].sum().to_dict() == {
        "messages_workspace": 31.0,
        "unique_messagers_workspace": 3.0,
    }
    assert len(aggregates) == 4
    assert set(aggregates["scope_id"]) == {"g-abc123DEF", "g-xyz789GHI"}
    assert set(aggregates[["tool", "scope", "day", "grain"]].itertuples(index=False, name=None)) == {
        ("chatgpt_enterprise", "gpt", pd.Timestamp("2025-02-16"), "week")
    }
    text = aggregates.to_string()
    for private in ("Contract Helper", "Summarises contracts", "ada@example.com", "user-AbC123xYz"):
        assert private not in text
    assert extract.unknown_fields == ()


def test_when_a_count_is_empty_then_it_is_left_out_and_monthly_reports_have_month_grain(tmp_path):
    text = HEADER + "\nMonthly,2026-03-01,2026-03-31,g-1,Helper,12,\n"
    aggregates = chatgpt_gpts.read(_write(tmp_path, "gpts.csv", text)).tables["aggregates"]
    assert aggregates[["metric", "value", "grain"]].values.tolist() == [["messages_workspace", 12.0, "month"]]


def test_when_detecting_then_only_this_module_claims_its_sample_and_the_user_reports_stay_apart(formats):
    claimed = {
        str(path.relative_to(formats))
        for path in formats.rglob("*")
        if path.suffix in (".csv", ".json", ".ndjson")
        and chatgpt_gpts.sniff(read_text(path)[: sources.SNIFF_CHARACTERS])
    }
    assert claimed == {SAMPLE}
    assert sources.detect(formats / SAMPLE) is chatgpt_gpts
    assert not chatgpt_users.sniff(read_text(formats / SAMPLE))  # gpt_creator_email is not email


# fmt: off
BAD = [
    # (file name, content, row, column, words of the message)
    ("no_id.csv", HEADER.replace("gpt_id,", "") + f"\n{WEEK},Helper,1,1\n", None,
     "gpt_id", "missing column"),                                   # which GPT is missing
    ("no_count.csv", HEADER.replace(",messages_workspace", "") + f"\n{WEEK},g-1,H,1\n",
     None, "messages_workspace", "missing column"),                 # a metric column is missing
    ("bad_day.csv", HEADER + f"\n{WEEK},g-1,H,1,1\nWeekly,1 March,2026-03-07,g-2,H,1,1\n",
     3, "period_start", "'1 March'"),                               # not an ISO date
    ("daily.csv", HEADER + "\nDaily,2026-03-01,2026-03-01,g-1,H,1,1\n", 2, "cadence",
     "Weekly or Monthly"),                                          # a cadence the export does not have
    ("twice.csv", HEADER + f"\n{WEEK},g-1,H,1,1\n{WEEK},g-1,H,2,1\n",
     3, "gpt_id", "one row per GPT and period"),                    # the same GPT twice in a week
]
# fmt: on


@pytest.mark.parametrize(("name", "text", "row", "column", "says"), BAD, ids=[b[0] for b in BAD])
def test_when_the_file_is_bad_then_the_error_names_file_row_and_column(
    tmp_path, name, text, row, column, says
):
    path = _write(tmp_path, name, text)
    assert sources.detect(path) is chatgpt_gpts
    with pytest.raises(InputFileError) as caught:
        chatgpt_gpts.read(path)
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, row, column)
    assert says in str(caught.value)


def test_when_gpts_have_names_and_descriptions_then_they_are_texts_of_their_creator(tmp_path):
    header = f"{HEADER},gpt_description,gpt_creator_email"
    rows = [
        "Weekly,2026-02-15,2026-02-21,g-1,Ann's helper,3,1,Drafts quotes,ann@acme.test",
        "Weekly,2026-02-22,2026-02-28,g-1,Ann's helper,2,1,,ann@acme.test",
    ]
    texts = chatgpt_gpts.read(_write(tmp_path, "gpts.csv", "\n".join([header, *rows]) + "\n")).tables["texts"]
    assert sorted(zip(texts["kind"], texts["text"], texts["identity"], strict=True)) == [
        ("gpt_description", "Drafts quotes", "ann@acme.test"),
        ("gpt_name", "Ann's helper", "ann@acme.test"),
        ("gpt_name", "Ann's helper", "ann@acme.test"),  # one per period: a later report may rename it
    ]
