"""Learning from the floor: retrain with agents' transfers, and serve the new model only if it is not worse.

The corrections (oldest first) are split: every HOLD_BACK_EVERY-th is held back from training. The
served model and the candidate are both measured on that slice and on the standard validation rows;
`judge` (pure) decides. See docs/classifier.md, "Learning from the floor".
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from services.classifier import features, labels
from services.classifier.decision import TRIAGE_QUEUE
from services.classifier.serve.learned_router import OUT_OF_SCOPE_FLOOR, route
from services.classifier.serve.linear_model import LinearModel
from services.classifier.train.datasets import Example

# Every 5th correction (in the order agents made them) is held back to compare the models: more held
# back measures the comparison better and teaches the candidate less.
HOLD_BACK_EVERY = 5
# The one-sided 95% point of the normal distribution, for the paired (McNemar) test in `worse`: higher
# lets a worse candidate through more often, lower refuses more good ones for a refit's noise (a refit
# on the same rows turns a few dozen of 6,600 validation decisions each way).
Z = 1.645


@dataclass(frozen=True)
class Figures:
    # Per row: routed to its queue (out of scope: to triage), on the standard validation rows and on
    # the held-back corrections.
    validation_right: tuple[bool, ...]
    corrections_right: tuple[bool, ...]

    @property
    def validation(self) -> float:
        return _share(self.validation_right)

    @property
    def corrections(self) -> float:
        return _share(self.corrections_right)


def _share(right: Sequence[bool]) -> float:
    return sum(right) / len(right) if right else float("nan")


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    why: str


def split(corrections: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    """(to train, held back): the 5th, 10th, ... correction is held back."""
    train: list[Example] = []
    held: list[Example] = []
    for number, example in enumerate(corrections, start=1):
        (held if number % HOLD_BACK_EVERY == 0 else train).append(example)
    return train, held


def routed_right(model: LinearModel, examples: Sequence[Example], threshold: float) -> tuple[bool, ...]:
    """Per example: routed to its queue by the served decision (the model's own floor, if it has one)."""
    floor = model.calibration.get("oos_floor", OUT_OF_SCOPE_FLOOR)
    right = []
    for example in examples:
        queue = route(model.predict(features.prepare(example.text)), threshold, floor)[0]
        right.append(queue == (TRIAGE_QUEUE if example.queue == labels.OUT_OF_SCOPE else example.queue))
    return tuple(right)


def measure(
    model: LinearModel, validation: Sequence[Example], held: Sequence[Example], threshold: float
) -> Figures:
    return Figures(routed_right(model, validation, threshold), routed_right(model, held, threshold))


def worse(current: Sequence[bool], candidate: Sequence[bool]) -> bool:
    """Whether the candidate is worse on the same rows beyond chance: of the rows where the two differ,
    it gets wrong significantly more than it gets right (one-sided McNemar test at Z)."""
    lost = sum(a and not b for a, b in zip(current, candidate, strict=True))
    gained = sum(b and not a for a, b in zip(current, candidate, strict=True))
    return lost - gained > Z * math.sqrt(lost + gained)


def judge(current: Figures | None, candidate: Figures) -> Verdict:
    """Served when there is no current model, or when the candidate is not worse beyond chance on the
    standard validation nor on the held-back corrections."""
    if current is None:
        return Verdict(True, "no model is being served")
    if worse(current.validation_right, candidate.validation_right):
        return Verdict(
            False,
            f"validation accuracy {candidate.validation:.4f} is worse than the served model's "
            f"{current.validation:.4f}",
        )
    if worse(current.corrections_right, candidate.corrections_right):
        return Verdict(
            False,
            f"held-back corrections accuracy {candidate.corrections:.4f} is worse than the served "
            f"model's {current.corrections:.4f}",
        )
    return Verdict(True, "not worse on the validation nor on the held-back corrections")
