"""Keyword terms and how they match an inquiry's normalised words (pure).

A term is one or more phrases joined by " + "; every phrase must occur somewhere in the text
("pin + blocked"). A phrase is words that must follow one another ("stolen card"); a word ending in
"*" matches any word that starts with it ("activat*" matches "activate", "activation"). Words are
compared after `text.normalise`, Arabic words also without their proclitics (see `text.match_forms`),
so "بطاق*" matches "البطاقه", "ببطاقتي" and "وبطاقتك".
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from services.classifier.text import TOKEN, match_forms, normalise

AND = "+"
WILDCARD = "*"
# A shorter prefix than this ("ca*") matches too many unrelated words to be a useful keyword.
MIN_PREFIX = 3


@dataclass(frozen=True)
class Word:
    text: str
    prefix: bool


Phrase = tuple[Word, ...]


@dataclass(frozen=True)
class Term:
    source: str
    phrases: tuple[Phrase, ...]
    weight: float


def parse_term(source: str, weight: float = 1.0) -> Term:
    """Raises ValueError saying what is wrong with the term."""
    if weight <= 0:
        raise ValueError(f"term {source!r}: weight must be above 0, not {weight}")
    phrases = []
    for part in normalise(source).split(AND):
        words: list[Word] = []
        for chunk in part.split():
            prefix = chunk.endswith(WILDCARD)
            pieces = TOKEN.findall(chunk)
            if not pieces:
                raise ValueError(f"term {source!r}: {chunk!r} has no letters or digits")
            words.extend(Word(piece, False) for piece in pieces[:-1])
            if prefix and len(pieces[-1]) < MIN_PREFIX:
                raise ValueError(f"term {source!r}: a prefix needs at least {MIN_PREFIX} letters")
            words.append(Word(pieces[-1], prefix))
        if not words:
            raise ValueError(f"term {source!r}: empty phrase around {AND!r}")
        phrases.append(tuple(words))
    return Term(source, tuple(phrases), weight)


class IndexedText:
    """One inquiry's words, indexed so that each word of a term is a dictionary look-up."""

    def __init__(self, words: list[str]):
        self._exact: dict[str, set[int]] = defaultdict(set)
        self._prefix: dict[str, set[int]] = defaultdict(set)
        for position, word in enumerate(words):
            for form in match_forms(word):
                self._exact[form].add(position)
                for end in range(MIN_PREFIX, len(form) + 1):
                    self._prefix[form[:end]].add(position)

    def keys(self) -> tuple[Sequence[str], Sequence[str]]:
        """Every word form, and every prefix (of MIN_PREFIX letters or more) of one, in the text."""
        return list(self._exact), list(self._prefix)

    def _positions(self, word: Word) -> set[int]:
        return (self._prefix if word.prefix else self._exact).get(word.text, set())

    def _has(self, phrase: Phrase) -> bool:
        starts = self._positions(phrase[0])
        for offset, word in enumerate(phrase[1:], start=1):
            if not starts:
                return False
            following = self._positions(word)
            starts = {start for start in starts if start + offset in following}
        return bool(starts)

    def matches(self, term: Term) -> bool:
        return all(self._has(phrase) for phrase in term.phrases)


class TermIndex:
    """Many terms, each filed under one of its words, so a text is checked only against the terms
    whose word it contains: a few dozen instead of every term in the table."""

    def __init__(self, terms: Sequence[Term]):
        self.terms = tuple(terms)
        self._exact: dict[str, list[int]] = defaultdict(list)
        self._prefix: dict[str, list[int]] = defaultdict(list)
        for number, term in enumerate(self.terms):
            # The longest word is likely the rarest, so it lets through the fewest texts.
            trigger = max(
                (word for phrase in term.phrases for word in phrase), key=lambda word: len(word.text)
            )
            (self._prefix if trigger.prefix else self._exact)[trigger.text].append(number)

    def found(self, text: IndexedText) -> list[int]:
        """The positions (in `terms`) of the terms that occur in `text`, in ascending order."""
        forms, prefixes = text.keys()
        candidates: set[int] = set()
        for form in forms:
            candidates.update(self._exact.get(form, ()))
        for prefix in prefixes:
            candidates.update(self._prefix.get(prefix, ()))
        return sorted(number for number in candidates if text.matches(self.terms[number]))
