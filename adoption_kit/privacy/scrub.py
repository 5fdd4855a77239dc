"""Scrubbing free text: Presidio finds personal data, a keyed operator replaces it, all offline.

Finding and hiding are separate steps. ``Scrubber.find`` runs Presidio's analyzer with pattern recognizers
(email, phone, URL, IP address, credit card) and recognizers built from the roster (every employee's names in
several spellings, emails, logins and employee ids) and returns ``Span`` objects; ``Scrubber.scrub`` hands
those spans to Presidio's anonymizer, whose operator writes a keyed token from the kit's ``Pseudonymizer``
(linkable, unlike Presidio's ``hash``, which is salted at random per value) or an entity tag like
``<PERSON>``.

Offline by construction: a blank spaCy English pipeline (a trained spaCy model adds NER only when one is
installed; none is ever downloaded), lemmas filled from the lower-cased tokens so Presidio's context words
("phone", "email", "employee") still raise scores, and tldextract reading its bundled suffix list only.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import pandas as pd
import regex
import spacy
import tldextract
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    SpacyRecognizer,
    UrlRecognizer,
)
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from adoption_kit.privacy.pseudonym import Pseudonymizer, normalize_email

# Presidio's entity names -> the kit's.
ENTITY_TYPES = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "PERSON": "PERSON",
    "EMPLOYEE_ID": "EMPLOYEE_ID",
    "URL": "URL",
    "IP_ADDRESS": "IP_ADDRESS",
    "CREDIT_CARD": "CREDIT_CARD",
}
# Trained spaCy pipelines used for NER when installed, best first; never downloaded.
SPACY_MODELS = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm")
MIN_SCORE = 0.3
# National formats are read as these countries' numbers (``+`` numbers are read whatever the region).
PHONE_REGIONS = ("US", "GB", "DE", "FR", "IE", "NL", "ES", "IT", "SE", "PL", "IN", "CA", "AU", "BR", "JP")
# A single first or last name that is also an ordinary word is matched only inside a fuller name.
_MONTHS_AND_DAYS = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october"}
    | {"november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)
_COMMON_WORDS = frozenset(
    {"art", "bill", "page", "mark", "grace", "hope", "joy", "rose", "will", "young", "long", "park", "hall"}
    | {"green", "brown", "king", "case", "lane", "rich", "sky", "summer", "faith", "chase", "cash", "ray"}
)
# Presidio matches deny lists with the ``regex`` module: its \W decides where a listed spelling may start
# and end, and its case-insensitive matching is what ``_casefold`` reproduces.
_NON_WORD = regex.compile(r"\W")
_WORD_AT_BOTH_ENDS = regex.compile(r"\w(?:.*\w)?", flags=regex.DOTALL)
# Letters ``regex`` matches case-insensitively although Python's case mappings keep them apart (the Turkish
# dotted and dotless i, two Greek letters written two ways, the long-s-t ligature).
_FOLDS = {"\u0130": "i", "\u0131": "i", "\u1fd3": "\u0390", "\u1fe3": "\u03b0", "\ufb05": "\ufb06"}
_NOT_ALONE = frozenset(STOP_WORDS) | _MONTHS_AND_DAYS | _COMMON_WORDS

Replacement = Literal["token", "tag"]
# One person's full spellings and single names.
Spellings = tuple[set[str], set[str]]


@dataclass(frozen=True)
class Span:
    """One piece of personal data found in a text: ``text[start:end]`` is a ``type``."""

    start: int
    end: int
    type: str
    score: float


class Scrubber:
    """Finds personal data in free text and replaces it; build it once per roster with ``from_roster``."""

    def __init__(
        self,
        analyzer: AnalyzerEngine,
        *,
        pseudonymizer: Pseudonymizer,
        people: dict[str, str],
        replacement: Replacement = "token",
    ) -> None:
        self._analyzer = analyzer
        self._anonymizer = AnonymizerEngine()
        self._pseudonymizer = pseudonymizer
        self._people = people  # lower-cased name, login, email or id -> the person's identity email
        self.replacement = replacement

    @classmethod
    def from_roster(
        cls, roster: pd.DataFrame, *, pseudonymizer: Pseudonymizer, replacement: Replacement = "token"
    ) -> Scrubber:
        """A scrubber that knows the roster's people.

        ``roster`` is the frame ``adoption_kit.sources.roster.read(path).tables["roster"]`` returns.
        """
        spellings = _roster_spellings(roster)
        registry = RecognizerRegistry(supported_languages=["en"])
        for recognizer in [*_pattern_recognizers(), *_roster_recognizers(roster, spellings)]:
            registry.add_recognizer(recognizer)
        nlp_engine = OfflineSpacyNlpEngine()
        nlp_engine.load()
        if nlp_engine.has_ner:
            registry.add_recognizer(SpacyRecognizer(supported_entities=["PERSON"]))
        analyzer = AnalyzerEngine(nlp_engine=nlp_engine, registry=registry, supported_languages=["en"])
        people = _people(roster, spellings)
        return cls(analyzer, pseudonymizer=pseudonymizer, people=people, replacement=replacement)

    def find(self, text: str) -> list[Span]:
        """The personal data in ``text``, without overlaps (the longer span wins), in reading order."""
        results = self._analyzer.analyze(
            text, language="en", entities=list(ENTITY_TYPES), score_threshold=MIN_SCORE
        )
        spans = [Span(r.start, r.end, ENTITY_TYPES[r.entity_type], r.score) for r in results]
        return _without_overlaps(spans)

    def scrub(self, texts: pd.Series) -> pd.Series:
        """Each text with its personal data replaced; every distinct text is analyzed once."""
        distinct = texts.dropna().unique()
        table = {text: self.scrub_text(text) for text in distinct}
        return texts.map(table).astype(texts.dtype)

    def scrub_text(self, text: str) -> str:
        """One text with its personal data replaced by tokens or tags."""
        spans = self.find(text)
        if not spans:
            return text
        results = [RecognizerResult(s.type, s.start, s.end, s.score) for s in spans]
        operators = {kind: self._operator(kind) for kind in {s.type for s in spans}}
        return self._anonymizer.anonymize(text, results, operators=operators).text

    def _operator(self, kind: str) -> OperatorConfig:
        if self.replacement == "tag":
            return OperatorConfig("replace", {"new_value": f"<{kind}>"})
        return OperatorConfig("custom", {"lambda": lambda value: f"<{kind}:{self.token(kind, value)}>"})

    def token(self, kind: str, value: str) -> str:
        """The keyed token of one found value: a roster person's own pseudonym when the value names one."""
        person = self._people.get(_fold(value))
        if person is not None:
            return self._pseudonymizer.token(person)
        if kind == "EMAIL":
            return self._pseudonymizer.token(normalize_email(pd.Series([value])).iloc[0])
        if kind == "PHONE":
            return self._pseudonymizer.token("phone:" + re.sub(r"\D", "", value))
        return self._pseudonymizer.token(f"{kind.lower()}:{_fold(value)}")


