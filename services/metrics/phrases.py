"""Phrases that recur in the inquiries the taxonomy could not place, against all inquiries (pure).

Each inquiry counts a phrase once (a long e-mail repeating a word is one voice). A phrase's score is
the z-score of the log-odds ratio of holding it, target inquiries against the rest, with an
informative prior from all inquiries (the "Fightin' Words" method of Monroe, Colaresi & Quinn 2008,
in its per-inquiry form: a Beta prior of weight PRIOR_WEIGHT centred on the phrase's share of all
inquiries, plus half a count each way). Phrases common everywhere ("account", "حساب") score near
zero, phrases common only in the target score high, and rare phrases are shrunk towards the prior
instead of topping the list on two counts.
"""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from services.metrics.phrase_text import ngrams

# The prior's total weight, in documents: how strongly rare counts are pulled to the overall rate.
PRIOR_WEIGHT = 100.0
# A phrase must occur in at least this many target inquiries to be listed.
MIN_DOCUMENTS = 3
# Example tickets given per phrase.
EXAMPLES = 3


@dataclass(frozen=True)
class Inquiry:
    ticket_id: int
    text: str
    # Routed to triage by the classifier, or placed with low confidence.
    target: bool


@dataclass(frozen=True)
class Phrase:
    phrase: str
    # Target inquiries holding it, and all inquiries holding it.
    count: int
    total: int
    z: float
    examples: tuple[int, ...]


def mine(
    inquiries: Sequence[Inquiry], *, top: int = 20, min_documents: int = MIN_DOCUMENTS, longest: int = 3
) -> list[Phrase]:
    """The `top` phrases most over-represented in the target inquiries, best first."""
    target: Counter[str] = Counter()
    rest: Counter[str] = Counter()
    examples: dict[str, list[int]] = {}
    n_target = n_rest = 0
    for inquiry in inquiries:
        grams = ngrams(inquiry.text, longest)
        if inquiry.target:
            n_target += 1
            target.update(grams)
            for g in grams:
                if len(seen := examples.setdefault(g, [])) < EXAMPLES:
                    seen.append(inquiry.ticket_id)
        else:
            n_rest += 1
            rest.update(grams)
    n_all = n_target + n_rest
    if not n_target:
        return []
    scored = []
    for gram, y_t in target.items():
        if y_t < min_documents:
            continue
        y_r = rest.get(gram, 0)
        # Each side is binomial (an inquiry holds the phrase or not); the prior is a Beta centred on
        # the phrase's share of all inquiries, plus a half count each way so no odds is 0 or infinite.
        share = (y_t + y_r) / n_all
        a, b = PRIOR_WEIGHT * share + 0.5, PRIOR_WEIGHT * (1 - share) + 0.5
        held_t, missed_t, held_r, missed_r = y_t + a, n_target - y_t + b, y_r + a, n_rest - y_r + b
        delta = math.log(held_t / missed_t) - math.log(held_r / missed_r)
        z = delta / math.sqrt(1 / held_t + 1 / missed_t + 1 / held_r + 1 / missed_r)
        scored.append(Phrase(gram, y_t, y_t + y_r, round(z, 3), tuple(examples[gram])))
    scored.sort(key=lambda p: (-p.z, -p.count, p.phrase))
    # Parts are looked for among the best few only: the comparison is quadratic.
    return _without_parts(scored[: top * 5])[:top]


def _without_parts(ranked: list[Phrase]) -> list[Phrase]:
    """Drops a phrase inside a longer listed one held by as many target inquiries ("lost" beside
    "lost residence card"): it says nothing more."""
    kept: list[Phrase] = []
    for p in ranked:
        inside = any(
            p.phrase != q.phrase and f" {p.phrase} " in f" {q.phrase} " and q.count >= p.count for q in ranked
        )
        if not inside:
            kept.append(p)
    return kept
