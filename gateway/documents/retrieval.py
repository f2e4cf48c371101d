"""The passages of an inquiry's documents most relevant to its text: Okapi BM25 over light stems (pure).

No model is downloaded: BM25 weighs the words a question shares with each passage by how rare they
are among the document's passages (rank_bm25's BM25Okapi, k1 1.5, b 0.75), on the stems of
gateway/documents/terms.py, so Arabic and English, with their spelling variants, match themselves.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from rank_bm25 import BM25Okapi

from gateway.documents import terms
from gateway.documents.passages import Passage


@dataclass(frozen=True)
class Ranked:
    passage: Passage
    score: float


def rank(question: str, passages: Sequence[Passage], limit: int = 3) -> list[Ranked]:
    """Up to `limit` passages sharing a term with `question`, best first (reading order on ties).

    A passage of fewer than two terms (a heading: "Transactions", "العمليات") is not ranked: on its
    own it tells the agent nothing, and BM25's preference for short passages would put it first."""
    wanted = terms.question_terms(question)
    indexed = [(p, terms.terms(p.text)) for p in passages]
    indexed = [(p, found) for p, found in indexed if len(found) >= 2]
    if not wanted or not indexed:
        return []
    scores = BM25Okapi([found for _, found in indexed]).get_scores(wanted)
    order = sorted(range(len(indexed)), key=lambda i: -scores[i])
    return [Ranked(indexed[i][0], round(float(scores[i]), 4)) for i in order if scores[i] > 0][:limit]
