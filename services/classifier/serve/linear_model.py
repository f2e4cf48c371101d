"""The learned model at serving time: TF-IDF features and linear scores in plain NumPy (no scikit-learn).

Two linear heads share the features: one scores intents, one scores queues. Each head's scores
become probabilities by a softmax at a temperature fitted on held-out training rows (so 0.8 means
right about 80% of the time); the queue probability is the mix of the intent head's probabilities
summed per queue and the queue head's. Out-of-scope scores are lowered by `oos_bias` before both.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from services.classifier import features
from services.classifier.serve.weight_store import Weights, WeightStore

# How many of the features that pushed hardest towards the decision it names.
EXPLAIN_TOP = 5


@dataclass(frozen=True)
class Prediction:
    queue: str
    # The queue's calibrated probability.
    confidence: float
    # The most likely intent among those of `queue`.
    intent: str
    # The features that added most to the decision, most first.
    explanation: tuple[str, ...]
    # The calibrated probability that the inquiry is none of the queues' business (0 without such a class).
    out_of_scope: float = 0.0


# Words whose feature columns are kept (~400 bytes each with the array: ~20 MB when full);
# past this the keeping starts over. The same few thousand words make most inquiries, so a working
# vocabulary fits many times, and text made to fill it costs memory only up to this.
WORDS_KEPT = 50_000


class LinearModel:
    """Immutable after construction but for a cache of each word's feature columns (the same whoever
    fills it); safe to share between concurrent calls."""

    def __init__(
        self,
        vocabularies: list[list[str]],
        idf: np.ndarray,
        weights: Weights,
        intents: list[str],
        intent_queues: list[str],
        queues: list[str],
        calibration: dict[str, float],
    ):
        self.vocabularies = vocabularies
        self.idf = idf
        self.weights = weights
        self.intents = intents
        self.intent_queues = intent_queues
        self.queues = queues
        self.calibration = calibration
        self._store = WeightStore(weights)
        self._terms = [term for vocabulary in vocabularies for term in vocabulary]
        self._lookups: list[dict[str, int]] = []
        offset = 0
        for vocabulary in vocabularies:
            self._lookups.append({term: offset + number for number, term in enumerate(vocabulary)})
            offset += len(vocabulary)
        queue_number = {queue: number for number, queue in enumerate(queues)}
        self._intent_queue = np.array([queue_number[queue] for queue in intent_queues], dtype=np.int64)
        self._oos_intents = np.array([queue == "out_of_scope" for queue in intent_queues])
        self._oos_queues = np.array([queue == "out_of_scope" for queue in queues])
        # Per block, each word's columns (only the per-word blocks' are filled).
        self._word_columns: list[dict[str, np.ndarray]] = [{} for _ in vocabularies]

    def vectorise(self, prepared: str) -> tuple[np.ndarray, np.ndarray]:
        """Column numbers and TF-IDF values, each block scaled to unit length (as in training)."""
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for number, ((_, analyzer), lookup) in enumerate(zip(features.BLOCKS, self._lookups, strict=True)):
            per_word = features.PER_WORD.get(analyzer)
            if per_word is not None:
                found = self._kept_columns(prepared, per_word, lookup, self._word_columns[number])
                block_columns, block_counts = np.unique(found, return_counts=True)
                block_values = block_counts.astype(np.float64)
            else:
                counts = Counter(analyzer(prepared))
                found = np.fromiter(map(lookup.get, counts, repeat(-1)), dtype=np.int64, count=len(counts))
                known = found >= 0
                block_columns = found[known]
                block_values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))[known]
            if not len(block_columns):
                continue
            block_values *= self.idf[block_columns]
            block_values /= np.sqrt(block_values @ block_values)
            columns.append(block_columns)
            values.append(block_values)
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(columns), np.concatenate(values)

    @staticmethod
    def _kept_columns(
        prepared: str,
        per_word: Callable[[str], list[str]],
        lookup: dict[str, int],
        kept: dict[str, np.ndarray],
    ) -> np.ndarray:
        """The known columns of a per-word block's features, once per occurrence. Cutting each word
        into character n-grams and looking each up was most of a decision's time (a 400-character
        inquiry makes ~1,500); a word's columns are found once and kept."""
        parts = []
        for word in prepared.split(" "):
            found = kept.get(word)
            if found is None:
                found = np.array([lookup[g] for g in per_word(word) if g in lookup], dtype=np.int64)
                if len(kept) >= WORDS_KEPT:
                    kept.clear()
                kept[word] = found
            parts.append(found)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def predict(self, prepared: str) -> Prediction:
        columns, values = self.vectorise(prepared)
        scores = self._store.scores(columns, values)
        n_intents = len(self.intents)
        intent_scores, queue_scores = scores[:n_intents], scores[n_intents:]
        oos_bias = self.calibration["oos_bias"]
        intent_scores[self._oos_intents] -= oos_bias
        queue_scores[self._oos_queues] -= oos_bias
        intent_probabilities = _softmax(intent_scores / self.calibration["intent_temperature"])
        by_queue = np.bincount(self._intent_queue, weights=intent_probabilities, minlength=len(self.queues))
        mix = self.calibration["mix"]
        queue_probabilities = mix * by_queue + (1 - mix) * _softmax(
            queue_scores / self.calibration["queue_temperature"]
        )
        queue = int(np.argmax(queue_probabilities))
        intent = int(np.argmax(np.where(self._intent_queue == queue, intent_probabilities, -1.0)))
        pushes = self._store.pushes(columns, values, intent, n_intents + queue)
        return Prediction(
            queue=self.queues[queue],
            confidence=float(queue_probabilities[queue]),
            intent=self.intents[intent],
            explanation=self._explain(columns, pushes),
            out_of_scope=float(queue_probabilities[self._oos_queues].sum()),
        )

    def _explain(self, columns: np.ndarray, pushes: np.ndarray) -> tuple[str, ...]:
        """The features that pushed hardest towards the chosen intent and queue."""
        shown: list[str] = []
        for number in np.argsort(-pushes).tolist():
            if pushes[number] <= 0 or len(shown) == EXPLAIN_TOP:
                break
            label = self._label(int(columns[number]))
            if label is not None and label not in shown:
                shown.append(label)
        return tuple(shown)

    def _label(self, feature: int) -> str | None:
        """Words as they are; a character n-gram between "…" so it reads as part of a word, and none
        for one of punctuation or a single letter (it says nothing to a reader)."""
        term = self._terms[feature]
        if feature < len(self.vocabularies[0]):
            return term
        core = term.strip()
        return f"…{core}…" if len(core) >= 2 and any(c.isalnum() for c in core) else None


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()
