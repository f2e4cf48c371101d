"""Asks the classifier for a decision, with a deadline; falls back to `triage` when it cannot answer."""

import logging
from dataclasses import dataclass, field

import grpc
from ticketing.v1 import classifier_pb2

from gateway.actions.classify_batcher import ClassifyBatcher
from services.shared.domain import Priority, channel_to_proto

log = logging.getLogger(__name__)

FALLBACK_QUEUE = "triage"


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


async def classify(
    batcher: ClassifyBatcher,
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
    try:
        reply = await batcher.classify(request)
    except grpc.aio.AioRpcError as exc:
        log.warning("classifier unavailable (%s); routing to %s", exc.code().name, FALLBACK_QUEUE)
        return fallback(f"classifier_{exc.code().name.lower()}", language_hint)
    except TimeoutError:
        log.warning("classifier too slow; routing to %s", FALLBACK_QUEUE)
        return fallback("classifier_deadline_exceeded", language_hint)
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
