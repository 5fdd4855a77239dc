"""Precision and recall of the free-text scrubber on the labelled corpus, per entity type, and its speed.

    .venv/bin/python benchmarks/scrub_quality.py [--corpus CORPUS.jsonl] [--roster ROSTER.csv]

The defaults are ``tests/scrub_corpus.jsonl`` and ``tests/scrub_roster.csv``.

A found span hits a labelled span of the same type when the two overlap. ``recall_any`` also counts a
labelled span covered by a span of another type (still hidden, so no leak). ``tests/test_scrub.py`` checks
the recall targets with ``quality`` below.
"""

from __future__ import annotations

import argparse
import json
import secrets
import time
from pathlib import Path

import pandas as pd

from adoption_kit.privacy.pseudonym import Pseudonymizer
from adoption_kit.privacy.scrub import Scrubber, Span
from adoption_kit.sources import roster

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "scrub_corpus.jsonl"
ROSTER = REPO / "tests" / "scrub_roster.csv"
RECALL_TARGETS = {"EMAIL": 0.98, "PHONE": 0.98, "PERSON": 0.98}


def load_corpus(path: Path = CORPUS) -> list[dict]:
    """The labelled sentences: ``{"text": ..., "entities": [{"start", "end", "type"}, ...]}`` per line."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def scrubber_for(roster_path: Path = ROSTER) -> Scrubber:
    """A scrubber for the fixture roster under a throw-away key."""
    frame = roster.read(roster_path).tables["roster"]
    return Scrubber.from_roster(frame, pseudonymizer=Pseudonymizer(secrets.token_bytes(32)))


def quality(found: list[list[Span]], corpus: list[dict]) -> pd.DataFrame:
    """One row per entity type: labelled, found, hits, precision, recall and recall_any."""
    rows = []
    for spans, sentence in zip(found, corpus, strict=True):
        labels = sentence["entities"]
        for label in labels:
            same = [s for s in spans if s.type == label["type"] and _overlap(s, label)]
            rows.append({"type": label["type"], "side": "label", "hit": bool(same)})
            rows.append(
                {"type": label["type"], "side": "covered", "hit": any(_overlap(s, label) for s in spans)}
            )
        for span in spans:
            hit = any(label["type"] == span.type and _overlap(span, label) for label in labels)
            rows.append({"type": span.type, "side": "found", "hit": hit})
    table = pd.DataFrame(rows, columns=["type", "side", "hit"])
    counts = table.pivot_table(
        index="type", columns="side", values="hit", aggfunc=["size", "sum"], fill_value=0
    )
    result = pd.DataFrame(
        {
            "labelled": counts.get(("size", "label"), 0),
            "found": counts.get(("size", "found"), 0),
            "precision": counts.get(("sum", "found"), 0) / counts.get(("size", "found"), 0),
            "recall": counts.get(("sum", "label"), 0) / counts.get(("size", "label"), 0),
            "recall_any": counts.get(("sum", "covered"), 0) / counts.get(("size", "covered"), 0),
        }
    )
    return result.astype({"labelled": "int64", "found": "int64"})


def _overlap(span: Span, label: dict) -> bool:
    return span.start < label["end"] and label["start"] < span.end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--roster", type=Path, default=ROSTER)
    arguments = parser.parse_args()
    started = time.perf_counter()
    scrubber = scrubber_for(arguments.roster)
    built = time.perf_counter() - started
    corpus = load_corpus(arguments.corpus)
    scrubber.find("warm-up: Presidio compiles its patterns on first use")
    started = time.perf_counter()
    found = [scrubber.find(sentence["text"]) for sentence in corpus]
    per_thousand = (time.perf_counter() - started) / len(corpus) * 1000
    started = time.perf_counter()
    scrubber.scrub(pd.Series([sentence["text"] for sentence in corpus]))
    scrub_per_thousand = (time.perf_counter() - started) / len(corpus) * 1000
    print(f"{len(corpus)} sentences, {sum(len(s['entities']) for s in corpus)} labelled spans")
    print(quality(found, corpus).round(3).to_string())
    print(f"scrubber built in {built:.2f} s")
    print(f"find: {per_thousand:.2f} s per 1,000 texts")
    print(f"scrub (find + replace): {scrub_per_thousand:.2f} s per 1,000 texts")


if __name__ == "__main__":
    main()
