"""What each agent or customer action changes on a ticket (pure): columns to set and the event."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.shared.sla import SlaPolicies, escalated_priority
from services.shared.sla_steps import SlaState, next_check
from services.shared.ticket_states import IllegalTransition, transition


class NotHolder(Exception):
    """The acting agent does not hold the ticket."""


class TooEarly(ValueError):
    """The action is dated before the ticket's latest event."""


@dataclass(frozen=True)
class TicketState:
    status: str
    channel: str
    queue_id: int
    assigned_agent_id: int | None
    answered_at: datetime | None
    last_event_at: datetime
    escalation_level: int
    # The SLA clocks (0006): deadlines move when the ticket waits again or its clock resumes.
    priority: int = 2
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    sla_paused_at: datetime | None = None
    # The classifier's reason for its routing, for the SLA rules of unsure routings.
    reason: str | None = None


@dataclass(frozen=True)
class Change:
    columns: dict[str, Any]
    event_type: str
    event_queue_id: int
    event_data: dict[str, Any]


# Actions only the agent holding the ticket may take.
HOLDER_ONLY = frozenset({"answer", "release", "transfer", "resolve", "await_customer", "escalate"})


def plan(  # noqa: C901 (the state machine in one table-like function, one branch per action)
    action: str,
    state: TicketState,
    *,
    at: datetime,
    policy: SlaPolicies,
    agent_id: int | None = None,
    to_queue_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Change:
    """The change `action` makes; raises IllegalTransition, NotHolder or TooEarly when it may not."""
    step = transition(action, state.status)
    if action in HOLDER_ONLY and state.assigned_agent_id != agent_id:
        raise NotHolder(f"ticket is not held by agent {agent_id}")
    if at < state.last_event_at:
        raise TooEarly(
            f"occurred_at {at.isoformat()} is before the ticket's last event at "
            f"{state.last_event_at.isoformat()}"
        )
    columns: dict[str, Any] = {"status": step.target, "last_event_at": at}
    queue_id = state.queue_id
    if action == "claim":
        columns["assigned_agent_id"] = agent_id
    elif action == "answer":
        columns["answered_at"] = state.answered_at or at
        # Answered: no level can come any more; only the resolution deadline still runs.
        columns |= sla_columns(state, policy, status="answered", warn_at=None)
    elif action in ("release", "transfer", "move"):
        columns["assigned_agent_id"] = None
        if action in ("transfer", "move"):
            if to_queue_id is None:
                raise ValueError("transfer needs a queue")
            queue_id = to_queue_id
            columns["queue_id"] = to_queue_id
            # Waiting again, in a queue that has not seen it: a first-response clock starts now.
            due = policy.deadlines(state.channel, state.priority, at, state.reason)
            columns |= sla_columns(
                state, policy, status="queued", first=due.first_response_due_at, warn_at=due.warn_at, at=at
            )
    elif action in ("resolve", "abandon"):
        columns |= {"escalate_at": None, "sla_warn_at": None, "sla_paused_at": None}
        if action == "resolve":
            columns["resolved_at"] = at
            columns["survey_due_at"] = at
        else:
            columns["assigned_agent_id"] = None
    elif action == "request_human":
        # Answered automatically at intake, now waiting for a person: the wait starts here.
        columns["queued_at"] = at
        columns |= fresh_clocks(state, policy, at)
    elif action == "escalate":
        # By the agent: one level up, as the sweep would, and into the escalation queue if given.
        level = state.escalation_level + 1
        columns |= {
            "assigned_agent_id": None,
            "escalation_level": level,
            "priority": escalated_priority(state.priority, level),
        }
        if to_queue_id is not None:
            queue_id = to_queue_id
            columns["queue_id"] = to_queue_id
        data = {**(data or {}), "level": level, "by": "agent", "from_queue_id": state.queue_id}
    elif action == "reopen":
        # Resolved, and not after all: it waits in its queue for anyone again (the router offers it).
        columns |= {"assigned_agent_id": None, "queued_at": at, "resolved_at": None, "survey_due_at": None}
        # Waiting again: fresh SLA clocks from the reopening (levels already reached are not repeated).
        columns |= fresh_clocks(state, policy, at)
    elif action == "await_customer":
        # The agent waits for the customer: no deadline runs until the customer writes again
        # (a `customer_message` event resumes the clock, see 0006_sla_and_delivery.sql).
        if state.sla_paused_at is None:
            columns |= {"sla_paused_at": at, "sla_resumed_at": None, "escalate_at": None}
    else:
        raise IllegalTransition(action, state.status)
    event_data = dict(data or {})
    if action in ("transfer", "move"):
        event_data["from_queue_id"] = state.queue_id
    if action == "move":
        event_data["by"] = "supervisor"
    return Change(columns, step.event, queue_id, event_data)


def fresh_clocks(state: TicketState, policy: SlaPolicies, at: datetime) -> dict[str, Any]:
    """The SLA columns of a ticket that starts waiting for an agent again at `at` (asked for a human,
    reopened): new deadlines from then, a paused clock resumed."""
    due = policy.deadlines(state.channel, state.priority, at, state.reason)
    return sla_columns(
        state,
        policy,
        status="queued",
        first=due.first_response_due_at,
        resolution=due.resolution_due_at,
        warn_at=due.warn_at,
        at=at,
    )


def sla_columns(
    state: TicketState,
    policy: SlaPolicies,
    *,
    status: str,
    warn_at: datetime | None,
    first: datetime | None = None,
    resolution: datetime | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The SLA columns of a ticket entering `status`: its deadlines and the sweep's next look.

    With `at`, a paused clock resumes then (the ticket waits for an agent again).
    """
    paused_at = state.sla_paused_at
    resolution = resolution or state.resolution_due_at
    resumed: dict[str, Any] = {}
    if at is not None and paused_at is not None:
        if resolution is not None:
            resolution = policy.resumed(state.channel, state.priority, resolution, paused_at, at)
        paused_at = None
        resumed = {"sla_paused_at": None, "sla_resumed_at": None}
    sla = SlaState(
        status=status,
        channel=state.channel,
        priority=state.priority,
        escalation_level=state.escalation_level,
        first_response_due_at=first or state.first_response_due_at,
        resolution_due_at=resolution,
        warn_at=warn_at,
        paused_at=paused_at,
        reason=state.reason,
    )
    return {
        "first_response_due_at": sla.first_response_due_at,
        "resolution_due_at": sla.resolution_due_at,
        "sla_warn_at": warn_at,
        "escalate_at": next_check(sla, policy),
        **resumed,
    }
