"""Turns linear scores into calibrated queue probabilities, fitted on held-out training rows (pure NumPy).

Fitted: the out-of-scope bias (how much the out-of-scope scores are lowered: more bias keeps more
bank inquiries out of triage and catches fewer off-topic ones; the held-out queue accuracy decides)
and one softmax temperature per head (minimising the held-out negative log-likelihood of the queue).
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

# Candidate out-of-scope biases, in the margin units of the linear scores.
OOS_BIASES = tuple(round(0.1 * step, 1) for step in range(9))
# Temperatures searched (log scale): below 0.01 a softmax of margins is a hard argmax.
TEMPERATURE_BOUNDS = (np.log(0.01), np.log(5.0))


@dataclass(frozen=True)
class HeldOut:
    intent_scores: np.ndarray  # rows x intents
    queue_scores: np.ndarray  # rows x queues
    gold_queues: np.ndarray  # int, the queue number of each row
    intent_queue: np.ndarray  # int, the queue number of each intent
    oos_intents: np.ndarray  # bool per intent
    oos_queues: np.ndarray  # bool per queue


def softmax_rows(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def intent_to_queue(probabilities: np.ndarray, intent_queue: np.ndarray, n_queues: int) -> np.ndarray:
    onehot = np.zeros((len(intent_queue), n_queues))
    onehot[np.arange(len(intent_queue)), intent_queue] = 1.0
    return probabilities @ onehot


def queue_probabilities(held: HeldOut, calibration: dict[str, float]) -> np.ndarray:
    """The same mixture as model.LinearModel.predict, for many rows at once."""
    intent_scores = held.intent_scores - calibration["oos_bias"] * held.oos_intents
    queue_scores = held.queue_scores - calibration["oos_bias"] * held.oos_queues
    n_queues = held.queue_scores.shape[1]
    by_intent = intent_to_queue(
        softmax_rows(intent_scores / calibration["intent_temperature"]), held.intent_queue, n_queues
    )
    by_queue = softmax_rows(queue_scores / calibration["queue_temperature"])
    mix = calibration["mix"]
    return mix * by_intent + (1 - mix) * by_queue


def _temperature(queue_probability_at: object, gold: np.ndarray) -> float:
    def loss(log_t: float) -> float:
        probabilities = queue_probability_at(np.exp(log_t))  # type: ignore[operator]
        return float(-np.mean(np.log(probabilities[np.arange(len(gold)), gold] + 1e-12)))

    return float(np.exp(minimize_scalar(loss, bounds=TEMPERATURE_BOUNDS, method="bounded").x))


def fit(held: HeldOut, mix: float) -> dict[str, float]:
    """The calibration with the best held-out queue accuracy (the smaller bias on a tie)."""
    n_queues = held.queue_scores.shape[1]
    best: tuple[float, dict[str, float]] | None = None
    for oos_bias in OOS_BIASES:
        intent_scores = held.intent_scores - oos_bias * held.oos_intents
        queue_scores = held.queue_scores - oos_bias * held.oos_queues
        calibration = {
            "oos_bias": oos_bias,
            "mix": mix,
            "intent_temperature": _temperature(
                lambda t, s=intent_scores: intent_to_queue(softmax_rows(s / t), held.intent_queue, n_queues),
                held.gold_queues,
            ),
            "queue_temperature": _temperature(
                lambda t, s=queue_scores: softmax_rows(s / t), held.gold_queues
            ),
        }
        accuracy = float(np.mean(queue_probabilities(held, calibration).argmax(axis=1) == held.gold_queues))
        if best is None or accuracy > best[0]:
            best = (accuracy, calibration)
    assert best is not None
    return best[1]
