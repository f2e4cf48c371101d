"""Fitting the temperatures and the out-of-scope bias on held-out scores."""

import numpy as np

from services.classifier.evaluate import scores
from services.classifier.train import calibration


def _held_out(scale: float, seed: int = 3) -> calibration.HeldOut:
    """Two in-scope queues (one intent each) and out of scope; scores right 80% of the time."""
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, 3, size=3000)
    noisy = np.where(rng.random(3000) < 0.8, gold, rng.integers(0, 3, size=3000))
    scores = rng.normal(0, 0.1, size=(3000, 3))
    scores[np.arange(3000), noisy] += 1.0
    scores *= scale
    return calibration.HeldOut(
        intent_scores=scores,
        queue_scores=scores.copy(),
        gold_queues=gold,
        intent_queue=np.array([0, 1, 2]),
        oos_intents=np.array([False, False, True]),
        oos_queues=np.array([False, False, True]),
    )


def test_the_fitted_probabilities_are_calibrated_whatever_the_score_scale() -> None:
    for scale in (0.5, 5.0):
        held = _held_out(scale)
        fitted = calibration.fit(held, mix=0.5)
        probabilities = calibration.queue_probabilities(held, fitted)
        assert np.allclose(probabilities.sum(axis=1), 1)
        top = probabilities.argmax(axis=1)
        error = scores.expected_calibration_error(
            probabilities.max(axis=1).tolist(), (top == held.gold_queues).tolist()
        )
        assert error < 0.05, (scale, fitted)
        assert fitted["intent_temperature"] > 0 and fitted["oos_bias"] in calibration.OOS_BIASES
        # The same scores at a temperature picked blindly are far from calibrated.
        blind = calibration.queue_probabilities(
            held, {**fitted, "intent_temperature": 0.05, "queue_temperature": 0.05}
        )
        blind_error = scores.expected_calibration_error(
            blind.max(axis=1).tolist(), (blind.argmax(axis=1) == held.gold_queues).tolist()
        )
        assert blind_error > 2 * error


def test_the_bias_lowers_out_of_scope_scores_only() -> None:
    held = _held_out(1.0)
    plain = {"oos_bias": 0.0, "mix": 0.5, "intent_temperature": 0.3, "queue_temperature": 0.3}
    biased = {**plain, "oos_bias": 0.8}
    before = calibration.queue_probabilities(held, plain)
    after = calibration.queue_probabilities(held, biased)
    assert np.all(after[:, 2] < before[:, 2]) and np.all(after[:, :2] >= before[:, :2])
