"""The escalation sweep: tickets waiting past their deadline go up a level, once per level."""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from celery import Celery
from psycopg import Connection
from psycopg.errors import UniqueViolation
from psycopg_pool import ConnectionPool

from services.shared.sla import MAX_LEVEL, EscalationPolicy, escalated_priority
from services.shared.store import escalations, outbound_messages, ticket_events
from services.shared.store.escalations import DueTicket
from services.workers.database import ProcessPool
from services.workers.settings import WorkerSettings

log = logging.getLogger(__name__)

FAMILY = "escalations"
SWEEP = "escalations.sweep"
# Supervisors read notifications in the web console; issue 5 adds other ways to reach them.
SUPERVISOR_CHANNEL = "web"


@dataclass(frozen=True)
class Step:
    level: int
    priority: int
    next_due: datetime | None


def next_step(policy: EscalationPolicy, ticket: DueTicket) -> Step | None:
    """What escalating `ticket` now means; None when it is past the last level already."""
    level = ticket.escalation_level + 1
    if level > MAX_LEVEL:
        return None
    next_due = None
    if ticket.queued_at is not None:
        next_due = policy.due_at(ticket.channel, ticket.queued_at, level + 1)
    return Step(level, escalated_priority(ticket.priority, level), next_due)


def notification_text(ticket: DueTicket, step: Step) -> str:
    return (
        f"Ticket {ticket.id} ({ticket.channel}, queue {ticket.queue_name}) has waited past its "
        f"deadline: escalation level {step.level}, priority now {step.priority}."
    )


def escalate(conn: Connection[Any], policy: EscalationPolicy, ticket: DueTicket) -> bool:
    """Escalates one locked ticket inside the caller's transaction; False when nothing was recorded."""
    step = next_step(policy, ticket)
    if step is None:
        escalations.advance(
            conn,
            ticket.id,
            level=ticket.escalation_level,
            priority=ticket.priority,
            escalate_at=None,
        )
        return False
    event = ticket_events.NewEvent(
        ticket.id,
        "escalated",
        ticket.swept_at,
        queue_id=ticket.queue_id,
        data={"level": step.level, "reason": "wait_deadline", "priority": step.priority},
    )
    try:
        with conn.transaction():
            ticket_events.append_sync(conn, event)
        recorded = True
    except UniqueViolation:
        # This level was recorded before (the ticket was reopened and its level reset): the deadline
        # moves on so the sweep does not find the ticket again, but nothing happens twice.
        recorded = False
    escalations.advance(
        conn,
        ticket.id,
        level=step.level,
        priority=step.priority if recorded else ticket.priority,
        escalate_at=step.next_due,
    )
    if not recorded:
        return False
    outbound_messages.insert_sync(
        conn,
        outbound_messages.NewMessage(
            channel=SUPERVISOR_CHANNEL,
            kind="notification",
            recipient=f"supervisors:{ticket.queue_name}",
            body=notification_text(ticket, step),
            ticket_id=ticket.id,
        ),
    )
    return True


def sweep(pool: ConnectionPool, policy: EscalationPolicy, batch_size: int) -> int:
    """Escalates every overdue ticket, one transaction per batch; returns how many escalated."""
    total = 0
    while True:
        with pool.connection() as conn, conn.transaction():
            due = escalations.lock_due(conn, batch_size)
            total += sum(escalate(conn, policy, ticket) for ticket in due)
        # A short batch means nothing else is due, or the rest is locked by another sweep.
        if len(due) < batch_size:
            return total


def register(app: Celery, settings: WorkerSettings, db: ProcessPool) -> None:
    # Not shared: the task belongs to this app only, not to every app created after it.
    @app.task(name=SWEEP, shared=False)
    def sweep_task() -> int:
        count = sweep(db.get(), settings.escalation, settings.sweep_batch_size)
        if count:
            log.info("escalated %d tickets", count)
        return count
