"""The ClassifierService gRPC servicer: translates ClassifyRequest to a router call and back."""

import grpc
from ticketing.v1 import classifier_pb2, classifier_pb2_grpc, common_pb2

from services.classifier.decision import Decision, Router
from services.shared.domain import channel_from_proto

SERVICE_NAME = classifier_pb2.DESCRIPTOR.services_by_name["ClassifierService"].full_name


def to_response(decision: Decision) -> classifier_pb2.ClassifyResponse:
    return classifier_pb2.ClassifyResponse(
        queue=decision.queue,
        intent=decision.intent,
        language=decision.language,
        priority=int(decision.priority),
        priority_reason=decision.priority_reason,
        confidence=decision.confidence,
        model_version=decision.model_version,
        explanation=list(decision.explanation),
        faq_answer=decision.faq_answer,
        reason=decision.reason,
    )


class ClassifierServicer(classifier_pb2_grpc.ClassifierServiceServicer):
    """Classification is pure CPU work of well under a millisecond, so it runs inline on the event
    loop: a thread hand-off would cost more than the work."""

    def __init__(self, router: Router):
        self._router = router

    async def Classify(
        self, request: classifier_pb2.ClassifyRequest, context: grpc.aio.ServicerContext
    ) -> classifier_pb2.ClassifyResponse:
        if not request.text.strip() and not request.subject.strip():
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "text or subject must not be empty")
        if request.channel not in common_pb2.Channel.values():
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"unknown channel {request.channel}")
        decision = self._router.decide(
            text=request.text,
            subject=request.subject,
            channel=channel_from_proto(request.channel),
            language_hint=request.language_hint,
            customer_tier=request.customer_tier,
        )
        return to_response(decision)