class OfflineSpacyNlpEngine(SpacyNlpEngine):
    """spaCy for Presidio without downloads: an installed trained model if any, else a blank pipeline."""

    def __init__(self) -> None:
        super().__init__(models=[{"lang_code": "en", "model_name": "blank:en"}])
        self.has_ner = False

    def load(self) -> None:
        installed = [name for name in SPACY_MODELS if spacy.util.is_package(name)]
        if installed:
            self.nlp = {"en": spacy.load(installed[0])}
            self.has_ner = "ner" in self.nlp["en"].pipe_names
        else:
            self.nlp = {"en": spacy.blank("en")}

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        # A blank pipeline leaves every lemma empty, which silently turns off context-word boosting.
        artifacts = super()._doc_to_nlp_artifact(doc, language)
        artifacts.lemmas = [token.lemma_ or token.lower_ for token in doc]
        artifacts.keywords = artifacts.set_keywords(self, artifacts.lemmas, language)
        return artifacts


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's email recognizer, checking domains against tldextract's bundled suffix list only."""

    _extract = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)

    def validate_result(self, pattern_text: str) -> bool:
        return self._extract(pattern_text).fqdn != ""


class InternationalPhoneRecognizer(PatternRecognizer):
    """``+`` numbers that phonenumbers rejects as unissued (the UK's 07700 900xxx range): 8 to 15 digits."""

    PATTERN = r"(?<![\w+])\+\d{1,3}(?:[ .\-]?\(?\d{1,5}\)?){2,6}(?!\w)"

    def __init__(self) -> None:
        super().__init__(
            supported_entity="PHONE_NUMBER",
            name="InternationalPhoneRecognizer",
            patterns=[Pattern("international phone", self.PATTERN, 0.4)],
            context=list(PhoneRecognizer.CONTEXT),
        )

    def validate_result(self, pattern_text: str) -> bool:
        return 8 <= len(re.sub(r"\D", "", pattern_text)) <= 15


def _pattern_recognizers() -> list[PatternRecognizer]:
    return [
        OfflineEmailRecognizer(),
        PhoneRecognizer(supported_regions=PHONE_REGIONS),
        InternationalPhoneRecognizer(),
        UrlRecognizer(),
        IpRecognizer(),
        CreditCardRecognizer(),
    ]


class RosterLookupRecognizer(EntityRecognizer):
    """A deny list looked up word by word instead of compiled into one regex alternation of every entry.

    It finds what Presidio's ``PatternRecognizer(deny_list=...)`` finds: entries in any case, standing
    between non-word characters (or the ends of the text), the longest entry at each place, no overlaps.
    The text is split once at its non-word characters and each stretch from one split to another, up to the
    longest entry's length, is looked up in a set, so the time per text does not grow with the roster.
    """

    def __init__(self, spellings: Iterable[str], *, entity: str, name: str, score: float) -> None:
        self._spellings = frozenset(_casefold(spelling) for spelling in spellings if spelling)
        self._lengths = frozenset(map(len, self._spellings))
        self._longest = max(self._lengths, default=0)
        self._score = score
        super().__init__(supported_entities=[entity], name=name)

    def load(self) -> None:
        """Nothing to load: the spellings are given."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        metadata = {
            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
        }
        entity = self.supported_entities[0]
        return [
            RecognizerResult(entity, start, end, self._score, recognition_metadata=dict(metadata))
            for start, end in self.spans(text)
        ]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where listed spellings stand in ``text``, left to right: (start, end) pairs."""
        if not self._spellings:
            return []
        folded = _casefold(text)
        splits = [match.start() for match in _NON_WORD.finditer(text)]
        starts, ends = [0, *(split + 1 for split in splits)], [*splits, len(text)]
        found: list[tuple[int, int]] = []
        reached = 0
        for start in starts:
            if start < reached:
                continue
            reachable = ends[bisect_right(ends, start) : bisect_right(ends, start + self._longest)]
            for end in reversed(reachable):
                if end - start in self._lengths and folded[start:end] in self._spellings:
                    found.append((start, end))
                    reached = end
                    break
        return found


def _roster_recognizers(roster: pd.DataFrame, spellings: list[Spellings]) -> list[EntityRecognizer]:
    """Every roster spelling of a person and every roster employee id (looked up), and the ids' shapes."""
    full, single = _name_variants(spellings)
    ids = roster["employee_id"].dropna().astype("str").str.strip()
    listed = [value for value in ids.unique().tolist() if _WORD_AT_BOTH_ENDS.fullmatch(value)]
    recognizers: list[EntityRecognizer] = [
        RosterLookupRecognizer(full, entity="PERSON", name="RosterFullNames", score=1.0),
        RosterLookupRecognizer(single, entity="PERSON", name="RosterSingleNames", score=0.85),
        RosterLookupRecognizer(listed, entity="EMPLOYEE_ID", name="RosterEmployeeIdList", score=1.0),
    ]
    shapes = sorted(
        {_id_shape(value) for value in ids.tolist() if re.fullmatch(r"[A-Za-z]+[-_]?\d{4,}", value)}
    )
    patterns = [Pattern(f"employee id {shape}", rf"\b{shape}\b", 0.6) for shape in shapes]
    # An id that starts or ends with a non-word character needs \b's own rule: the few such stay a regex.
    patterns += [Pattern("roster employee id", _alternation(set(ids) - set(listed)), 1.0)]
    recognizers.append(
        PatternRecognizer(
            supported_entity="EMPLOYEE_ID",
            name="RosterEmployeeIds",
            patterns=patterns,
            context=["employee", "id", "badge", "personnel", "staff"],
        )
    )
    return recognizers


def _name_variants(spellings: list[Spellings]) -> tuple[set[str], set[str]]:
    """Full spellings (``Ann Lee``, ``Lee, Ann``, ``ann.lee``, logins) and the single names safe alone."""
    full: set[str] = set()
    single: set[str] = set()
    for person_full, person_single in spellings:
        full |= person_full
        single |= {name for name in person_single if _safe_alone(name)}
    full = {variant for variant in full if len(variant) >= 3}
    return full, single - full


def _people(roster: pd.DataFrame, spellings: list[Spellings]) -> dict[str, str]:
    """Each unambiguous spelling of a person (lower-cased) -> their normalized identity email."""
    owners: dict[str, set[str]] = {}
    identities = normalize_email(roster["identity"]).tolist()
    ids = roster["employee_id"].astype("object").map(str).tolist()
    for identity, (full, single), employee_id in zip(identities, spellings, ids, strict=True):
        for spelling in full | single | {employee_id}:
            owners.setdefault(_fold(spelling), set()).add(identity)
    return {spelling: next(iter(who)) for spelling, who in owners.items() if len(who) == 1}


def _roster_spellings(roster: pd.DataFrame) -> list[Spellings]:
    """Each person's spellings (``_spellings``), in roster order."""
    columns = [name for name in ("identity", "aliases", "github_login", "full_name") if name in roster]
    return [_spellings(row) for row in roster[columns].astype("object").to_dict("records")]


def _spellings(row: dict) -> tuple[set[str], set[str]]:
    """One person's full spellings (names, logins, emails and their local parts) and single names."""
    emails = [str(row["identity"])]
    if isinstance(row.get("aliases"), str):
        emails += [alias.strip() for alias in row["aliases"].split(";") if alias.strip()]
    full = set(emails) | {email.split("@")[0].split("+")[0] for email in emails}
    if isinstance(row.get("github_login"), str) and row["github_login"].strip():
        full.add(row["github_login"].strip())
    parts = row["full_name"].split() if isinstance(row.get("full_name"), str) else []
    if len(parts) >= 2:
        first, last = parts[0], parts[-1]
        full |= {" ".join(parts), f"{first} {last}", f"{last}, {first}", f"{last} {first}", f"{first}.{last}"}
        full |= {f"{first}_{last}", f"{first[0]}. {last}", f"{first[0]}{last}"}
        if len(parts) > 2:
            full.add(" ".join(parts[1:]))  # a compound last name such as "van der Berg"
    single = set(parts)
    return full | {_ascii(s) for s in full}, single | {_ascii(s) for s in single}


def _ascii(name: str) -> str:
    """A name as typed without accents: ``Zoë Müller`` -> ``Zoe Muller``, ``O’Brien`` -> ``O'Brien``."""
    if name.isascii():
        return name
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _safe_alone(name: str) -> bool:
    folded = name.lower()
    return len(name) >= 3 and folded not in _NOT_ALONE


def _id_shape(employee_id: str) -> str:
    """``E004217`` -> ``E\\d{6}``: the prefix kept, the digits generalized, so leavers' ids are found too."""
    return re.sub(r"\d+", lambda digits: rf"\d{{{len(digits.group())}}}", re.escape(employee_id))


def _alternation(values: Iterable[str]) -> str:
    escaped = sorted({re.escape(v) for v in values if v}, key=len, reverse=True)
    return r"\b(?:" + "|".join(escaped) + r")\b" if escaped else r"(?!x)x"


def _fold(value: str) -> str:
    return " ".join(value.split()).lower().removesuffix("'s").removesuffix("’s")


def _casefold(text: str) -> str:
    """``text`` case-folded one character for one (so positions hold), as ``regex`` ignores case."""
    return text.lower() if text.isascii() else "".join(map(_casefold_letter, text))


@lru_cache(maxsize=4096)
def _casefold_letter(letter: str) -> str:
    letter = _FOLDS.get(letter, letter)
    return next((f for f in (letter.casefold(), letter.lower()) if len(f) == 1), letter)


def _without_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the longest of overlapping spans (then the highest score): a name inside a URL stays the URL."""
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), -s.score, s.start)):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
