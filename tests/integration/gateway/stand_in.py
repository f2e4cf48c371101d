"""A real gRPC classifier stand-in that answers frequent questions and records what it was asked."""

from collections.abc import Iterator
from contextlib import contextmanager

from ticketing.v1 import classifier_pb2, classifier_pb2_grpc

from services.shared.domain import Priority
from tests.fixtures.aio_thread import LoopThread, start_grpc

ADD = classifier_pb2_grpc.add_ClassifierServiceServicer_to_server
NAME = "ticketing.v1.ClassifierService"
ANSWER = "Open the app, go to Cards, choose the new card and tap Activate."


class FaqClassifier(classifier_pb2_grpc.ClassifierServiceServicer):
    """ "activate" is a frequent question (answered, queue cards); a document mentioning a chargeback
    goes to disputes_fraud; anything else to general."""

    def __init__(self) -> None:
        self.requests: list[classifier_pb2.ClassifyRequest] = []

    async def Classify(self, request, context):
        self.requests.append(request)
        common = {
            "language": "en",
            "priority": int(Priority.NORMAL),
            "confidence": 0.9,
            "model_version": "stand-in",
        }
        if "activate" in request.text.lower():
            return classifier_pb2.ClassifyResponse(
                queue="cards",
                intent="activate_my_card",
                reason="matched",
                faq_answer=ANSWER,
                faq_id="cards.activate",
                faq_confidence=0.93,
                **common,
            )
        queue = "disputes_fraud" if "chargeback" in request.documents_text.lower() else "general"
        return classifier_pb2.ClassifyResponse(queue=queue, reason="matched", **common)


@contextmanager
def serving(servicer: classifier_pb2_grpc.ClassifierServiceServicer) -> Iterator[str]:
    """Serves `servicer` on loopback for the block; yields its address."""
    loop = LoopThread()
    server, port = start_grpc(loop, [(ADD, servicer, NAME)])
    try:
        yield f"127.0.0.1:{port}"
    finally:
        loop.run(server.stop(0))
        loop.close()
