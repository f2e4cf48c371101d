"""Fits the learned model with scikit-learn: TF-IDF blocks, linear SVMs per intent and per queue, calibration.

A seeded share of every intent is held out first; a model fitted on the rest scores it, and the
calibration (model.py) is fitted on those scores. Then the model is fitted again on all rows.
"""

import logging
import random
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from services.classifier import features
from services.classifier.serve.linear_model import LinearModel
from services.classifier.serve.weight_store import Weights
from services.classifier.train import calibration
from services.classifier.train.datasets import Example

log = logging.getLogger(__name__)

# Inverse regularisation of the SVMs: 0.5 and 2 both measured worse than 1 on validation.
SVM_C = 1.0
# liblinear's stopping tolerance: 1e-3 trains in about two thirds of the time of its default 1e-4,
# with the same validation accuracy.
SVM_TOL = 1e-3
# Share of each intent held out to fit the calibration: more fits it better and trains the first
# model on less.
CALIBRATION_SHARE = 0.1
SEED = 13
# Weight of the intent head in the queue probability (the queue head has the rest). The intent head
# is better on Arabic, the queue head on English; half and half beat either alone.
MIX = 0.5
# Weights smaller than this are dropped from the model: at 0.005 validation accuracy is unchanged and
# about a quarter of the non-zero weights go (a smaller file, faster scoring).
PRUNE_BELOW = 0.005
# liblinear releases the GIL, so the per-class SVMs train in parallel threads.
THREADS = 2


@dataclass(frozen=True)
class _Features:
    vocabularies: list[list[str]]
    idf: np.ndarray
    matrix: sp.csr_matrix


def _features(texts: Sequence[str]) -> _Features:
    """One vocabulary and IDF for both fits: the held-out rows' words count in the IDF (no labels do)."""
    vectorizers = [TfidfVectorizer(analyzer=analyzer, dtype=np.float64) for _, analyzer in features.BLOCKS]
    matrix = sp.hstack([vectorizer.fit_transform(texts) for vectorizer in vectorizers], format="csr")
    vocabularies = []
    for vectorizer in vectorizers:
        vocabulary = vectorizer.vocabulary_
        vocabularies.append(sorted(vocabulary, key=vocabulary.__getitem__))
    return _Features(vocabularies, np.concatenate([v.idf_ for v in vectorizers]), matrix)


def _binary_svm(matrix: sp.csr_matrix, target: np.ndarray) -> tuple[np.ndarray, float]:
    svm = LinearSVC(C=SVM_C, tol=SVM_TOL, random_state=SEED).fit(matrix, target)
    return svm.coef_[0].astype(np.float32), float(svm.intercept_[0])


def _fit(matrix: sp.csr_matrix, targets: Sequence[np.ndarray], threads: int) -> tuple[np.ndarray, np.ndarray]:
    """The weights (features x classes) and biases of one SVM per target."""
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(lambda target: _binary_svm(matrix, target), targets))
    log.info(
        "fitted %d linear SVMs on %s in %.1f s", len(targets), matrix.shape, time.perf_counter() - started
    )
    coef = np.stack([coef for coef, _ in results], axis=1)
    return coef, np.array([bias for _, bias in results], dtype=np.float32)


def _held_out(examples: Sequence[Example]) -> list[bool]:
    by_intent: dict[str, list[int]] = {}
    for number, example in enumerate(examples):
        by_intent.setdefault(example.intent, []).append(number)
    rng, held = random.Random(SEED), [False] * len(examples)
    for intent in sorted(by_intent):
        numbers = by_intent[intent]
        rng.shuffle(numbers)
        for number in numbers[: int(len(numbers) * CALIBRATION_SHARE)]:
            held[number] = True
    return held


def _weights(coef: np.ndarray, bias: np.ndarray) -> Weights:
    pruned = sp.csr_matrix(np.where(np.abs(coef) >= PRUNE_BELOW, coef, 0).astype(np.float32))
    return Weights(
        indptr=pruned.indptr.astype(np.int64),
        classes=pruned.indices.astype(np.uint16),
        values=pruned.data.astype(np.float32),
        bias=bias.astype(np.float32),
    )


def fit(examples: Sequence[Example], threads: int = THREADS) -> LinearModel:
    """Raises ValueError when the examples cannot train a model (too few, one class only)."""
    intent_queue: dict[str, str] = {}
    for example in examples:
        if intent_queue.setdefault(example.intent, example.queue) != example.queue:
            raise ValueError(f"intent {example.intent!r} is labelled with two queues")
    intents, queues = sorted(intent_queue), sorted(set(intent_queue.values()))
    if len(queues) < 2:
        raise ValueError(f"training needs examples of at least two queues, not {queues}")
    texts = [features.prepare(example.text) for example in examples]
    intent_number = {intent: number for number, intent in enumerate(intents)}
    intent_numbers = np.array([intent_number[example.intent] for example in examples])
    queue_numbers = np.array([queues.index(intent_queue[intent]) for intent in intents])[intent_numbers]
    targets = [(intent_numbers == k).astype(np.int32) for k in range(len(intents))]
    targets += [(queue_numbers == q).astype(np.int32) for q in range(len(queues))]

    held = np.array(_held_out(examples))
    table = _features(texts)
    coef, bias = _fit(table.matrix[~held], [target[~held] for target in targets], threads)
    scores = np.asarray(table.matrix[held] @ coef) + bias
    oos = [queue == "out_of_scope" for queue in queues]
    fitted_calibration = calibration.fit(
        calibration.HeldOut(
            intent_scores=scores[:, : len(intents)],
            queue_scores=scores[:, len(intents) :],
            gold_queues=queue_numbers[held],
            intent_queue=np.array([queues.index(intent_queue[intent]) for intent in intents]),
            oos_intents=np.array([oos[queues.index(intent_queue[intent])] for intent in intents]),
            oos_queues=np.array(oos),
        ),
        MIX,
    )
    coef, bias = _fit(table.matrix, targets, threads)
    return LinearModel(
        vocabularies=table.vocabularies,
        idf=table.idf.astype(np.float64),
        weights=_weights(coef, bias),
        intents=intents,
        intent_queues=[intent_queue[intent] for intent in intents],
        queues=queues,
        calibration=fitted_calibration,
    )
