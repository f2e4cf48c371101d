"""Translating a Decision to the gRPC response, and refusing to start on a broken table."""

from pathlib import Path

import pytest
from ticketing.v1 import common_pb2

from services.classifier import __main__ as classifier_main
from services.classifier.decision import Decision
from services.classifier.servicer import to_response
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
    with pytest.raises(SystemExit) as stopped:
        classifier_main.main()
    assert str(stopped.value) == f"classifier: {table}: top level: 'min_score' is missing"
