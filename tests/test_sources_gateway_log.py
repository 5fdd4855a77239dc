"""The kit's own gateway-log CSV: requests, throttled requests and tokens per user, tool and UTC day."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from adoption_kit import sources
from adoption_kit.errors import InputFileError
from adoption_kit.sources import gateway_log

HEADER = "timestamp,user,model,tokens_in,tokens_out,status,latency_ms,endpoint,provider"
LOG = [
    HEADER,
    "2026-03-02T09:00:00Z,ann@acme.test,gpt-4o,1200,300,200,850,/v1/chat/completions,openai",
    "2026-03-02T09:00:01Z,ann@acme.test,gpt-4o,,,429,12,/v1/chat/completions,openai",
    "2026-03-02T23:30:00-02:00,ann@acme.test,gpt-4o-mini,100,20,200,400,/v1/chat/completions,",
    "2026-03-02T10:00:00+01:00,bo@acme.test,gpt-4o,50,0,500,3000,/v1/chat/completions,Azure_OpenAI",
    "2026-03-02T11:00:00,bo@acme.test,text-embedding-3-small,40,,200,30,/v1/embeddings,openai",
]


def _write(folder: Path, lines: list[str]) -> Path:
    path = folder / "gateway.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_when_reading_a_log_then_requests_throttles_and_tokens_add_up_per_user_day(tmp_path):
    extract = sources.read(_write(tmp_path, LOG))
    assert extract.source == "gateway_log" and extract.identity == "email"
    activity = extract.tables["activity"].set_index(["identity", "day"])
    # ann 2026-03-02: 2 requests (one throttled, its tokens empty): in 1200, out 300, 1 throttled
    # ann 2026-03-03: 23:30 at -02:00 is 01:30Z; empty provider = OpenAI: in 100, out 20
    # bo 2026-03-02: a failed request (500) is still a request; a time without offset is UTC: in 50 + 40,
    #   out 0 (the embedding's empty output is unknown, not zero)
    columns = ["events", "throttled", "tokens_in", "tokens_out"]
    assert {key: tuple(row) for key, row in activity[columns].iterrows()} == {
        ("ann@acme.test", pd.Timestamp("2026-03-02")): (2, 1, 1200, 300),
        ("ann@acme.test", pd.Timestamp("2026-03-03")): (1, 0, 100, 20),
        ("bo@acme.test", pd.Timestamp("2026-03-02")): (2, 0, 90, 0),
    }
    assert set(extract.tables["activity"]["tool"]) == {"openai_api"}
    assert set(extract.tables["activity"]["surface"]) == {"api"}
    assert extract.coverage == () and extract.unknown_fields == ()


def test_when_reading_a_log_then_requests_and_throttles_add_up_per_user_utc_hour(tmp_path):
    extract = sources.read(_write(tmp_path, LOG))
    hours = extract.tables["activity_hours"].set_index(["identity", "day", "hour"])
    # ann 09:00:00Z and 09:00:01Z (the 429): hour 9, 2 requests, 1 throttled; ann 23:30 at -02:00 is
    # 01:30Z the next day; bo 10:00 at +01:00 is 09:00Z; bo 11:00 without offset is UTC
    assert {key: tuple(row) for key, row in hours[["events", "throttled"]].iterrows()} == {
        ("ann@acme.test", pd.Timestamp("2026-03-02"), 9): (2, 1),
        ("ann@acme.test", pd.Timestamp("2026-03-03"), 1): (1, 0),
        ("bo@acme.test", pd.Timestamp("2026-03-02"), 9): (1, 0),
        ("bo@acme.test", pd.Timestamp("2026-03-02"), 11): (1, 0),
    }
    per_day = ["identity", "tool", "day"]
    activity = extract.tables["activity"].groupby(per_day)[["events", "throttled"]].sum()
    assert extract.tables["activity_hours"].groupby(per_day)[["events", "throttled"]].sum().equals(activity)


def test_when_a_log_has_an_extra_column_then_it_is_listed_and_ignored(tmp_path):
    lines = [f"{HEADER},manager_email", *(f"{line},boss@acme.test" for line in LOG[1:])]
    extract = gateway_log.read(_write(tmp_path, lines))
    assert extract.unknown_fields == ("manager_email",)
    assert "boss" not in "".join(table.to_string() for table in extract.tables.values())


def test_when_a_log_has_prompts_then_they_are_texts_of_their_caller_and_day(tmp_path):
    lines = [f"{HEADER},prompt", *(f"{line},summarise the Q3 deck" for line in LOG[1:])]
    texts = gateway_log.read(_write(tmp_path, lines)).tables["texts"]
    assert set(texts["kind"]) == {"prompt"} and set(texts["text"]) == {"summarise the Q3 deck"}
    assert set(zip(texts["identity"], texts["day"].dt.strftime("%Y-%m-%d"), strict=True)) == {
        ("ann@acme.test", "2026-03-02"),
        ("ann@acme.test", "2026-03-03"),
        ("bo@acme.test", "2026-03-02"),
    }


def test_when_the_user_column_is_missing_then_the_file_is_refused_naming_it(tmp_path):
    lines = [line.replace("user,", "who,", 1) for line in LOG[:1]] + LOG[1:]
    with pytest.raises(InputFileError) as error:
        gateway_log.read(_write(tmp_path, lines))
    assert error.value.column == "user" and error.value.path is not None


# fmt: off
BAD = [
    # (what is wrong, the file's lines, the row and column the error must name, words of the message)
    ("no status column", [HEADER.replace(",status", ""), LOG[1].replace(",200,", ",")], None, "status",
     "missing column"),
    ("tokens that are not a number", [HEADER, LOG[1], LOG[2].replace(",,,429", ",many,,429")], 3, "tokens_in",
     "a whole number"),
    ("a status that is not a number", [HEADER, LOG[1], LOG[2].replace(",429,", ",throttled,")], 3, "status",
     "a whole number"),
    ("a status that is not HTTP", [HEADER, LOG[1], LOG[2].replace(",429,", ",42,")], 3, "status",
     "an HTTP status"),
    ("an unknown provider", [HEADER, LOG[1], LOG[2].replace(",openai", ",mistral")], 3, "provider",
     "openai, azure_openai"),
    ("a row without a user", [HEADER, LOG[1], LOG[2].replace("ann@acme.test", "")], 3, "user",
     "email on every row"),
    ("a time that is not a time", [HEADER, LOG[1], LOG[2].replace("2026-03-02T09:00:01Z", "noon")], 3,
     "timestamp", "ISO-8601"),
]
# fmt: on


@pytest.mark.parametrize(("case", "lines", "row", "column", "says"), BAD, ids=[b[0] for b in BAD])
def test_when_a_log_is_bad_then_the_error_names_its_row_and_column(tmp_path, case, lines, row, column, says):
    path = _write(tmp_path, lines)
    with pytest.raises(InputFileError, match=says) as caught:
        sources.read(path)  # recognised even without a required column, so the reader can name it
    assert (caught.value.path, caught.value.row, caught.value.column) == (path, row, column)
