"""The passages of an inquiry's documents most relevant to its text: Okapi BM25 over light stems (pure).

No model is downloaded: BM25 weighs the words a question shares with each passage by how rare they
are among the document's passages, on the stems of gateway/documents/terms.py, so Arabic and English,
with their spelling variants, match themselves. Written here rather than taken from rank_bm25: its
Okapi IDF, log((N - n + 0.5) / (n + 0.5)), is negative for a term in more than half the passages,
which for a one- or two-page document is most terms (a single passage scores below zero). The IDF
here is Lucene's, log(1 + (N - n + 0.5) / (n + 0.5)), never negative; k1 and b are the usual.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.documents import terms
from gateway.documents.passages import Passage

K1 = 1.5
B = 0.75


@dataclass(frozen=True)
class Ranked:
    passage: Passage
    score: float


def bm25(question: Sequence[str], passages: Sequence[Sequence[str]]) -> list[float]:
    """Each passage's Okapi BM25 score for the question's terms (a term asked twice counts twice)."""
    if not passages:
        return []
    counts = [Counter(p) for p in passages]
    average = sum(len(p) for p in passages) / len(passages)
    holding = Counter(t for c in counts for t in c)
    idf = {t: math.log(1 + (len(passages) - n + 0.5) / (n + 0.5)) for t, n in holding.items()}
    scores = []
    for found, passage in zip(counts, passages, strict=True):
        norm = K1 * (1 - B + B * len(passage) / average)
        scores.append(sum(idf[t] * found[t] * (K1 + 1) / (found[t] + norm) for t in question if t in found))
    return scores


def rank(question: str, passages: Sequence[Passage], limit: int = 3) -> list[Ranked]:
    """Up to `limit` passages sharing a term with `question`, best first (reading order on ties).

    A passage of fewer than two terms (a heading: "Transactions", "العمليات") is not ranked: on its
    own it tells the agent nothing, and BM25's preference for short passages would put it first."""
    wanted = terms.question_terms(question)
    indexed = [(p, found) for p in passages if len(found := terms.terms(p.text)) >= 2]
    if not wanted or not indexed:
        return []
    scores = bm25(wanted, [found for _, found in indexed])
    order = sorted(range(len(indexed)), key=lambda i: -scores[i])
    return [Ranked(indexed[i][0], round(scores[i], 4)) for i in order if scores[i] > 0][:limit]
