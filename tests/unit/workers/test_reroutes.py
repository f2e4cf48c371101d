"""Which fallback tickets are routed again, and what the re-routing sets (services/workers/reroutes.py)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from services.shared import sla
from services.shared.store.reroutes import LOCK_WAITING, FallbackTicket
from services.workers.reroutes import FALLBACK_QUEUE, Classified, plan

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
POLICIES = sla.load(overrides="web=600")
TRIAGE, CARDS = 1, 5
IDS = {"triage": TRIAGE, "cards": CARDS}


def ticket(**kw: Any) -> FallbackTicket:
    normal = POLICIES.deadlines("web", 2, T0, "classifier_unavailable")
    base: dict[str, Any] = dict(
        id=7,
        channel="web",
        queue_id=TRIAGE,
        priority=2,
        escalation_level=0,
        language="und",
        subject="",
        body="Someone stole my card",
        customer_tier="standard",
        classification={"reason": "classifier_unavailable"},
        queued_at=T0,
        last_event_at=T0,
        first_response_due_at=normal.first_response_due_at,
        resolution_due_at=normal.resolution_due_at,
        sla_paused_at=None,
        swept_at=T0 + timedelta(seconds=20),
    )
    return FallbackTicket(**(base | kw))


def classified(queue: str = "cards", priority: int = 4) -> Classified:
    return Classified(queue, priority, "en", "card_stolen", {"reason": "confident", "confidence": 0.93})


def test_moves_to_the_classified_queue_with_its_priority_and_deadlines_from_the_first_queuing() -> None:
    r = plan(ticket(), classified(), IDS, POLICIES)
    assert (r.queue_id, r.priority, r.language, r.intent) == (CARDS, 4, "en", "card_stolen")
    due = POLICIES.deadlines("web", 4, T0, "confident")
    assert r.first_response_due_at == due.first_response_due_at
    assert r.resolution_due_at == due.resolution_due_at
    assert r.sla_warn_at == due.warn_at and r.escalate_at is not None
    assert r.occurred_at == T0 + timedelta(seconds=20)
    # The event says what happened; it is a `routed` event, not a transfer and not a correction.
    assert r.event_data["rerouted"] is True and r.event_data["from_queue_id"] == TRIAGE
    assert r.event_data["routed_by"] == "classifier"
    assert r.event_data["fallback_reason"] == "classifier_unavailable"
    assert r.classification["requested_queue"] == "cards" and r.classification["rerouted"] is True


def test_triage_or_an_unknown_queue_keeps_the_ticket_where_it_is() -> None:
    for queue in (FALLBACK_QUEUE, "no_such_queue"):
        r = plan(ticket(), classified(queue), IDS, POLICIES)
        assert r.queue_id == TRIAGE
        # Still marked as classified (the store sets routed_by), so no sweep takes it again.
        assert r.event_data["requested_queue"] == queue


def test_an_escalated_ticket_keeps_its_higher_priority_and_gets_no_new_warning() -> None:
    r = plan(ticket(priority=3, escalation_level=1), classified(priority=1), IDS, POLICIES)
    assert r.priority == 3 and r.sla_warn_at is None


def test_the_event_is_never_dated_before_the_tickets_last_event() -> None:
    later = T0 + timedelta(minutes=5)
    assert plan(ticket(last_event_at=later), classified(), IDS, POLICIES).occurred_at == later


def test_only_waiting_fallback_tickets_of_the_fallback_queue_are_taken() -> None:
    for condition in ("t.status = 'queued'", "t.routed_by = 'fallback'", "SKIP LOCKED", "name = %(queue)s"):
        assert condition in LOCK_WAITING
