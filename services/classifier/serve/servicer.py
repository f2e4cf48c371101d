"""The ClassifierService gRPC servicer: translates requests to router calls and decisions back."""

import asyncio

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from ticketing.v1 import classifier_pb2, classifier_pb2_grpc, common_pb2

from services.classifier.decision import Decision, ModelInfo
from services.classifier.faq import FaqMatcher
from services.classifier.serve.reload import RouterSlot
from services.shared.domain import Priority, channel_from_proto

SERVICE_NAME = classifier_pb2.DESCRIPTOR.services_by_name["ClassifierService"].full_name
# A batch is classified on the event loop between other calls; 256 short inquiries take ~100 ms.
MAX_BATCH = 256
# A batch lets other calls in after every this many decisions.
BATCH_SLICE = 16
# Of the documents' text, only the opening joins the inquiry: the gateway already bounds it, and the
# inquiry's own words should outweigh a long attachment.
DOCUMENTS_MAX_CHARS = 2000


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


def to_info_response(info: ModelInfo) -> classifier_pb2.GetModelInfoResponse:
    response = classifier_pb2.GetModelInfoResponse(
        model_version=info.version,
        kind=info.kind,
        validation=info.validation,
        data_checksums=info.data_checksums,
    )
    if info.trained_at is not None:
        trained_at = Timestamp()
        trained_at.FromDatetime(info.trained_at)
        response.trained_at.CopyFrom(trained_at)
    return response


def problem(request: classifier_pb2.ClassifyRequest) -> str | None:
    """Why the request cannot be classified, or None."""
    if not (request.text.strip() or request.subject.strip() or request.documents_text.strip()):
        return "text, subject or documents_text must not be empty"
    if request.channel not in common_pb2.Channel.values():
        return f"unknown channel {request.channel}"
    return None


def _expired(context: grpc.aio.ServicerContext) -> bool:
    """The caller's deadline has passed: it no longer waits for the answer."""
    remaining = context.time_remaining()
    return remaining is not None and remaining <= 0


class ClassifierServicer(classifier_pb2_grpc.ClassifierServiceServicer):
    """Classification is pure CPU work of well under a millisecond, so it runs inline on the event
    loop: a thread hand-off would cost more than the work."""

    def __init__(self, slot: RouterSlot, faq: FaqMatcher | None = None):
        self._slot = slot
        self._faq = faq

    def _decide(self, request: classifier_pb2.ClassifyRequest) -> classifier_pb2.ClassifyResponse:
        text = request.text
        documents = request.documents_text.strip()[:DOCUMENTS_MAX_CHARS]
        if documents:
            text = f"{text}\n\n{documents}"
        decision = self._slot.router.decide(
            text=text,
            subject=request.subject,
            channel=channel_from_proto(request.channel),
            language_hint=request.language_hint,
            customer_tier=request.customer_tier,
        )
        response = to_response(decision)
        # Only a plain question gets an automatic answer: urgent cases and inquiries that bring
        # documents need a person to look.
        if self._faq is not None and decision.priority < Priority.HIGH and not documents:
            found = self._faq.match(
                request.text, decision.language, intent=decision.intent, intent_confidence=decision.confidence
            )
            if found is not None:
                response.faq_answer = found.answer
                response.faq_id = found.id
                response.faq_confidence = found.confidence
        return response

    async def Classify(
        self, request: classifier_pb2.ClassifyRequest, context: grpc.aio.ServicerContext
    ) -> classifier_pb2.ClassifyResponse:
        if (message := problem(request)) is not None:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, message)
        if _expired(context):
            await context.abort(
                grpc.StatusCode.DEADLINE_EXCEEDED, "the deadline passed before classification"
            )
        return self._decide(request)

    async def ClassifyBatch(
        self, request: classifier_pb2.ClassifyBatchRequest, context: grpc.aio.ServicerContext
    ) -> classifier_pb2.ClassifyBatchResponse:
        if len(request.requests) > MAX_BATCH:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"at most {MAX_BATCH} requests per batch")
        for number, item in enumerate(request.requests):
            if (message := problem(item)) is not None:
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"requests[{number}]: {message}")
        responses = []
        for number, item in enumerate(request.requests):
            if number % BATCH_SLICE == 0:
                if number:
                    await asyncio.sleep(0)
                if _expired(context):
                    await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, f"the deadline passed at {number}")
            responses.append(self._decide(item))
        return classifier_pb2.ClassifyBatchResponse(responses=responses)

    async def GetModelInfo(
        self, request: classifier_pb2.GetModelInfoRequest, context: grpc.aio.ServicerContext
    ) -> classifier_pb2.GetModelInfoResponse:
        return to_info_response(self._slot.router.info)
