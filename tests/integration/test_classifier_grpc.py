"""The classifier gRPC server on loopback with the default learned model: Classify, ClassifyBatch,
GetModelInfo, argument errors, health and reflection."""

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from ticketing.v1 import classifier_pb2, classifier_pb2_grpc, common_pb2

from services.classifier.serve.servicer import MAX_BATCH
from services.classifier.train import datasets
from services.shared import grpc_channels
from tests.fixtures import internal_grpc

pytestmark = pytest.mark.integration

# Every call has a deadline; a decision takes well under a millisecond.
DEADLINE_S = 5.0


@pytest.fixture
def channel(classifier_addr: str) -> Iterator[grpc.Channel]:
    with grpc_channels.channel(classifier_addr, internal_grpc.CLIENT) as channel:
        yield channel


@pytest.fixture
def stub(channel: grpc.Channel) -> classifier_pb2_grpc.ClassifierServiceStub:
    return classifier_pb2_grpc.ClassifierServiceStub(channel)


def classify(
    stub: classifier_pb2_grpc.ClassifierServiceStub, text: str, **fields: object
) -> classifier_pb2.ClassifyResponse:
    request = classifier_pb2.ClassifyRequest(text=text, channel=common_pb2.CHANNEL_CHAT, **fields)  # type: ignore[arg-type]
    return stub.Classify(request, timeout=DEADLINE_S)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Someone stole my wallet and my card is gone", "en"),
        ("I lost my card, please block it", "en"),
        ("انسرقت بطاقتي امبارح", "ar"),
        ("فقدت بطاقتي أرجو إيقافها", "ar"),
    ],
)
def test_a_lost_or_stolen_card_reaches_the_fraud_desk_urgently(
    stub: classifier_pb2_grpc.ClassifierServiceStub, text: str, language: str
) -> None:
    response = classify(stub, text)
    assert (response.queue, response.language, response.reason) == ("disputes_fraud", language, "matched")
    assert (response.priority, response.priority_reason) == (
        common_pb2.PRIORITY_URGENT,
        "lost or stolen card",
    )
    assert response.model_version.startswith("learned-") and 0.5 <= response.confidence <= 1
    assert response.explanation and response.faq_answer == ""


def test_classify_arabic_with_tier(stub: classifier_pb2_grpc.ClassifierServiceStub) -> None:
    response = classify(stub, "كيف أغير عنواني؟", language_hint="ar", customer_tier="gold")
    assert (response.queue, response.intent, response.language) == (
        "account_identity",
        "edit_personal_details",
        "ar",
    )
    assert (response.priority, response.priority_reason) == (
        common_pb2.PRIORITY_HIGH,
        "priority customer tier",
    )


def test_a_card_that_has_not_arrived_goes_to_cards(stub: classifier_pb2_grpc.ClassifierServiceStub) -> None:
    response = classify(stub, "My new card has not arrived yet")
    assert (response.queue, response.intent, response.priority) == (
        "cards",
        "card_arrival",
        common_pb2.PRIORITY_NORMAL,
    )


@pytest.mark.parametrize(
    "text", ["Hello", "What's the weather like in Paris tomorrow?", "ما هو أفضل مطعم بيتزا في المدينة"]
)
def test_out_of_scope_goes_to_triage(stub: classifier_pb2_grpc.ClassifierServiceStub, text: str) -> None:
    response = classify(stub, text)
    assert (response.queue, response.reason, response.intent) == ("triage", "out_of_scope", "")
    assert response.priority == common_pb2.PRIORITY_NORMAL


def test_documents_text_informs_the_decision(stub: classifier_pb2_grpc.ClassifierServiceStub) -> None:
    text = "Please see the attached document"
    assert classify(stub, text).queue == "triage"
    documents = "Chargeback request: I do not recognise this payment on my card statement"
    response = classify(stub, text, documents_text=documents)
    assert (response.queue, response.intent) == ("disputes_fraud", "card_payment_not_recognised")
    assert classify(stub, "", documents_text=documents).queue == "disputes_fraud"


