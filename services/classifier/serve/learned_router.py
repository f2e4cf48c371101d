"""The learned router: the trained model's queue, intent and calibrated confidence, as a Decision (pure).

Out of scope, or a queue probability under the confidence threshold, goes to triage with that
reason. Priority comes from the routing table's priority rules, which may also name intents.
"""

from services.classifier import features, language
from services.classifier.decision import (
    LOW_CONFIDENCE,
    MATCHED,
    OUT_OF_SCOPE,
    TRIAGE_QUEUE,
    Decision,
    ModelInfo,
)
from services.classifier.labels import OUT_OF_SCOPE as OUT_OF_SCOPE_QUEUE
from services.classifier.labels import public_intent
from services.classifier.priority import PriorityPolicy
from services.classifier.serve.linear_model import LinearModel, Prediction
from services.classifier.terms import IndexedText
from services.classifier.text import tokens

# Language hints the router can act on when the text itself says nothing ("123").
HINTS = ("ar", "en")
# Queue probability under which an inquiry goes to triage (CONFIDENCE_THRESHOLD), when it may be out of
# scope (below). Higher sends more to triage and fewer to a wrong queue: on the validation data 0.5
# sends 0.5% of bank inquiries to triage and 97.7% to the right queue; 0.8 sends 1.2% and 97.8%
# (docs/classifier.md).
DEFAULT_THRESHOLD = 0.5
# The threshold applies only when the model gives out of scope at least this probability: an inquiry
# that is surely bank work but unsure between two queues goes to the likelier one (triage would be a
# transfer too), while one that may be off-topic still goes to triage. Dialect wording the training
# rows lack lowers the queue's confidence, not the bank-ness, so this keeps it out of triage. Higher
# sends fewer unsure inquiries to triage and lets more off-topic Arabic ones through: on validation,
# 0.005 cut in-scope triage from 1.0% to 0.1% (Arabic) and 1.8% to 1.1% (English), and Arabic
# out-of-scope recall from 0.88 to 0.86; 0.05 cut it to 0.69 (docs/classifier.md). A taxonomy model
# carries its own floor, fitted by cross-validation (train/taxonomy.choose_floor).
OUT_OF_SCOPE_FLOOR = 0.005


def route(
    prediction: Prediction, threshold: float, out_of_scope_floor: float = OUT_OF_SCOPE_FLOOR
) -> tuple[str, str, str]:
    """(queue, reason, intent) of a prediction: out of scope, or unsure and maybe out of scope, goes to
    triage."""
    if prediction.queue == OUT_OF_SCOPE_QUEUE:
        return TRIAGE_QUEUE, OUT_OF_SCOPE, ""
    intent = public_intent(prediction.intent)
    if prediction.confidence < threshold and prediction.out_of_scope >= out_of_scope_floor:
        return TRIAGE_QUEUE, LOW_CONFIDENCE, intent
    return prediction.queue, MATCHED, intent


class LearnedRouter:
    """Immutable after construction; safe to share between concurrent calls."""

    def __init__(
        self,
        model: LinearModel,
        info: ModelInfo,
        priority: PriorityPolicy,
        threshold: float,
        out_of_scope_floor: float | None = None,
    ):
        """Without `out_of_scope_floor`, the model's own (a taxonomy model's, fitted by cross-validation)
        or else OUT_OF_SCOPE_FLOOR."""
        self.model = model
        if out_of_scope_floor is None:
            out_of_scope_floor = model.calibration.get("oos_floor", OUT_OF_SCOPE_FLOOR)
        self.out_of_scope_floor = out_of_scope_floor
        self._info = info
        self._priority = priority
        self.threshold = threshold

    @property
    def version(self) -> str:
        return self._info.version

    @property
    def info(self) -> ModelInfo:
        return self._info

    def decide(
        self, text: str, subject: str, channel: str | None, language_hint: str, customer_tier: str
    ) -> Decision:
        """`channel` is part of the shared router signature; the model does not depend on it."""
        content = f"{subject}\n{text}"[: features.MAX_CHARS]
        prediction = self.model.predict(features.prepare(content))
        detected = language.detect(content)
        hint = language_hint.strip().lower()
        if detected == "und" and hint in HINTS:
            detected = hint
        queue, reason, intent = route(prediction, self.threshold, self.out_of_scope_floor)
        # A guess below the threshold does not raise priority; the wording rules still do.
        priority, priority_reason = self._priority.assess(
            IndexedText(tokens(content)), customer_tier, intent if reason == MATCHED else ""
        )
        return Decision(
            queue=queue,
            intent=intent,
            language=detected,
            priority=priority,
            priority_reason=priority_reason,
            confidence=round(prediction.confidence, 4),
            model_version=self._info.version,
            explanation=prediction.explanation,
            faq_answer="",
            reason=reason,
        )
