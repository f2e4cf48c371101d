"""Translating decisions and model information to gRPC, checking requests, refusing a broken start."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from ticketing.v1 import classifier_pb2, common_pb2

from services.classifier import __main__ as classifier_main
from services.classifier.decision import Decision, ModelInfo
from services.classifier.serve.servicer import problem, to_info_response, to_response
from services.shared.domain import Priority


def test_to_response_copies_every_field() -> None:
    decision = Decision(
        queue="disputes_fraud",
        intent="lost_or_stolen_card",
        language="ar",
        priority=Priority.URGENT,
        priority_reason="lost or stolen card",
        confidence=0.75,
        model_version="keywords-test",
        explanation=("سرقت*", "بطاق*"),
        faq_answer="",
        reason="matched",
    )
    response = to_response(decision)
    assert response.queue == "disputes_fraud" and response.intent == "lost_or_stolen_card"
    assert response.language == "ar" and response.priority == common_pb2.PRIORITY_URGENT
    assert response.priority_reason == "lost or stolen card" and response.confidence == 0.75
    assert response.model_version == "keywords-test" and list(response.explanation) == ["سرقت*", "بطاق*"]
    assert response.faq_answer == "" and response.reason == "matched"


def test_main_refuses_a_broken_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = tmp_path / "routing.yaml"
    table.write_text("name: keyword routing table\nversion: v1\n", encoding="utf-8")
    monkeypatch.setenv("ROUTING_TABLE", str(table))
    monkeypatch.setenv("INTERNAL_GRPC_TOKEN", "s" * 32)
    with pytest.raises(SystemExit) as stopped:
        classifier_main.main()
    assert str(stopped.value) == f"classifier: {table}: top level: 'min_score' is missing"


def test_model_information_is_translated() -> None:
    info = ModelInfo(
        version="learned-1",
        kind="tfidf-linear-svm",
        trained_at=datetime(2026, 11, 28, 12, 0, 1, tzinfo=UTC),
        validation={"accuracy_en": 0.97},
        data_checksums={"banking77/train.csv": "ab" * 32},
    )
    response = to_info_response(info)
    assert (response.model_version, response.kind) == ("learned-1", "tfidf-linear-svm")
    assert response.trained_at.ToDatetime(tzinfo=UTC) == info.trained_at
    assert dict(response.validation) == {"accuracy_en": 0.97}
    assert dict(response.data_checksums) == info.data_checksums
    table = to_info_response(ModelInfo(version="keywords-1", kind="keyword_table"))
    assert not table.HasField("trained_at") and not table.validation


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (classifier_pb2.ClassifyRequest(text="hi"), None),
        (classifier_pb2.ClassifyRequest(documents_text="Chargeback request"), None),
        (
            classifier_pb2.ClassifyRequest(text=" ", subject="\n"),
            "text, subject or documents_text must not be",
        ),
        (classifier_pb2.ClassifyRequest(text="hi", channel=42), "unknown channel 42"),
    ],
)
def test_request_problems(request_: classifier_pb2.ClassifyRequest, message: str | None) -> None:
    found = problem(request_)
    assert found == message if message is None else found is not None and found.startswith(message)


def test_main_refuses_a_missing_model_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_PATH", str(tmp_path / "none.npz"))
    monkeypatch.setenv("INTERNAL_GRPC_TOKEN", "s" * 32)
    with pytest.raises(SystemExit) as stopped:
        classifier_main.main()
    assert str(stopped.value) == f"classifier: {tmp_path / 'none.npz'}: MODEL_PATH names no file"
