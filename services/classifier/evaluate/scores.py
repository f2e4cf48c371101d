"""Evaluation figures: accuracy, macro-F1, expected calibration error (pure)."""

from collections.abc import Sequence


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    if not gold:
        return float("nan")
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """The mean F1 over the gold labels; a predicted label that is never gold lowers precision only."""
    labels = sorted(set(gold))
    if not labels:
        return float("nan")
    total = 0.0
    for label in labels:
        true_positive = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        predicted_count = sum(p == label for p in predicted)
        gold_count = sum(g == label for g in gold)
        if true_positive:
            precision, recall = true_positive / predicted_count, true_positive / gold_count
            total += 2 * precision * recall / (precision + recall)
    return total / len(labels)


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 15
) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by the bins' sizes.

    0 is perfect: among decisions made at confidence 0.8, 80% are right."""
    if not confidences:
        return float("nan")
    sums = [[0.0, 0.0, 0] for _ in range(bins)]  # confidence, correct, count
    for confidence, right in zip(confidences, correct, strict=True):
        slot = sums[min(int(confidence * bins), bins - 1)]
        slot[0] += confidence
        slot[1] += float(right)
        slot[2] += 1
    return sum(abs(conf - hits) for conf, hits, _ in sums) / len(confidences)
