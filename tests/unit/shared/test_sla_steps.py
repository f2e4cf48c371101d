"""Which SLA steps are due (services/shared/sla_steps.py): warnings, levels, breaches, pauses."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from services.shared import sla
from services.shared.sla_steps import SlaState, Step, due_steps, next_check

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)
POLICIES = sla.load()  # phone: 60 s to a first answer (always open), 8 h to resolution
DUE = POLICIES.deadlines("phone", 2, T0)
QUEUED = SlaState(
    status="queued",
    channel="phone",
    priority=2,
    escalation_level=0,
    first_response_due_at=DUE.first_response_due_at,
    resolution_due_at=DUE.resolution_due_at,
    warn_at=DUE.warn_at,
)


def test_nothing_is_due_before_the_warning_which_is_the_next_check():
    plan = due_steps(QUEUED, POLICIES, T0 + 47 * S)
    assert plan.steps == [] and plan.next_check == T0 + 48 * S


def test_the_warning_comes_once_then_the_breach_is_next():
    plan = due_steps(QUEUED, POLICIES, T0 + 50 * S)
    assert plan.steps == [Step("warning", 0, T0 + 60 * S)]
    assert plan.state.warn_at is None and plan.next_check == T0 + 60 * S
    assert due_steps(plan.state, POLICIES, T0 + 55 * S).steps == []


def test_the_breach_is_level_one_and_level_two_follows():
    plan = due_steps(replace(QUEUED, warn_at=None), POLICIES, T0 + 61 * S)
    assert plan.steps == [Step("escalate", 1, T0 + 60 * S)]
    assert plan.state.escalation_level == 1 and plan.next_check == T0 + 120 * S
    last = due_steps(plan.state, POLICIES, T0 + 121 * S)
    assert last.steps == [Step("escalate", 2, T0 + 120 * S)]
    assert last.next_check == DUE.resolution_due_at  # no level after the second


def test_after_an_outage_every_missed_step_happens_in_order_once():
    plan = due_steps(QUEUED, POLICIES, T0 + timedelta(hours=9))
    assert [(s.kind, s.level) for s in plan.steps] == [
        ("warning", 0),
        ("escalate", 1),
        ("escalate", 2),
        ("resolution_breach", 0),
    ]
    assert plan.next_check is None
    assert due_steps(plan.state, POLICIES, T0 + timedelta(hours=10)).steps == []


def test_answered_tickets_never_escalate_but_their_resolution_deadline_runs():
    answered = replace(QUEUED, status="answered")
    plan = due_steps(answered, POLICIES, T0 + timedelta(hours=1))
    assert plan.steps == [] and plan.next_check == DUE.resolution_due_at
    late = due_steps(answered, POLICIES, T0 + timedelta(hours=8, seconds=1))
    assert late.steps == [Step("resolution_breach", 0, DUE.resolution_due_at)]


def test_closed_or_paused_tickets_have_nothing_due_and_nothing_next():
    for state in (
        replace(QUEUED, status="resolved"),
        replace(QUEUED, status="abandoned"),
        replace(QUEUED, status="self_served"),
        replace(QUEUED, status="answered", paused_at=T0),
    ):
        plan = due_steps(state, POLICIES, T0 + timedelta(days=3))
        assert plan.steps == [] and plan.next_check is None
        assert next_check(state, POLICIES) is None


def test_a_low_confidence_routing_reaches_level_two_sooner():
    unsure = replace(QUEUED, reason="low_confidence", escalation_level=1, warn_at=None)
    # Level 2 comes half the phone time (30 s) after the breach.
    assert next_check(unsure, POLICIES) == T0 + 90 * S
