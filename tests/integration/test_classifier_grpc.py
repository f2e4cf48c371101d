"""The classifier gRPC server on loopback: Classify, argument errors, health and reflection."""

from collections.abc import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from ticketing.v1 import classifier_pb2, classifier_pb2_grpc, common_pb2

pytestmark = pytest.mark.integration

# Every call has a deadline; a keyword decision takes well under a millisecond.
DEADLINE_S = 5.0


@pytest.fixture
def channel(classifier_addr: str) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(classifier_addr) as channel:
        yield channel


@pytest.fixture
def stub(channel: grpc.Channel) -> classifier_pb2_grpc.ClassifierServiceStub:
    return classifier_pb2_grpc.ClassifierServiceStub(channel)


def test_classify_english_stolen_card(stub: classifier_pb2_grpc.ClassifierServiceStub) -> None:
    response = stub.Classify(
        classifier_pb2.ClassifyRequest(
            text="Someone stole my wallet and my card is gone", subject="", channel=common_pb2.CHANNEL_PHONE
        ),
        timeout=DEADLINE_S,
    )
    assert (response.queue, response.language, response.reason) == ("disputes_fraud", "en", "matched")
    assert (
        response.priority == common_pb2.PRIORITY_URGENT and response.priority_reason == "lost or stolen card"
    )
    assert response.model_version.startswith("keywords-") and 0 < response.confidence <= 1
    assert response.explanation and response.faq_answer == ""


def test_classify_arabic_with_tier(stub: classifier_pb2_grpc.ClassifierServiceStub) -> None:
    response = stub.Classify(
        classifier_pb2.ClassifyRequest(
            text="كيف أغير عنواني؟", channel=common_pb2.CHANNEL_CHAT, language_hint="ar", customer_tier="gold"
        ),
        timeout=DEADLINE_S,
    )
    assert (response.queue, response.intent, response.language) == (
        "account_identity",
        "edit_personal_details",
        "ar",
    )
    assert (response.priority, response.priority_reason) == (
        common_pb2.PRIORITY_HIGH,
        "priority customer tier",
    )


def test_classify_without_a_match_answers_triage(stub: classifier_pb2_grpc.ClassifierServiceStub) -> None:
    response = stub.Classify(classifier_pb2.ClassifyRequest(subject="Hello"), timeout=DEADLINE_S)
    assert (response.queue, response.reason, response.confidence) == ("triage", "no_match", 0.0)
    assert response.priority == common_pb2.PRIORITY_NORMAL


@pytest.mark.parametrize(
    "request_",
    [
        classifier_pb2.ClassifyRequest(),
        classifier_pb2.ClassifyRequest(text="  \n", subject="\t"),
        classifier_pb2.ClassifyRequest(text="my card was stolen", channel=99),
    ],
    ids=["empty", "blank", "unknown-channel"],
)
def test_invalid_requests_are_refused(
    stub: classifier_pb2_grpc.ClassifierServiceStub, request_: classifier_pb2.ClassifyRequest
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.Classify(request_, timeout=DEADLINE_S)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize("service", ["", "ticketing.v1.ClassifierService"])
def test_health_is_serving(channel: grpc.Channel, service: str) -> None:
    response = health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service=service), timeout=DEADLINE_S
    )
    assert response.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_services(channel: grpc.Channel) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    responses = stub.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=DEADLINE_S
    )
    names = {service.name for response in responses for service in response.list_services_response.service}
    assert names >= {
        "ticketing.v1.ClassifierService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
    }
