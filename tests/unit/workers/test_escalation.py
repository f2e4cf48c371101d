"""Escalation decisions (services/workers/escalation.py), without a database."""

from datetime import UTC, datetime, timedelta

from services.shared.sla import EscalationPolicy
from services.shared.store.escalations import DueTicket
from services.workers.escalation import Step, next_step, notification_text

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
POLICY = EscalationPolicy.parse("phone=60")


def due(level: int = 0, priority: int = 2, queued_at: datetime | None = T0) -> DueTicket:
    return DueTicket(
        id=7,
        channel="phone",
        queue_id=3,
        queue_name="cards",
        priority=priority,
        escalation_level=level,
        queued_at=queued_at,
        escalate_at=T0 + timedelta(seconds=60),
        swept_at=T0 + timedelta(seconds=61),
    )


def test_level_one_raises_priority_and_schedules_level_two():
    assert next_step(POLICY, due(level=0, priority=2)) == Step(1, 3, T0 + timedelta(seconds=120))


def test_level_two_makes_the_ticket_urgent_and_is_the_last():
    assert next_step(POLICY, due(level=1, priority=3)) == Step(2, 4, None)


def test_nothing_follows_the_last_level():
    assert next_step(POLICY, due(level=2, priority=4)) is None


def test_a_ticket_without_a_queue_time_gets_no_further_deadline():
    assert next_step(POLICY, due(level=0, queued_at=None)) == Step(1, 3, None)


def test_the_notification_names_the_ticket_queue_and_level():
    text = notification_text(due(), Step(1, 3, None))
    assert "Ticket 7 " in text and "queue cards" in text and "level 1" in text and "priority now 3" in text
