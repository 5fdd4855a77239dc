"""Use cases of scrubbed prompts, by the keyword rules of the parameters (``use_cases:`` in org.yaml).

A rule set lists categories in order, each with keywords or regular expressions searched case-insensitively
in the prompt (a plain word is a regular expression too). The first category with a match wins; a prompt
no rule matches is ``other``. Classification only ever sees text that ingest has scrubbed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from adoption_kit.errors import ConfigError
from adoption_kit.schema import TASK_CATEGORIES

OTHER = "other"
PROMPT = "prompt"  # the kind of text that is classified
SOURCE = "prompt_rules"
KEYS = ["person_id", "tool", "day", "grain", "category", "source"]
EXPECTED = (
    f"categories among {', '.join(c for c in TASK_CATEGORIES if c != OTHER)}, each with a list of keywords or"
    " regular expressions (no match is other)"
)
DEFAULT_RULES: dict[str, tuple[str, ...]] = {
    "coding": (r"\bcode\b", r"\bsql\b", r"\bbug", r"\bdebug", r"stack ?trace", r"\berror\b", "refactor",
               r"unit tests?", "regex", r"\bscript", "python", r"pull request", "function"),
    "data_analysis": ("analy[sz]", r"\bchurn", "forecast", "spreadsheet", r"\bchart", r"\bpivot", "numbers",
                      "dashboard", "trend", "classify", "variance", "cohort"),
    "image": (r"\bimage", r"\blogo", "illustration", "picture", r"\bicon"),
    "summarization": ("summar", r"tl;?dr", "key points", "condense", "action items", "minutes of"),
    "research": ("research", "compare", "find sources", "precedent", "case law", "what is", "background on",
                 "competitor", "market size", "explain"),
    "writing": ("draft", "rewrite", "write", "proofread", "translate", "email", "talking points", "blog",
                "announcement", "tone", "job description"),
}  # fmt: skip


@dataclass(frozen=True)
class UseCaseRules:
    """Categories in the order they are tried, each with its patterns (already checked to compile)."""

    rules: tuple[tuple[str, tuple[str, ...]], ...] = tuple(DEFAULT_RULES.items())

    @classmethod
    def from_mapping(cls, configured: Mapping[str, Any] | None, *, path: Path | None = None) -> UseCaseRules:
        """Rules from the ``use_cases`` section (defaults when it is left out); a bad one names its key."""
        if not configured:
            return cls()
        for category, patterns in configured.items():
            _check(category, patterns, path=path)
        return cls(tuple((category, tuple(map(str, patterns))) for category, patterns in configured.items()))

    def classify(self, texts: pd.Series) -> pd.Series:
        """The category of each text: one vectorized search per category, first match wins."""
        category = pd.Series(OTHER, index=texts.index, dtype="str")
        undecided = pd.Series(True, index=texts.index)
        for name, patterns in self.rules:
            alternatives = "|".join(f"(?:{pattern})" for pattern in patterns)
            hit = undecided & texts.str.contains(alternatives, flags=re.IGNORECASE, regex=True, na=False)
            category = category.mask(hit, name)
            undecided &= ~hit
        return category


def prompt_tasks(texts: pd.DataFrame, rules: UseCaseRules) -> pd.DataFrame:
    """``tasks`` rows from the prompts of the ``texts`` table: each prompt is one event of its category."""
    prompts = texts.loc[texts["kind"].eq(PROMPT) & texts["person_id"].notna() & texts["tool"].notna()]
    classified = prompts.assign(category=rules.classify(prompts["text"]), grain="day", source=SOURCE)
    counted = classified.groupby(KEYS, as_index=False, sort=True).size()
    return counted.rename(columns={"size": "events"})[[*KEYS[:-1], "events", "source"]]


def _check(category: str, patterns: Any, *, path: Path | None) -> None:
    """A known category other than ``other`` with a non-empty list of patterns that compile."""
    key = f"use_cases.{category}"
    if category not in TASK_CATEGORIES or category == OTHER:
        raise ConfigError(f"{key}: unknown category", path=path, column=key, expected=EXPECTED)
    if not isinstance(patterns, list | tuple) or not patterns:
        raise ConfigError(f"{key}: not a list of keywords", path=path, column=key, expected=EXPECTED)
    for pattern in patterns:
        if not str(pattern).strip():
            raise ConfigError(
                f"{key}: an empty keyword matches every prompt", path=path, column=key, expected=EXPECTED
            )
        try:
            re.compile(str(pattern))
        except re.error as error:
            raise ConfigError(
                f"{key}: {pattern!r} is not a regular expression ({error})",
                path=path,
                column=key,
                expected=EXPECTED,
            ) from error
