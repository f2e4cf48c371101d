"""The model's feature x class weights, stored by feature (CSR) and scored with plain NumPy.

Most features have a weight for a few classes only, but the common ones ("card", " ca") have one
for nearly every class and make up almost all of a text's weights: those rows are kept dense in
memory, so scoring is one small matrix product plus a short sparse gather.
"""

from dataclasses import dataclass

import numpy as np

# A feature with weights for more classes than this gets a dense row: at 16 the dense rows take
# ~20 MB for the default model, and scoring is ~5x faster than all-sparse.
DENSE_ABOVE = 16


@dataclass(frozen=True)
class Weights:
    indptr: np.ndarray  # int64, one more than the number of features
    classes: np.ndarray  # uint16, the class (column) of each stored weight
    values: np.ndarray  # float32
    bias: np.ndarray  # float32, one per class


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions start..start+length-1 of every range, concatenated."""
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if len(ends) else 0
    return np.arange(total) + np.repeat(starts - (ends - lengths), lengths)


class WeightStore:
    def __init__(self, weights: Weights):
        self.weights = weights
        counts = np.diff(weights.indptr)
        dense_rows = np.flatnonzero(counts > DENSE_ABOVE)
        self._dense_index = np.full(len(counts), -1, dtype=np.int64)
        self._dense_index[dense_rows] = np.arange(len(dense_rows))
        self._dense = np.zeros((len(dense_rows), len(weights.bias)), dtype=np.float32)
        positions = _ranges(weights.indptr[dense_rows], counts[dense_rows])
        owners = np.repeat(np.arange(len(dense_rows)), counts[dense_rows])
        self._dense[owners, weights.classes[positions]] = weights.values[positions]

    def _split(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Dense rows of the dense columns, and for the others: owner (position in `columns`),
        class and weight of each stored weight."""
        rows = self._dense_index[columns]
        dense = rows >= 0
        sparse_at = np.flatnonzero(~dense)
        sparse_columns = columns[sparse_at]
        starts = self.weights.indptr[sparse_columns]
        lengths = self.weights.indptr[sparse_columns + 1] - starts
        positions = _ranges(starts, lengths)
        owners = np.repeat(sparse_at, lengths)
        return dense, rows, owners, positions

    def scores(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        dense, rows, owners, positions = self._split(columns)
        scores = values[dense] @ self._dense[rows[dense]] + self.weights.bias
        classes = self.weights.classes[positions].astype(np.int64)
        products = self.weights.values[positions] * values[owners]
        return scores + np.bincount(classes, weights=products, minlength=len(scores))

    def pushes(self, columns: np.ndarray, values: np.ndarray, first: int, second: int) -> np.ndarray:
        """How much each feature adds to the scores of classes `first` and `second` together."""
        dense, rows, owners, positions = self._split(columns)
        pushes = np.zeros(len(columns))
        dense_rows = rows[dense]
        pushes[dense] = values[dense] * (self._dense[dense_rows, first] + self._dense[dense_rows, second])
        classes = self.weights.classes[positions]
        hit = (classes == first) | (classes == second)
        np.add.at(pushes, owners[hit], self.weights.values[positions[hit]] * values[owners[hit]])
        return pushes
