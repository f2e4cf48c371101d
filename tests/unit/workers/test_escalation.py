"""Escalation decisions (services/workers/escalation.py), without a database."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.shared import sla
from services.shared.i18n import formats
from services.shared.sla_steps import Step
from services.shared.store.escalations import DueTicket
from services.workers.escalation import event_for, notification_text, sla_state

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
POLICIES = sla.load(overrides="phone=60")


def due(**kw: Any) -> DueTicket:
    base: dict[str, Any] = dict(
        id=7,
        channel="phone",
        status="queued",
        queue_id=3,
        queue_name="cards",
        escalation_queue_id=None,
        escalation_queue_name=None,
        priority=2,
        escalation_level=0,
        queued_at=T0,
        escalate_at=T0 + timedelta(seconds=60),
        first_response_due_at=T0 + timedelta(seconds=60),
        resolution_due_at=T0 + timedelta(hours=8),
        sla_warn_at=None,
        sla_paused_at=None,
        sla_resumed_at=None,
        resolution_breached_at=None,
        reason=None,
        swept_at=T0 + timedelta(seconds=61),
    )
    return DueTicket(**(base | kw))


def test_level_one_raises_priority_and_moves_to_the_escalation_target():
    ticket = due(escalation_queue_id=9, escalation_queue_name="disputes_fraud")
    event = event_for(ticket, Step("escalate", 1, T0 + timedelta(seconds=60)), POLICIES)
    assert (event.type, event.queue_id) == ("escalated", 9)
    assert event.data == {
        "due_at": "2026-03-01T09:01:00+00:00",
        "level": 1,
        "reason": "first_response",
        "priority": 3,
        "from_queue_id": 3,
    }
    assert "moved to disputes_fraud" in notification_text(ticket, event)


def test_a_held_ticket_escalates_where_it_is_and_level_two_makes_it_urgent():
    ticket = due(status="claimed", escalation_level=1, priority=3, escalation_queue_id=9)
    event = event_for(ticket, Step("escalate", 2), POLICIES)
    assert event.queue_id == 3 and event.data["priority"] == 4 and "from_queue_id" not in event.data


def test_an_unsure_routing_is_recorded_as_escalated_for_its_own_rule():
    event = event_for(due(reason="low_confidence"), Step("escalate", 1), POLICIES)
    assert event.data["reason"] == "low_confidence"


def test_warnings_and_breaches_name_their_deadline():
    warning = event_for(due(), Step("warning", 0, T0), POLICIES)
    breach = event_for(due(status="answered"), Step("resolution_breach", 0, T0), POLICIES)
    assert (warning.type, warning.data["target"]) == ("sla_warning", "first_response")
    assert (breach.type, breach.data["target"]) == ("sla_breached", "resolution")
    assert "close to its first-response deadline" in notification_text(due(), warning)


def test_a_ticket_stored_without_deadlines_gets_them_from_its_queue_time():
    state = sla_state(POLICIES, due(first_response_due_at=None, resolution_due_at=None))
    assert state.first_response_due_at == T0 + timedelta(seconds=60)
    assert state.warn_at == T0 + timedelta(seconds=48)


def test_a_resumed_clock_moves_the_deadlines_by_the_pause():
    paused = due(status="answered", sla_paused_at=T0, sla_resumed_at=T0 + timedelta(hours=2))
    state = sla_state(POLICIES, paused)
    assert state.paused_at is None
    assert state.resolution_due_at == T0 + timedelta(hours=10)


def test_notification_times_are_on_the_centres_clock():
    warning = event_for(due(), Step("warning", 0, T0), POLICIES)
    due_at = datetime.fromisoformat(warning.data["due_at"])
    dubai = notification_text(due(), warning, ZoneInfo("Asia/Dubai"))
    utc = notification_text(due(), warning)
    # Supervisors read the deadline on their own clock: four hours on from UTC in Dubai.
    assert formats.date_time("en", due_at.astimezone(ZoneInfo("Asia/Dubai"))) in dubai  # 1:00:00 PM
    assert formats.date_time("en", due_at) in utc and dubai != utc
