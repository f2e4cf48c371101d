"""Answers from the customer's own documents: the passages to show first, and, when the inquiry asks
for a value a document states, the answer that quotes it (pure).

An answer is given only when it is plainly what was asked: the inquiry asks for an amount, a date or
a reference (gateway/documents/values.py), it reports no problem, the best passage for it states a
value of that kind, and no other passage stating one comes close to it (TIED). Otherwise the inquiry
goes to a person, who sees the same passages first.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from gateway.documents import passages as passages_of
from gateway.documents import retrieval, terms, values
from gateway.documents.passages import Passage
from gateway.documents.retrieval import Ranked
from services.shared.i18n import catalogue
from services.shared.store.ticket_documents import Document

# Passages shown to the agent above each document's whole text.
SHOWN = 3
# A passage that states the value asked for goes before better-scored ones scoring at least this share
# of the best: "how much is the late fee" is about the fee's line, not any line with an amount.
CLOSE_ENOUGH = 0.5
# Another passage stating a value of the kind asked for, scoring at least this share of the best, makes
# the question ambiguous ("the last date to pay the bill": the bill's date or the date to pay by?).
TIED = 0.8
# A longer inquiry tells a story a person should read, not a question a line answers.
MAX_QUESTION_WORDS = 40
# Words of a customer reporting a problem: never answered with a figure, however clear the question.
# Normalised; "*" ends a word's beginning ("refund*" is also "refunded").
_PROBLEM_WORDS = (
    "fraud*", "stolen", "steal*", "disput*", "refund*", "wrong", "incorrect", "error*", "mistake*",
    "complain*", "unauthori*", "didn t", "didnt", "did not", "not mine", "never made", "twice", "chargeback*",
    "احتيال", "سرق*", "مسروق*", "اعتراض", "استرداد", "استرجاع", "خطا", "خطأ", "غلط", "شكوي", "لم اقم",
    "ما سويت", "غير صحيح", "مو صحيح", "مرتين", "نصب",
)  # fmt: skip


@dataclass(frozen=True)
class DocumentAnswer:
    kind: str
    value: str
    passage: Passage
    # The best passage's share of the two best scores: 1.0 when no other passage matched at all.
    confidence: float


def all_passages(documents: Sequence[Document]) -> list[Passage]:
    return [
        passage
        for position, document in enumerate(documents, start=1)
        for passage in passages_of.split(position, document.filename, document.text, document.page_starts)
    ]


def best_passages(question: str, documents: Sequence[Document], limit: int = SHOWN) -> list[Ranked]:
    """The passages most relevant to `question`, best first; when it asks for a kind of value, those
    that state one come first among those scoring CLOSE_ENOUGH to the best (in BM25's order)."""
    ranked = retrieval.rank(question, all_passages(documents), limit=max(limit, 8))
    kind = values.question_kind(question)
    if kind is not None and ranked:
        floor = CLOSE_ENOUGH * ranked[0].score
        ranked.sort(key=lambda r: r.score < floor or values.find(kind, r.passage.text) is None)
    return ranked[:limit]


def reports_a_problem(question: str) -> bool:
    spaced = f" {' '.join(terms.words(question))} "
    return any(
        f" {word[:-1]}" in spaced if word.endswith("*") else f" {terms.normalise(word)} " in spaced
        for word in _PROBLEM_WORDS
    )


def answer(question: str, documents: Sequence[Document]) -> DocumentAnswer | None:
    """The value the question asks for, quoted from the best passage; None when not plainly there."""
    kind = values.question_kind(question)
    if kind is None or len(terms.words(question)) > MAX_QUESTION_WORDS or reports_a_problem(question):
        return None
    ranked = best_passages(question, documents, limit=8)
    stating = [(r, found) for r in ranked if (found := values.find(kind, r.passage.text)) is not None]
    if not ranked or not stating or stating[0][0] is not ranked[0]:
        return None
    (best, value), rest = stating[0], stating[1:]
    if rest and rest[0][0].score >= TIED * best.score:
        return None
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    confidence = round(best.score / (best.score + runner_up), 3)
    return DocumentAnswer(kind, value, best.passage, confidence)


def reply(found: DocumentAnswer, language: str) -> str:
    """The message to the customer, in `language` ("ar" or "en"; Arabic otherwise)."""
    language = language if language in catalogue.LANGUAGES else catalogue.DEFAULT
    passage = found.passage
    if passage.page is None:
        return catalogue.text(language, "docanswer.quote", filename=passage.filename, passage=passage.text)
    return catalogue.text(
        language, "docanswer.quote_page", filename=passage.filename, page=passage.page, passage=passage.text
    )