def test_classify_batch_answers_in_request_order(stub: classifier_pb2_grpc.ClassifierServiceStub) -> None:
    texts = [
        "My new card has not arrived yet",
        "فقدت بطاقتي أرجو إيقافها",
        "Hello",
        "How do I top up by card?",
    ]
    requests = [classifier_pb2.ClassifyRequest(text=t, channel=common_pb2.CHANNEL_EMAIL) for t in texts]
    batch = stub.ClassifyBatch(classifier_pb2.ClassifyBatchRequest(requests=requests), timeout=DEADLINE_S)
    assert [r.queue for r in batch.responses] == ["cards", "disputes_fraud", "triage", "top_up"]
    assert list(batch.responses) == [stub.Classify(r, timeout=DEADLINE_S) for r in requests]
    empty = stub.ClassifyBatch(classifier_pb2.ClassifyBatchRequest(), timeout=DEADLINE_S)
    assert list(empty.responses) == []


@pytest.mark.parametrize(
    ("requests", "message"),
    [
        ([classifier_pb2.ClassifyRequest(text="hi")] * (MAX_BATCH + 1), f"at most {MAX_BATCH} requests"),
        ([classifier_pb2.ClassifyRequest(text="hi"), classifier_pb2.ClassifyRequest()], "requests[1]: text,"),
    ],
    ids=["too-many", "one-empty"],
)
def test_invalid_batches_are_refused(
    stub: classifier_pb2_grpc.ClassifierServiceStub, requests: list, message: str
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.ClassifyBatch(classifier_pb2.ClassifyBatchRequest(requests=requests), timeout=DEADLINE_S)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT and message in caught.value.details()


def test_model_info_names_the_serving_model(
    stub: classifier_pb2_grpc.ClassifierServiceStub, default_model_path: Path
) -> None:
    info = stub.GetModelInfo(classifier_pb2.GetModelInfoRequest(), timeout=DEADLINE_S)
    assert info.model_version == classify(stub, "hello there").model_version
    assert info.kind == "tfidf-linear-svm" and info.HasField("trained_at")
    assert info.validation["accuracy_en"] > 0.9 and info.validation["accuracy_ar"] > 0.9
    assert 0 <= info.validation["ece"] < 0.05 and info.validation["oos_recall"] > 0.7
    train_csv = datasets.DATA_DIR / "banking77/train.csv"
    assert info.data_checksums["banking77/train.csv"] == datasets.sha256(train_csv)


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


def test_reflection_is_off_by_default(channel: grpc.Channel) -> None:
    """Even a caller with the internal credential learns no service list (GRPC_REFLECTION=1 turns it on)."""
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    with pytest.raises(grpc.RpcError) as caught:
        list(
            stub.ServerReflectionInfo(
                iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=DEADLINE_S
            )
        )
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED


@pytest.mark.parametrize(
    ("text", "language"),
    [("How do I activate my new card?", "en"), ("كيف أقوم بتفعيل بطاقتي الجديدة؟", "ar")],
)
def test_a_frequent_question_gets_its_answer_in_the_customer_s_language(
    stub: classifier_pb2_grpc.ClassifierServiceStub, text: str, language: str
) -> None:
    reply = classify(stub, text)
    assert reply.faq_answer and reply.faq_id and 0 < reply.faq_confidence <= 1
    assert reply.language == language
    arabic_letters = sum("\u0600" <= ch <= "\u06ff" for ch in reply.faq_answer)
    assert (arabic_letters > 0) == (language == "ar")


def test_urgent_cases_and_documents_never_get_an_automatic_answer(
    stub: classifier_pb2_grpc.ClassifierServiceStub,
) -> None:
    assert classify(stub, "Someone stole my card, how do I activate a new one?").faq_answer == ""
    request = classifier_pb2.ClassifyRequest(
        text="How do I activate my new card?",
        channel=common_pb2.CHANNEL_CHAT,
        documents_text="Statement of account",
    )
    assert stub.Classify(request, timeout=DEADLINE_S).faq_answer == ""
