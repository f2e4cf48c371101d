from datetime import UTC, datetime, timedelta

import pytest

from services.shared import sla
from services.shared.ticket_changes import NotHolder, TicketState, TooEarly, plan
from services.shared.ticket_states import TRANSITIONS, IllegalTransition, transition

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# Phone: 60 s to a first answer on the always-open calendar, 8 h to resolution; warning at 80%.
POLICY = sla.load(overrides="phone=60")
RESOLUTION_DUE = T0 + timedelta(hours=8)


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
    change = plan(
        "answer",
        state("claimed", agent=7, resolution_due_at=RESOLUTION_DUE),
        at=T0,
        policy=POLICY,
        agent_id=7,
    )
    # No level can come any more: only the resolution deadline is still watched.
    assert change.columns == {
        "status": "answered",
        "last_event_at": T0,
        "answered_at": T0,
        "first_response_due_at": None,
        "resolution_due_at": RESOLUTION_DUE,
        "sla_warn_at": None,
        "escalate_at": RESOLUTION_DUE,
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
    # A first-response clock starts in the new queue: warning at 48 s, deadline at 60 s.
    assert change.columns["first_response_due_at"] == T0 + timedelta(seconds=60)
    assert change.columns["escalate_at"] == change.columns["sla_warn_at"] == T0 + timedelta(seconds=48)
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
        "first_response_due_at": at + timedelta(seconds=60),
        "resolution_due_at": at + timedelta(hours=8),
        "sla_warn_at": at + timedelta(seconds=48),
        "escalate_at": at + timedelta(seconds=48),
    }
    assert (change.event_type, change.event_queue_id) == ("human_requested", 1)
    with pytest.raises(IllegalTransition):
        plan("request_human", state("queued"), at=at, policy=POLICY)


def test_waiting_for_the_customer_pauses_the_clock_and_a_transfer_resumes_it() -> None:
    answered = state("answered", agent=7, resolution_due_at=RESOLUTION_DUE)
    paused = plan("await_customer", answered, at=T0, policy=POLICY, agent_id=7)
    assert paused.event_type == "awaiting_customer"
    assert paused.columns == {
        "status": "answered",
        "last_event_at": T0,
        "sla_paused_at": T0,
        "sla_resumed_at": None,
        "escalate_at": None,
    }
    with pytest.raises(NotHolder):
        plan("await_customer", answered, at=T0, policy=POLICY, agent_id=8)
    with pytest.raises(IllegalTransition):
        plan("await_customer", state("claimed", agent=7), at=T0, policy=POLICY, agent_id=7)
    # Three hours later the agent hands it on: the resolution deadline moves by the time paused.
    later = T0 + timedelta(hours=3)
    moved = plan(
        "transfer",
        state("answered", agent=7, resolution_due_at=RESOLUTION_DUE, sla_paused_at=T0),
        at=later,
        policy=POLICY,
        agent_id=7,
        to_queue_id=5,
    )
    assert moved.columns["resolution_due_at"] == RESOLUTION_DUE + timedelta(hours=3)
    assert moved.columns["sla_paused_at"] is None
    assert moved.columns["escalate_at"] == later + timedelta(seconds=48)


def test_resolving_or_abandoning_stops_every_clock() -> None:
    for action, status in (("resolve", "answered"), ("abandon", "queued")):
        change = plan(action, state(status, agent=7, sla_paused_at=T0), at=T0, policy=POLICY, agent_id=7)
        assert change.columns["escalate_at"] is None
        assert change.columns["sla_warn_at"] is None and change.columns["sla_paused_at"] is None


def test_a_reopened_ticket_gets_fresh_sla_clocks() -> None:
    at = T0 + timedelta(days=1)
    change = plan(
        "reopen", state("resolved", agent=7, resolution_due_at=RESOLUTION_DUE), at=at, policy=POLICY
    )
    assert change.columns["first_response_due_at"] == at + timedelta(seconds=60)
    assert change.columns["resolution_due_at"] == at + timedelta(hours=8)
    assert change.columns["escalate_at"] == at + timedelta(seconds=48)
