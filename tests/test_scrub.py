"""The free-text scrubber: what it finds in the labelled corpus, what it spares, that it stays offline."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import regex
from presidio_analyzer import PatternRecognizer

from adoption_kit.identities import token_of
from adoption_kit.privacy.pseudonym import Pseudonymizer
from adoption_kit.privacy.scrub import RosterLookupRecognizer, Scrubber, _casefold
from adoption_kit.sources import roster

REPO = Path(__file__).resolve().parents[1]
ROSTER = REPO / "tests" / "scrub_roster.csv"
KEY = bytes(range(32))

_spec = importlib.util.spec_from_file_location("scrub_quality", REPO / "benchmarks" / "scrub_quality.py")
scrub_quality = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scrub_quality)


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    return roster.read(ROSTER).tables["roster"]


@pytest.fixture(scope="module")
def scrubber(people) -> Scrubber:
    return Scrubber.from_roster(people, pseudonymizer=Pseudonymizer(KEY))


@pytest.fixture(scope="module")
def corpus_quality(scrubber) -> pd.DataFrame:
    corpus = scrub_quality.load_corpus()
    return scrub_quality.quality([scrubber.find(s["text"]) for s in corpus], corpus)


def test_when_the_corpus_is_read_then_it_has_at_least_300_labelled_sentences():
    corpus = scrub_quality.load_corpus()
    assert len(corpus) >= 300
    assert {e["type"] for s in corpus for e in s["entities"]} == {
        "EMAIL",
        "PHONE",
        "PERSON",
        "EMPLOYEE_ID",
        "URL",
    }
    assert all(s["text"][e["start"] : e["end"]].strip() for s in corpus for e in s["entities"])


@pytest.mark.parametrize("kind", sorted(scrub_quality.RECALL_TARGETS))
def test_when_the_corpus_is_scrubbed_then_recall_meets_the_target(corpus_quality, kind):
    assert corpus_quality.loc[kind, "recall"] >= scrub_quality.RECALL_TARGETS[kind]


def test_when_the_corpus_is_scrubbed_then_every_labelled_type_is_precise(corpus_quality):
    assert (corpus_quality["precision"] >= 0.95).all(), corpus_quality


@pytest.mark.parametrize(
    "text",
    [
        "Q3 planning for Team Phoenix",  # a quarter and a team name
        "PR 4512: bump presidio to 2.2.366",  # a pull request and a version number
        "Compare GPT-5, Claude Sonnet and Gemini 2.5 Pro",  # product names with numbers
        "The May release ships on 2026-05-04",  # "May" the month, while May Chen is on the roster
        "Mark the ticket as done; Grace period ends in June",  # first names of roster people used as words
        "Park the Long-term roadmap; Young talent program",  # last names of roster people used as words
        "Invoice 2026-0042 for 1,200 seats at $19",  # invoice, counts and prices
        "Sprint 42 demo at 10:30 in room 4B, ticket INC-20931",  # times, rooms, tickets
        "Build 20251124.3 failed; Python 3.12; port 8080",  # build ids and port numbers
        "Email the team and call the /v1/responses endpoint",  # context words with nothing to boost
        "Engineering / Core on-call handbook, Sales East pipeline",  # department and team names
    ],
)
def test_when_a_decoy_is_analyzed_then_nothing_is_found(scrubber, text):
    assert scrubber.find(text) == []


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Draft email to Maria Garcia about Q3", "Maria Garcia"),  # full name
        ("Forecast GPT - Lee, Ann", "Lee, Ann"),  # "Last, First"
        ("what did maria garcia say?", "maria garcia"),  # lower case
        ("Maria's interview prep", "Maria"),  # possessive first name
        ("zoe muller's brand kit", "zoe muller"),  # no accents, for Zoë Müller
        ("Ask Priya about the runbook", "Priya"),  # first name alone
        ("@mgarcia can you review?", "mgarcia"),  # GitHub login
        ("Reach me at maria.garcia+ai@acme.com", "maria.garcia+ai@acme.com"),  # plus-addressed email
        ("call me on +44 7700 900461", "+44 7700 900461"),  # an unissued UK mobile number
        ("badge E004137 deactivated", "E004137"),  # roster employee id
        ("employee E009999 left in May", "E009999"),  # a leaver's id in the roster's format
        ("see https://wiki.acme.com/people/maria.garcia", "maria.garcia"),  # a name inside a URL
    ],
)
def test_when_personal_data_is_scrubbed_then_it_is_gone(scrubber, text, hidden):
    scrubbed = scrubber.scrub(pd.Series([text])).iloc[0]
    assert hidden.lower() not in scrubbed.lower()
    assert "<" in scrubbed


def test_when_the_same_text_is_scrubbed_with_the_same_key_then_the_token_is_the_same(people):
    text = pd.Series(["Ask Maria Garcia (+1 415 555 0134)"])
    first = Scrubber.from_roster(people, pseudonymizer=Pseudonymizer(KEY)).scrub(text)
    again = Scrubber.from_roster(people, pseudonymizer=Pseudonymizer(KEY)).scrub(text)
    other = Scrubber.from_roster(people, pseudonymizer=Pseudonymizer(bytes(32))).scrub(text)
    assert first.iloc[0] == again.iloc[0]
    assert first.iloc[0] != other.iloc[0]


def test_when_a_person_is_named_several_ways_then_each_becomes_their_person_id(scrubber, people):
    person_id = token_of(
        "email", people.loc[people["full_name"] == "Maria Garcia", "identity"], Pseudonymizer(KEY)
    )
    texts = pd.Series(["Maria Garcia", "Garcia, Maria", "maria's notes", "MARIA.GARCIA@acme.com", "E004137"])
    scrubbed = scrubber.scrub(texts)
    assert scrubbed.str.contains(person_id.iloc[0], regex=False).all(), scrubbed.tolist()


def test_when_tags_are_asked_for_then_entities_become_tags(people):
    tagger = Scrubber.from_roster(people, pseudonymizer=Pseudonymizer(KEY), replacement="tag")
    scrubbed = tagger.scrub(pd.Series(["Lee, Ann wrote to ann.lee@acme.com from 415-555-0111"]))
    assert scrubbed.iloc[0] == "<PERSON> wrote to <EMAIL> from <PHONE>"


def test_when_texts_repeat_then_each_distinct_text_is_analyzed_once(scrubber, monkeypatch):
    seen = []
    original = scrubber.find
    monkeypatch.setattr(scrubber, "find", lambda text: seen.append(text) or original(text))
    texts = pd.Series(["Ask Priya", "Ask Priya", None, "No names here", "Ask Priya"])
    scrubbed = scrubber.scrub(texts)
    assert sorted(seen) == ["Ask Priya", "No names here"]
    assert scrubbed.isna().tolist() == [False, False, True, False, False]


def test_when_sockets_are_disabled_then_analysis_still_works(scrubber, monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    spans = scrubber.find("Mail sam@vendor-labs.com or see https://github.com/mgarcia, tel +49 30 901820")
    assert [span.type for span in spans] == ["EMAIL", "URL", "PHONE"]


def test_when_the_first_scrubber_is_built_then_nothing_is_downloaded(tmp_path):
    # A fresh interpreter: Presidio, spaCy and tldextract load for the first time with sockets disabled and
    # spaCy's downloader booby-trapped; tldextract's cache directory must stay empty.
    script = textwrap.dedent(
        f"""
        import socket
        class NoSocket(socket.socket):
            def __init__(self, *args, **kwargs):
                raise OSError("network disabled in this test")
        socket.socket = NoSocket
        import spacy.cli
        def no_download(*args, **kwargs):
            raise AssertionError("spaCy tried to download a model")
        spacy.cli.download = no_download
        from pathlib import Path
        from adoption_kit.privacy.pseudonym import Pseudonymizer
        from adoption_kit.privacy.scrub import Scrubber
        from adoption_kit.sources import roster
        people = roster.read(Path({str(ROSTER)!r})).tables["roster"]
        scrubber = Scrubber.from_roster(people, pseudonymizer=Pseudonymizer(bytes(range(32))))
        print([span.type for span in scrubber.find("ann.lee@acme.com, My phone number is 212-555-0199")])
        """
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    env.pop("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", None)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['EMAIL', 'PHONE']"
    assert "Traceback" not in run.stderr and "Download" not in run.stderr
    assert not (tmp_path / "cache" / "python-tldextract").exists()


def test_when_context_words_surround_a_phone_number_then_its_score_rises(scrubber):
    # A blank spaCy pipeline has no lemmas; without the fix Presidio's context words never match.
    plain = scrubber.find("212-555-0199")[0].score
    with_context = scrubber.find("My phone number is 212-555-0199")[0].score
    assert with_context > plain


DENY_LIST = ["Ann Lee", "Lee, Ann", "ann.lee@acme.com", "Ann", "Lee", "O'Brien", "Zoë Müller", "Jr.", "Kai"]


@pytest.mark.parametrize(
    "text",
    [
        "ann lee and ANN LEE and Ann Lee",  # any case
        "Ann Lee's plan; Lee, Ann wrote",  # possessive, "Last, First"
        "mail ann.lee@acme.com now",  # an email: the longest entry at a place wins over "Ann"
        "Annabel Leeds and Ann-Lee",  # inside longer words no entry stands; hyphens split words
        "Ann Lee Ann Lee Ann",  # repeated and adjacent: matches do not overlap
        "o'brien, Jr. and Jr.x",  # entries with punctuation inside or at their end
        "zoë müller ZOË MÜLLER zoe muller",  # accents: case-folded, not stripped
        "\u212aai, ſ, İ, ı and kai",  # letters the regex module folds its own way (Kelvin sign)
        "",  # nothing at all
        "Ann\nLee\tAnn_Lee",  # newlines and tabs split words; underscores do not
    ],
)
def test_when_a_deny_list_is_looked_up_then_it_finds_what_presidio_s_regex_finds(text):
    # the roster recognizer replaces Presidio's deny-list alternation: same matches, time independent of size
    presidio = PatternRecognizer(supported_entity="PERSON", deny_list=DENY_LIST).analyze(text, ["PERSON"])
    lookup = RosterLookupRecognizer(DENY_LIST, entity="PERSON", name="list", score=1.0).spans(text)
    assert lookup == sorted((r.start, r.end) for r in presidio)


def test_when_letters_are_case_folded_then_every_pair_regex_matches_folds_alike():
    # Latin, Greek, Cyrillic and Armenian letters and the Latin ligatures: regex ignoring case never
    # matches two letters that fold differently (so no roster spelling is missed for its case)
    letters = "".join(
        chr(code)
        for code in [*range(0x41, 0x590), *range(0x1E00, 0x2000), *range(0xFB00, 0xFB07)]
        if chr(code).lower() != chr(code).upper() or chr(code).casefold() != chr(code)
    )
    for letter in letters:
        for match in regex.findall(regex.escape(letter), letters, flags=regex.IGNORECASE):
            assert _casefold(match) == _casefold(letter), (letter, match)
