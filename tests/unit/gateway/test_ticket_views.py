"""The customer-facing view integrations get, against the staff view; and pagination cursors."""

from datetime import UTC, datetime

import pytest

from gateway.actions.ticket_views import CUSTOMER_EVENTS, detail_view, event_types, ticket_view
from gateway.http import paging
from gateway.http.problems import Problem
from services.shared.store.api_credentials import Credential
from services.shared.store.tickets import Ticket

AT = datetime(2025, 3, 1, 9, tzinfo=UTC)
TICKET = Ticket(
    id=1, channel="chat", external_id="c1", request_hash=b"", customer_id=3, queue_id=2, queue="cards",
    status="answered", priority=3, language="en", intent="card_lost", subject="", body="lost my card",
    classification={"confidence": 0.91, "model_version": "learned-1", "scores": {"card_lost": 0.9},
                    "faq": {"id": "cards.lost", "answer": "Call us", "confidence": 0.8}},
    routed_by="fallback", assigned_agent_id=9, created_at=AT, queued_at=AT, answered_at=AT,
    resolved_at=None, last_event_at=AT, escalation_level=1, escalate_at=None,
)  # fmt: skip
EVENTS = [
    {"id": 1, "type": "created", "occurred_at": AT, "agent_id": None, "queue_id": None,
     "data": {"channel": "chat", "external_id": "c1"}},
    {"id": 2, "type": "routed", "occurred_at": AT, "agent_id": None, "queue_id": 2,
     "data": {"routed_by": "fallback", "confidence": 0.91, "model_version": "learned-1", "reason": "x"}},
    {"id": 3, "type": "offered", "occurred_at": AT, "agent_id": 9, "queue_id": 2, "data": {"rule": "skills"}},
    {"id": 4, "type": "answered", "occurred_at": AT, "agent_id": 9, "queue_id": 2,
     "data": {"note": "customer sounds angry, VIP"}},
    {"id": 5, "type": "agent_message", "occurred_at": AT, "agent_id": 9, "queue_id": 2,
     "data": {"text": "We blocked it.", "message_id": 4}},
    {"id": 6, "type": "quality_evaluated", "occurred_at": AT, "agent_id": None, "queue_id": 2,
     "data": {"score": "40.00"}},
]  # fmt: skip


def credential(role: str) -> Credential:
    return Credential(id=1, name="t", role=role, channel="chat" if role == "integration" else None,
                      agent_id=9 if role == "agent" else None)  # fmt: skip


def test_an_integration_sees_where_the_ticket_stands_not_how_it_was_decided() -> None:
    shown = detail_view(credential("integration"), TICKET, EVENTS, []).model_dump(mode="json")
    text = repr(shown)
    for secret in (
        "confidence",
        "model_version",
        "scores",
        "fallback",
        "angry",
        "priority",
        "intent",
        "assigned_agent_id",
        "customer_id",
        "offered",
        "quality",
        "agent_id",
        "queue_id",
        "note",
    ):
        assert secret not in text, secret  # fmt: skip
    assert (shown["status"], shown["queue"], shown["answer"]) == (
        "answered", "cards", {"text": "Call us", "faq_id": "cards.lost"}
    )  # fmt: skip
    assert [(e["type"], e["data"]) for e in shown["events"]] == [
        ("created", {"channel": "chat", "external_id": "c1"}),
        ("routed", {}),
        ("answered", {}),
        ("agent_message", {"text": "We blocked it."}),
    ]
    assert "classification" not in ticket_view(credential("integration"), TICKET).model_dump()


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_staff_see_the_whole_record(role: str) -> None:
    shown = detail_view(credential(role), TICKET, EVENTS, [])
    assert shown.model_dump()["classification"]["model_version"] == "learned-1"
    assert len(shown.model_dump()["events"]) == len(EVENTS)
    assert event_types(credential(role)) is None


def test_only_listed_event_types_reach_integrations() -> None:
    assert set(event_types(credential("integration")) or ()) == set(CUSTOMER_EVENTS)
    assert not {"offered", "offer_missed", "quality_evaluated", "sla_warning"} & set(CUSTOMER_EVENTS)


def test_cursors_round_trip_and_anything_else_is_a_422() -> None:
    assert paging.decode(paging.encode(41), (int,)) == (41,)
    assert paging.decode(paging.encode("2025-01-01T00:00:00+00:00", 5), (str, int)) == (
        "2025-01-01T00:00:00+00:00", 5
    )  # fmt: skip
    assert paging.decode(None, (int,)) is None
    for bad in ("%%%", "bm90IGpzb24", paging.encode("x"), paging.encode(1, 2), paging.encode(True)):
        with pytest.raises(Problem) as refused:
            paging.decode(bad, (int,))
        assert refused.value.status == 422
