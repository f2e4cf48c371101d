"""Accuracy, macro-F1 and calibration error on hand-computed cases."""

import math

import pytest

from services.classifier.evaluate import scores


def test_accuracy_and_macro_f1() -> None:
    gold = ["a", "a", "b", "b"]
    predicted = ["a", "b", "b", "c"]
    assert scores.accuracy(gold, predicted) == 0.5
    # a: precision 1, recall 0.5 -> 2/3; b: precision 0.5, recall 0.5 -> 0.5
    assert scores.macro_f1(gold, predicted) == pytest.approx((2 / 3 + 0.5) / 2)
    assert math.isnan(scores.accuracy([], []))


def test_expected_calibration_error() -> None:
    # Two bins: 0.95 confident and right half the time (gap 0.45), 0.25 confident and never right (0.25).
    confidences = [0.95, 0.95, 0.25, 0.25]
    correct = [True, False, False, False]
    assert scores.expected_calibration_error(confidences, correct, bins=10) == pytest.approx(
        (0.45 + 0.25) / 2
    )
    assert scores.expected_calibration_error([1.0, 1.0], [True, True]) == 0
