from datetime import UTC, datetime, timedelta

import pytest

from services.shared.sla import EscalationPolicy
from services.shared.ticket_changes import NotHolder, TicketState, TooEarly, plan
from services.shared.ticket_states import TRANSITIONS, IllegalTransition, transition

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
POLICY = EscalationPolicy.parse("phone=60")


def state(status: str, agent: int | None = None, **kw) -> TicketState:
    base = dict(
        status=status,
        channel="phone",
        queue_id=1,
        assigned_agent_id=agent,
        answered_at=None,
        last_event_at=T0,
        escalation_level=0,
    )
    return TicketState(**(base | kw))


def test_every_action_is_refused_outside_its_source_states() -> None:
    statuses = ["queued", "claimed", "answered", "resolved", "abandoned", "self_served"]
    for action, step in TRANSITIONS.items():
        for status in statuses:
            if status in step.sources:
                assert transition(action, status).target == step.target
            else:
                with pytest.raises(IllegalTransition):
                    transition(action, status)


def test_resolve_before_answer_is_illegal() -> None:
    with pytest.raises(IllegalTransition, match="cannot resolve a ticket that is claimed"):
        plan("resolve", state("claimed", agent=7), at=T0, policy=POLICY, agent_id=7)


def test_only_the_holder_answers() -> None:
    with pytest.raises(NotHolder):
        plan("answer", state("claimed", agent=7), at=T0, policy=POLICY, agent_id=8)


def test_an_action_dated_before_the_last_event_is_refused() -> None:
    with pytest.raises(TooEarly):
        plan("answer", state("claimed", agent=7), at=T0 - timedelta(seconds=1), policy=POLICY, agent_id=7)


def test_answer_keeps_the_first_answer_time_and_stops_escalation() -> None:
    change = plan("answer", state("claimed", agent=7), at=T0, policy=POLICY, agent_id=7)
    assert change.columns == {
        "status": "answered",
        "last_event_at": T0,
        "answered_at": T0,
        "escalate_at": None,
    }
    again = plan(
        "answer",
        state("claimed", agent=7, answered_at=T0 - timedelta(hours=1)),
        at=T0,
        policy=POLICY,
        agent_id=7,
    )
    assert again.columns["answered_at"] == T0 - timedelta(hours=1)


def test_transfer_requeues_in_the_new_queue_and_restarts_the_escalation_clock() -> None:
    change = plan(
        "transfer",
        state("answered", agent=7),
        at=T0,
        policy=POLICY,
        agent_id=7,
        to_queue_id=5,
        data={"note": "cards"},
    )
    assert change.columns["status"] == "queued" and change.columns["queue_id"] == 5
    assert change.columns["assigned_agent_id"] is None
    assert change.columns["escalate_at"] == T0 + timedelta(seconds=60)
    assert change.event_type == "transferred" and change.event_queue_id == 5
    assert change.event_data == {"note": "cards", "from_queue_id": 1}


def test_resolve_makes_a_survey_due_and_abandon_frees_the_ticket() -> None:
    resolved = plan("resolve", state("answered", agent=7), at=T0, policy=POLICY, agent_id=7)
    assert resolved.columns["survey_due_at"] == T0 and resolved.columns["resolved_at"] == T0
    abandoned = plan("abandon", state("claimed", agent=7), at=T0, policy=POLICY)
    assert abandoned.columns["assigned_agent_id"] is None and abandoned.columns["status"] == "abandoned"


def test_a_self_served_customer_asking_for_a_human_starts_waiting_then() -> None:
    at = T0 + timedelta(minutes=5)
    change = plan("request_human", state("self_served"), at=at, policy=POLICY)
    assert change.columns == {
        "status": "queued",
        "last_event_at": at,
        "queued_at": at,
        "escalate_at": at + timedelta(seconds=60),
    }
    assert (change.event_type, change.event_queue_id) == ("human_requested", 1)
    with pytest.raises(IllegalTransition):
        plan("request_human", state("queued"), at=at, policy=POLICY)
