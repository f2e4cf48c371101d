"""TF-IDF vectors of character n-grams and a cosine search over a small fixed set of texts (pure).

Character n-grams of the normalised words match through spelling variants, typos, inflection and
Arabic clitics ("بطاقتي", "البطاقه", "ببطاقتك" share "بطاق") without a stemmer or a dictionary.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from services.classifier.text import tokens

# n-gram lengths. Shorter grams match more loosely (more near-misses score high); longer ones miss
# inflected forms. 3-5 is the usual range for both English and Arabic words.
MIN_N = 3
MAX_N = 5

# N-grams in more than this share of the texts (and in more than MIN_COMMON of them) are not
# searched: faster queries, at the price of a slightly lower score for every text.
COMMON_SHARE = 0.1
MIN_COMMON = 20

Vector = dict[str, float]


def grams(text: str) -> Counter[str]:
    """The n-grams of each normalised word, padded with spaces so word starts and ends count."""
    counts: Counter[str] = Counter()
    for word in tokens(text):
        padded = f" {word} "
        for n in range(MIN_N, MAX_N + 1):
            for start in range(len(padded) - n + 1):
                counts[padded[start : start + n]] += 1
        if len(padded) < MIN_N:
            counts[padded] += 1
    return counts


def _unit(weights: Vector) -> Vector:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {g: w / norm for g, w in weights.items()} if norm else {}


class CosineIndex:
    """Texts as L2-normalised TF-IDF vectors (sublinear tf, smoothed idf), filed by n-gram so a query
    touches only the texts that share an n-gram with it."""

    def __init__(self, texts: Sequence[str]):
        counted = [grams(text) for text in texts]
        document_frequency: Counter[str] = Counter(g for counts in counted for g in counts)
        n = len(texts)
        self._idf = {g: math.log((1 + n) / (1 + df)) + 1 for g, df in document_frequency.items()}
        self._unknown_idf = math.log(1 + n) + 1
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, counts in enumerate(counted):
            for g, w in self._vector(counts).items():
                postings[g].append((number, w))
        # The commonest n-grams ("how", " do ") add little to any cosine but make most of the work of
        # a query: they stay in the vectors' norms and are left out of the search.
        common = max(MIN_COMMON, int(n * COMMON_SHARE))
        self._postings = {g: p for g, p in postings.items() if len(p) <= common}
        self.size = n

    def _vector(self, counts: Counter[str]) -> Vector:
        return _unit({g: (1 + math.log(c)) * self._idf[g] for g, c in counts.items()})

    def scores(self, text: str) -> dict[int, float]:
        """Cosine of `text` with each indexed text it shares an n-gram with.

        N-grams the index has never seen weigh as much as the rarest known ones: they cannot match,
        but they lengthen the query's vector, so an inquiry that says much more than a known text
        (a different question that happens to share its words) scores lower than a paraphrase.
        """
        counts = grams(text)
        weights = {g: (1 + math.log(c)) * self._idf.get(g, self._unknown_idf) for g, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        found: dict[int, float] = defaultdict(float)
        if not norm:
            return found
        for g, w in weights.items():
            for number, weight in self._postings.get(g, ()):
                found[number] += w / norm * weight
        return found
