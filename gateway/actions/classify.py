"""Asks the classifier for a decision, with a deadline; sheds load when it is slow, falls back to `triage`
when it cannot answer.

The rule (docs/performance.md): an inquiry waits in a bounded line in front of the classifier, up to
the hard deadline (CLASSIFIER_TIMEOUT_MS). A full line in front of a classifier that answers is a
slow classifier: 429 with Retry-After, the inquiry keeps its routing when retried. A classifier that
fails (unreachable, an error, or past the hard deadline) routes to triage by fallback; a worker
sweep routes those tickets again once it answers (services/workers/reroutes.py).
"""

import logging
import time
from dataclasses import dataclass, field

from ticketing.v1 import classifier_pb2

from gateway.actions.classify_batcher import ClassifyBatcher
from gateway.actions.classify_episodes import Episodes, admission
from gateway.http.problems import Problem
from services.shared.domain import Priority, channel_to_proto

log = logging.getLogger(__name__)

FALLBACK_QUEUE = "triage"
# A shed inquiry is retried after this: about the time the line takes to drain at full load.
RETRY_AFTER_S = 1


@dataclass(frozen=True)
class Routing:
    queue: str
    priority: int
    language: str
    intent: str
    routed_by: str
    # What the ticket keeps of the decision (confidence, reason, model version, explanation).
    details: dict[str, object] = field(default_factory=dict)
    # The FAQ answer when the classifier matched a frequent question; "" otherwise.
    faq_answer: str = ""
    faq_id: str = ""
    faq_confidence: float = 0.0


def fallback(reason: str, language_hint: str | None) -> Routing:
    return Routing(
        queue=FALLBACK_QUEUE,
        priority=int(Priority.NORMAL),
        language=language_hint or "und",
        intent="",
        routed_by="fallback",
        details={"reason": reason},
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, TimeoutError):
        return "classifier_deadline_exceeded"
    code = getattr(exc, "code", None)
    if callable(code):
        return f"classifier_{code().name.lower()}"
    return "classifier_error"


async def classify(
    batcher: ClassifyBatcher,
    episodes: Episodes,
    *,
    text: str,
    subject: str,
    channel: str,
    language_hint: str | None,
    customer_tier: str,
    documents_text: str = "",
) -> Routing:
    request = classifier_pb2.ClassifyRequest(
        text=text,
        subject=subject,
        channel=channel_to_proto(channel),
        language_hint=language_hint or "",
        customer_tier=customer_tier,
        documents_text=documents_text,
    )
    decided = admission(line_full=batcher.full, failing=episodes.fallback.active)
    if decided == "shed":
        _log(episodes.shed.hit("line_full", time.monotonic()))
        raise Problem(
            429,
            "Classifier busy",
            f"inquiries are arriving faster than they can be classified; retry after {RETRY_AFTER_S} s",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    if decided == "fallback":
        return _fell_back(episodes, "classifier_unavailable", language_hint)
    try:
        reply = await batcher.classify(request)
    except Exception as exc:  # any failure of the call: the inquiry still lands, in triage
        return _fell_back(episodes, _reason(exc), language_hint)
    now = time.monotonic()
    _log(episodes.fallback.answered(now))
    _log(episodes.shed.answered(now))
    return Routing(
        queue=reply.queue or FALLBACK_QUEUE,
        priority=reply.priority or int(Priority.NORMAL),
        language=reply.language or language_hint or "und",
        intent=reply.intent,
        routed_by="classifier",
        details={
            "confidence": round(reply.confidence, 4),
            "reason": reply.reason,
            "priority_reason": reply.priority_reason,
            "model_version": reply.model_version,
            "explanation": list(reply.explanation),
        },
        faq_answer=reply.faq_answer.strip(),
        faq_id=reply.faq_id,
        faq_confidence=round(reply.faq_confidence, 4),
    )


def _fell_back(episodes: Episodes, reason: str, language_hint: str | None) -> Routing:
    _log(episodes.fallback.hit(reason, time.monotonic()))
    return fallback(reason, language_hint)


def _log(line: str | None) -> None:
    if line is not None:
        log.warning("%s", line)
