"""Scoring with the stored weights gives what the full weight matrix gives, dense rows or sparse."""

import numpy as np
import scipy.sparse as sp

from services.classifier.serve.weight_store import DENSE_ABOVE, Weights, WeightStore


def _store(seed: int = 5) -> tuple[WeightStore, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n_features, n_classes = 300, DENSE_ABOVE + 10
    matrix = rng.normal(size=(n_features, n_classes)).astype(np.float32)
    matrix[rng.random(matrix.shape) < 0.7] = 0  # most rows sparse, some dense
    matrix[:20] = rng.normal(size=(20, n_classes))  # certainly dense
    csr = sp.csr_matrix(matrix)
    bias = rng.normal(size=n_classes).astype(np.float32)
    weights = Weights(csr.indptr.astype(np.int64), csr.indices.astype(np.uint16), csr.data, bias)
    return WeightStore(weights), matrix, bias


def test_scores_and_pushes_match_the_full_matrix() -> None:
    store, matrix, bias = _store()
    columns = np.array([0, 3, 25, 150, 299])
    values = np.array([0.5, 0.1, 0.3, 0.2, 0.4])
    assert np.allclose(store.scores(columns, values), values @ matrix[columns] + bias, atol=1e-5)
    pushes = store.pushes(columns, values, 2, 7)
    assert np.allclose(pushes, values * (matrix[columns, 2] + matrix[columns, 7]), atol=1e-5)


def test_a_text_without_known_features_scores_the_bias() -> None:
    store, _, bias = _store()
    empty = np.zeros(0, dtype=np.int64)
    assert np.allclose(store.scores(empty, np.zeros(0)), bias)
