"""The FAQ knowledge base: read and check the YAML, and answer an inquiry that closely matches an entry."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from services.classifier.char_ngrams import CosineIndex
from services.classifier.language import detect
from services.classifier.terms import IndexedText, Term, TermIndex, parse_term
from services.classifier.text import tokens

DEFAULT_FAQ = Path(__file__).with_name("faq.yaml")
LANGUAGES = ("en", "ar")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,62}$")

# Defaults of the matcher's thresholds, measured on the shipped knowledge base with the unit tests'
# paraphrases and near misses. A lower confidence answers more questions automatically and, now and
# then, the wrong one; a customer given a wrong answer must ask again, so precision comes first.
MIN_CONFIDENCE = 0.6
# How far the best entry must lead the runner-up: two entries scoring alike mean the question is
# ambiguous between them ("fees for transfers" vs "how long transfers take"), so nobody answers.
MIN_MARGIN = 0.1
# When the classifier passes its intent: how sure it must be for that intent alone to pick the entry
# (wording the knowledge base does not know). Lower answers more paraphrases; the model's mistakes
# then become wrong answers.
MIN_INTENT_CONFIDENCE = 0.9
# Longer inquiries are stories, not frequent questions: they go to a person (and are not scored).
MAX_CHARS = 300


class FaqError(ValueError):
    """The knowledge base cannot be used; the message names the file and the place in it."""


@dataclass(frozen=True)
class Entry:
    id: str
    queue: str
    # The classifier's intents this entry answers; empty: any (the wording alone decides).
    intents: frozenset[str]
    # Wordings of the question, per language.
    questions: Mapping[str, tuple[str, ...]]
    # The answer, per language; at least one.
    answers: Mapping[str, str]


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    entries: tuple[Entry, ...]
    never_answer: tuple[Term, ...]
    never_answer_intents: frozenset[str]


@dataclass(frozen=True)
class FaqMatch:
    id: str
    queue: str
    answer: str
    # The answer's language: the inquiry's when the entry has it.
    language: str
    # The cosine similarity with the closest wording of the question, in [0, 1].
    confidence: float


def _fail(where: str, problem: str) -> FaqError:
    return FaqError(f"{where}: {problem}")


def _texts(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(t, str) and t.strip() for t in raw):
        raise _fail(where, "must be a list of non-empty texts")
    return tuple(t.strip() for t in raw)


def _per_language(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or not raw:
        raise _fail(where, f"must map languages ({', '.join(LANGUAGES)}) to values")
    unknown = set(raw) - set(LANGUAGES)
    if unknown:
        raise _fail(where, f"unknown language {sorted(map(str, unknown))[0]!r}; use {', '.join(LANGUAGES)}")
    return raw


def _entry(raw: Any, where: str) -> Entry:
    if not isinstance(raw, dict):
        raise _fail(where, "must be a mapping with id, queue, questions and answer")
    extra = set(raw) - {"id", "queue", "intents", "questions", "answer"}
    if extra:
        raise _fail(where, f"unknown key {sorted(map(str, extra))[0]!r}")
    for key in ("id", "queue", "questions", "answer"):
        if key not in raw:
            raise _fail(where, f"{key!r} is missing")
    if not isinstance(raw["id"], str) or not _ID.match(raw["id"]):
        raise _fail(f"{where}.id", f"{raw['id']!r} is not a name of lowercase letters, digits, _ . -")
    where = f"entries[{raw['id']}]"
    if not isinstance(raw["queue"], str) or not re.match(r"^[a-z][a-z0-9_]{0,62}$", raw["queue"]):
        raise _fail(f"{where}.queue", f"{raw['queue']!r} is not a queue name")
    intents = frozenset(_texts(raw.get("intents", []), f"{where}.intents"))
    questions = {
        lang: _texts(texts, f"{where}.questions.{lang}")
        for lang, texts in _per_language(raw["questions"], f"{where}.questions").items()
    }
    for lang, texts in questions.items():
        for text in texts:
            if not tokens(text):
                raise _fail(f"{where}.questions.{lang}", f"{text!r} has no words")
    answers = _per_language(raw["answer"], f"{where}.answer")
    for lang, answer in answers.items():
        if not isinstance(answer, str) or not answer.strip():
            raise _fail(f"{where}.answer.{lang}", "must be a non-empty text")
    return Entry(raw["id"], raw["queue"], intents, questions, {k: v.strip() for k, v in answers.items()})


def parse(raw: Any, source: str = "faq") -> KnowledgeBase:
    """Checks the YAML's structure; raises FaqError naming `source` and the place of the mistake."""
    try:
        if not isinstance(raw, dict):
            raise _fail("top level", "must be a mapping with version, never_answer and entries")
        version = raw.get("version")
        if not isinstance(version, str) or not version.strip():
            raise _fail("version", "must be a non-empty text (quote it in YAML)")
        terms: list[Term] = []
        for lang, texts in _per_language(raw.get("never_answer", {"en": []}), "never_answer").items():
            for text in _texts(texts, f"never_answer.{lang}"):
                try:
                    terms.append(parse_term(text))
                except ValueError as exc:
                    raise _fail(f"never_answer.{lang}", str(exc)) from None
        never_intents = frozenset(_texts(raw.get("never_answer_intents", []), "never_answer_intents"))
        entries_raw = raw.get("entries")
        if not isinstance(entries_raw, list) or not entries_raw:
            raise _fail("entries", "must be a non-empty list")
        entries = tuple(_entry(item, f"entries[{i}]") for i, item in enumerate(entries_raw))
        seen: set[str] = set()
        owners: dict[str, str] = {}
        for entry in entries:
            if entry.id in seen:
                raise _fail(f"entries[{entry.id}]", "the id is used twice")
            seen.add(entry.id)
            for intent in sorted(entry.intents):
                if intent in owners:
                    raise _fail(f"entries[{entry.id}].intents", f"{intent!r} is also {owners[intent]}'s")
                if intent in never_intents:
                    raise _fail(f"entries[{entry.id}].intents", f"{intent!r} is in never_answer_intents")
                owners[intent] = entry.id
        return KnowledgeBase(version.strip(), entries, tuple(terms), never_intents)
    except FaqError as exc:
        raise FaqError(f"{source}: {exc}") from None


