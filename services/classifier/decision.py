"""What `Classify` answers, whatever decided it: the keyword table now, a trained model later."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from services.shared.domain import Priority

# Inquiries nothing placed with enough evidence go here for a person to route.
TRIAGE_QUEUE = "triage"

# Why a decision chose its queue (ClassifyResponse.reason).
MATCHED = "matched"
NO_MATCH = "no_match"
LOW_CONFIDENCE = "low_confidence"
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Decision:
    queue: str
    intent: str
    # "ar", "en", "mixed" or "und".
    language: str
    priority: Priority
    priority_reason: str
    # In [0, 1]; how it is computed (and whether it is calibrated) depends on the router.
    confidence: float
    model_version: str
    # What drove the decision (matched terms or features), most important first.
    explanation: tuple[str, ...]
    # The answer to send at once when a frequent question matched; empty otherwise.
    faq_answer: str
    reason: str


@dataclass(frozen=True)
class ModelInfo:
    """What GetModelInfo tells about the router that is serving."""

    version: str
    # "keyword_table" or the learned model's kind.
    kind: str
    # When the model was trained; None for a hand-written table.
    trained_at: datetime | None = None
    # Validation figures recorded with the model, by name ("accuracy_en", ...).
    validation: dict[str, float] = field(default_factory=dict)
    # SHA-256 of each data file it was trained on, by file name.
    data_checksums: dict[str, str] = field(default_factory=dict)


class Router(Protocol):
    """Anything that turns an inquiry into a Decision; the servicer depends only on this."""

    @property
    def version(self) -> str: ...

    @property
    def info(self) -> ModelInfo: ...

    def decide(
        self, text: str, subject: str, channel: str | None, language_hint: str, customer_tier: str
    ) -> Decision: ...
