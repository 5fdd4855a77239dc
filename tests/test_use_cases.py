"""Prompts classified by the keyword rules: first matching category in the listed order, else other."""

from __future__ import annotations

import pandas as pd
import pytest

from adoption_kit.errors import ConfigError
from adoption_kit.use_cases import UseCaseRules, prompt_tasks

RULES = UseCaseRules.from_mapping(
    {"coding": [r"\bsql\b", "python"], "summarization": ["summar", "tl;?dr"], "writing": ["draft", "email"]}
)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Explain this SQL error", "coding"),  # a keyword as a word
        ("Summarise the churn numbers", "summarization"),  # a keyword as the start of a word
        ("TLDR of the board minutes", "summarization"),  # a regular expression, upper case
        ("Draft an email summarising the Python migration", "coding"),  # three match: the first listed wins
        ("Draft an email to the team", "writing"),
        ("Plan the offsite", "other"),  # nothing matches
        ("Results of the sqlite migration", "other"),  # \b keeps "sql" from matching inside a word
    ],
)
def test_when_a_prompt_is_classified_then_the_first_matching_category_wins(text, category):
    assert RULES.classify(pd.Series([text], dtype="str")).tolist() == [category]


def test_when_the_order_of_the_rules_changes_then_the_winner_changes():
    writing_first = UseCaseRules.from_mapping({"writing": ["draft"], "coding": ["python"]})
    assert writing_first.classify(pd.Series(["Draft the Python guide"], dtype="str")).tolist() == ["writing"]


def test_when_no_rules_are_configured_then_the_defaults_classify():
    assert UseCaseRules.from_mapping(None) == UseCaseRules()
    texts = pd.Series(["Fix the bug in this function", "Summarize the contract"], dtype="str")
    assert UseCaseRules().classify(texts).tolist() == ["coding", "summarization"]


@pytest.mark.parametrize(
    ("configured", "column"),
    [
        ({"poetry": ["sonnet"]}, "use_cases.poetry"),  # a category outside the vocabulary
        ({"other": ["misc"]}, "use_cases.other"),  # other is what nothing matches, not a rule
        ({"coding": ["(unclosed"]}, "use_cases.coding"),  # an invalid regular expression
        ({"coding": "python"}, "use_cases.coding"),  # a string, not a list
        ({"coding": []}, "use_cases.coding"),  # an empty list
        ({"writing": [""]}, "use_cases.writing"),  # an empty keyword would match every prompt
    ],
)
def test_when_a_rule_is_bad_then_a_config_error_names_its_key(configured, column):
    with pytest.raises(ConfigError) as raised:
        UseCaseRules.from_mapping(configured)
    assert raised.value.column == column


def test_when_prompts_are_stored_then_each_is_one_event_of_its_category_per_person_tool_and_day():
    day, next_day = pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-03")
    texts = pd.DataFrame(
        {
            "person_id": ["p1", "p1", "p1", "p1", None, "p2"],
            "tool": ["openai_api"] * 5 + [None],
            "kind": ["prompt", "prompt", "prompt", "gpt_name", "prompt", "prompt"],
            "day": [day, day, next_day, day, day, day],
            "text": ["Explain the SQL", "Python please", "Draft it", "SQL Buddy", "SQL", "SQL"],
        }
    )
    tasks = prompt_tasks(texts, RULES)
    # p1: two coding prompts on 03-02 and one writing prompt on 03-03; the GPT name is no prompt, and
    # prompts without a person or a tool are left out.
    assert tasks.values.tolist() == [
        ["p1", "openai_api", day, "day", "coding", 2, "prompt_rules"],
        ["p1", "openai_api", next_day, "day", "writing", 1, "prompt_rules"],
    ]
    assert list(tasks.columns) == ["person_id", "tool", "day", "grain", "category", "events", "source"]