def load(path: Path = DEFAULT_FAQ) -> KnowledgeBase:
    """Reads and checks the knowledge base at `path`; raises FaqError saying what is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FaqError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise FaqError(f"{path}: not valid YAML ({exc})") from None
    return parse(raw, str(path))


class FaqMatcher:
    """Finds the entry whose question an inquiry asks, only when it is clearly that one."""

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        min_confidence: float = MIN_CONFIDENCE,
        min_margin: float = MIN_MARGIN,
        min_intent_confidence: float = MIN_INTENT_CONFIDENCE,
        max_chars: int = MAX_CHARS,
    ):
        if not 0 < min_confidence <= 1 or not 0 <= min_margin < 1 or not 0 < min_intent_confidence <= 1:
            raise ValueError("confidences must be in (0, 1] and min_margin in [0, 1)")
        self.kb = kb
        self.min_confidence = min_confidence
        self.min_margin = min_margin
        self.min_intent_confidence = min_intent_confidence
        self.max_chars = max_chars
        self._by_intent = {intent: entry for entry in kb.entries for intent in entry.intents}
        wordings = [
            (entry, lang, text)
            for entry in kb.entries
            for lang, texts in entry.questions.items()
            for text in texts
        ]
        self._wordings = [(entry, lang) for entry, lang, _ in wordings]
        self._index = CosineIndex([text for _, _, text in wordings])
        self._never = TermIndex(kb.never_answer)

    @property
    def version(self) -> str:
        return self.kb.version

    def needs_a_person(self, text: str) -> bool:
        """True when the text uses wording that must never get an automatic answer."""
        return bool(self._never.found(IndexedText(tokens(text))))

    def best(self, text: str) -> list[tuple[Entry, str, float]]:
        """Each entry's best score for `text` (with the language of that wording), best first."""
        by_entry: dict[str, tuple[Entry, str, float]] = {}
        for number, score in self._index.scores(text).items():
            entry, lang = self._wordings[number]
            if entry.id not in by_entry or score > by_entry[entry.id][2]:
                by_entry[entry.id] = (entry, lang, score)
        return sorted(by_entry.values(), key=lambda found: -found[2])

    def match(
        self, text: str, language: str, *, intent: str = "", intent_confidence: float = 0.0
    ) -> FaqMatch | None:
        """The answer to `text` in `language` ("ar", "en"; otherwise the text's own), or None.

        `intent` and `intent_confidence` are the classifier's, when it has them: an entry listing
        intents then answers only its own, and an intent at least `min_intent_confidence` sure picks
        its entry whatever the wording's score.
        """
        if not text.strip() or len(text) > self.max_chars or self.needs_a_person(text):
            return None
        if intent and intent in self.kb.never_answer_intents:
            return None
        ranked = self.best(text)
        found: tuple[Entry, str, float] | None = None
        if ranked:
            entry, wording_lang, score = ranked[0]
            runner_up = ranked[1][2] if len(ranked) > 1 else 0.0
            agrees = not intent or not entry.intents or intent in entry.intents
            if score >= self.min_confidence and score - runner_up >= self.min_margin and agrees:
                found = ranked[0]
        if found is None and intent in self._by_intent and intent_confidence >= self.min_intent_confidence:
            found = (self._by_intent[intent], "", intent_confidence)
        if found is None:
            return None
        entry, wording_lang, score = found
        wanted = language if language in LANGUAGES else detect(text)
        if wanted not in LANGUAGES:
            wanted = wording_lang
        answer_lang = wanted if wanted in entry.answers else next(iter(entry.answers))
        return FaqMatch(entry.id, entry.queue, entry.answers[answer_lang], answer_lang, min(1.0, score))
