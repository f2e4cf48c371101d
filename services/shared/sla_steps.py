"""Which SLA steps are due on a ticket, and when it must be looked at next (pure).

Steps, each at most once per ticket: a warning at `warning_at` of the first-response time; level 1 at
the first-response deadline (priority up, moved to the queue's escalation target); level 2 later
(urgent); and a resolution breach at the resolution deadline. Levels apply only while the first
answer is awaited; an answered, resolved or abandoned ticket never escalates, and a paused clock (the
ticket waits for the customer) runs no deadline.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from services.shared.sla import MAX_LEVEL, OPEN, WAITING_FOR_ANSWER, SlaPolicies


@dataclass(frozen=True)
class SlaState:
    status: str
    channel: str
    priority: int
    escalation_level: int
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    # The pending first-response warning; None once sent (or when there is none).
    warn_at: datetime | None
    paused_at: datetime | None = None
    resolution_breached: bool = False
    # The classifier's reason (low_confidence, ...), for the rules that escalate such tickets sooner.
    reason: str | None = None


@dataclass(frozen=True)
class Step:
    # "warning", "escalate" or "resolution_breach".
    kind: str
    level: int = 0
    # The deadline the step is about.
    due_at: datetime | None = None


@dataclass(frozen=True)
class Plan:
    steps: list[Step]
    # The ticket's SLA state after the steps.
    state: SlaState
    # When the sweep should look at the ticket again; None when nothing more can fall due.
    next_check: datetime | None


def due_steps(state: SlaState, policies: SlaPolicies, now: datetime) -> Plan:
    """The steps due at `now`, in order (several after an outage), and what follows them."""
    steps: list[Step] = []
    if state.paused_at is None and state.status in WAITING_FOR_ANSWER:
        if state.warn_at is not None and state.warn_at <= now:
            steps.append(Step("warning", 0, state.first_response_due_at))
            state = replace(state, warn_at=None)
        while (due := _level_due(state, policies)) is not None and due <= now:
            level = state.escalation_level + 1
            steps.append(Step("escalate", level, due))
            # A level that is passed also passes its warning.
            state = replace(state, escalation_level=level, warn_at=None)
    if (
        state.paused_at is None
        and state.status in OPEN
        and not state.resolution_breached
        and state.resolution_due_at is not None
        and state.resolution_due_at <= now
    ):
        steps.append(Step("resolution_breach", 0, state.resolution_due_at))
        state = replace(state, resolution_breached=True)
    return Plan(steps, state, next_check(state, policies))


def next_check(state: SlaState, policies: SlaPolicies) -> datetime | None:
    """The earliest moment a step can fall due; None when none can (paused, answered, done)."""
    if state.paused_at is not None or state.status not in OPEN:
        return None
    candidates: list[datetime] = []
    if state.status in WAITING_FOR_ANSWER:
        if state.warn_at is not None:
            candidates.append(state.warn_at)
        level_due = _level_due(state, policies)
        if level_due is not None:
            candidates.append(level_due)
    if not state.resolution_breached and state.resolution_due_at is not None:
        candidates.append(state.resolution_due_at)
    return min(candidates, default=None)


def _level_due(state: SlaState, policies: SlaPolicies) -> datetime | None:
    if state.escalation_level >= MAX_LEVEL or state.first_response_due_at is None:
        return None
    return policies.level_due(
        state.escalation_level + 1, state.channel, state.priority, state.first_response_due_at, state.reason
    )
