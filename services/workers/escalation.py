"""The escalation sweep: SLA warnings, escalation levels and resolution breaches, once per ticket each."""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from celery import Celery
from psycopg import Connection
from psycopg_pool import ConnectionPool

from services.shared.centre_clock import UTC_ZONE
from services.shared.i18n import catalogue, formats
from services.shared.i18n.catalogue import text
from services.shared.sla import WAITING_FOR_ANSWER, SlaPolicies, escalated_priority
from services.shared.sla_steps import SlaState, Step, due_steps
from services.shared.store import escalations, outbound_messages, queue_supervisors, ticket_offers
from services.shared.store.escalations import DueTicket, StepEvent, TicketUpdate
from services.workers import notifications, retry
from services.workers.database import BeforeCommit, ProcessPool
from services.workers.settings import WorkerSettings

log = logging.getLogger(__name__)

FAMILY = "escalations"
SWEEP = "escalations.sweep"
EVENT_TYPES = {"warning": "sla_warning", "escalate": "escalated", "resolution_breach": "sla_breached"}


def sla_state(policies: SlaPolicies, ticket: DueTicket) -> SlaState:
    """The ticket's SLA state. One queued without deadlines (stored before they existed) gets them;
    a paused clock the customer resumed moves its deadlines on by the open time it stood still."""
    first, resolution, warn_at = ticket.first_response_due_at, ticket.resolution_due_at, ticket.sla_warn_at
    paused_at = ticket.sla_paused_at
    if first is None and ticket.queued_at is not None:
        planned = policies.deadlines(ticket.channel, ticket.priority, ticket.queued_at, ticket.reason)
        first, resolution = planned.first_response_due_at, resolution or planned.resolution_due_at
        warn_at = planned.warn_at if ticket.escalation_level == 0 else None
    if paused_at is not None and ticket.sla_resumed_at is not None:
        stopped_at: datetime = paused_at
        resumed_at = max(ticket.sla_resumed_at, stopped_at)

        def moved(due: datetime | None) -> datetime | None:
            if due is None:
                return None
            return policies.resumed(ticket.channel, ticket.priority, due, stopped_at, resumed_at)

        first, resolution, warn_at, paused_at = moved(first), moved(resolution), moved(warn_at), None
    return SlaState(
        status=ticket.status,
        channel=ticket.channel,
        priority=ticket.priority,
        escalation_level=ticket.escalation_level,
        first_response_due_at=first,
        resolution_due_at=resolution,
        warn_at=warn_at,
        paused_at=paused_at,
        resolution_breached=ticket.resolution_breached_at is not None,
        reason=ticket.reason,
    )


def event_for(ticket: DueTicket, step: Step, policies: SlaPolicies) -> StepEvent:
    """The event a step records. A level moves a waiting ticket to its queue's escalation target."""
    data: dict[str, Any] = {"due_at": step.due_at.isoformat() if step.due_at else None}
    queue_id = ticket.queue_id
    if step.kind == "escalate":
        priority = escalated_priority(ticket.priority, step.level)
        reason = ticket.reason if ticket.reason in policies.reason_factors else "first_response"
        data |= {"level": step.level, "reason": reason, "priority": priority}
        if step.level == 1 and ticket.status == "queued" and ticket.escalation_queue_id is not None:
            data["from_queue_id"] = ticket.queue_id
            queue_id = ticket.escalation_queue_id
    else:
        data["target"] = "first_response" if step.kind == "warning" else "resolution"
    return StepEvent(ticket.id, EVENT_TYPES[step.kind], ticket.swept_at, queue_id, data)


def notification_text(ticket: DueTicket, event: StepEvent, zone: ZoneInfo = UTC_ZONE) -> str:
    """To a queue's supervisors, whose language the system does not know: Arabic, then English; times
    on the centre's clock (`zone`)."""
    return "\n\n".join(_notification(language, ticket, event, zone) for language in catalogue.LANGUAGES)


def _notification(language: str, ticket: DueTicket, event: StepEvent, zone: ZoneInfo) -> str:
    head = text(
        language,
        "notify.ticket_head",
        ticket=ticket.id,
        channel=catalogue.name(language, "channel", ticket.channel),
        queue=ticket.queue_name,
    )
    raw_due = event.data.get("due_at")
    due = formats.date_time(language, datetime.fromisoformat(raw_due).astimezone(zone)) if raw_due else "–"
    if event.type == "sla_warning":
        return text(language, "notify.sla_warning", head=head, due=due)
    if event.type == "sla_breached":
        return text(language, "notify.sla_breached", head=head, due=due)
    moved = (
        text(language, "notify.moved_to", queue=ticket.escalation_queue_name)
        if "from_queue_id" in event.data
        else ""
    )
    return text(
        language,
        "notify.escalated",
        head=head,
        level=formats.number(language, event.data["level"]),
        priority=formats.number(language, event.data["priority"]),
        moved=moved,
    )


@dataclass
class BatchOutcome:
    events: list[StepEvent] = field(default_factory=list)
    updates: list[TicketUpdate] = field(default_factory=list)


def record(
    conn: Connection[Any], policies: SlaPolicies, due: list[DueTicket], zone: ZoneInfo = UTC_ZONE
) -> tuple[int, list[outbound_messages.NewMessage]]:
    """Records the due steps of locked tickets in the caller's transaction.

    Returns how many steps were recorded and the notifications to insert for them. A step recorded
    before (the ticket was reopened and its level reset) is not repeated: its deadline moves on,
    nothing else changes. A ticket moved to another queue loses its pending offer (withdrawn), made
    to an agent of the queue it left. A ticket whose offer is being decided at this moment (an agent
    accepting it) is left for the next sweep: waiting for the offer could deadlock with the accept.
    """
    offers = ticket_offers.lock_pending_sync(conn, [t.id for t in due])
    plans = {
        t.id: (t, due_steps(sla_state(policies, t), policies, t.swept_at))
        for t in due
        if t.id not in offers.busy
    }
    events = [event_for(t, step, policies) for t, plan in plans.values() for step in plan.steps]
    recorded = escalations.record_events(conn, events)
    fresh = [e for e in events if (e.ticket_id, e.type, _key(e)) in recorded]
    by_ticket: dict[int, list[StepEvent]] = {}
    for event in fresh:
        by_ticket.setdefault(event.ticket_id, []).append(event)
    updates = []
    for ticket, plan in plans.values():
        priority, queue_id = ticket.priority, ticket.queue_id
        for event in by_ticket.get(ticket.id, []):
            if event.type == "escalated":
                priority, queue_id = int(event.data["priority"]), event.queue_id
        state = plan.state
        updates.append(
            TicketUpdate(
                id=ticket.id,
                escalation_level=state.escalation_level,
                priority=priority,
                queue_id=queue_id,
                sla_warn_at=state.warn_at if state.status in WAITING_FOR_ANSWER else None,
                escalate_at=plan.next_check,
                first_response_due_at=state.first_response_due_at,
                resolution_due_at=state.resolution_due_at,
                resolution_breached_at=ticket.resolution_breached_at
                or (ticket.swept_at if state.resolution_breached else None),
                sla_paused_at=state.paused_at,
            )
        )
    escalations.update(conn, updates)
    moved = [u.id for u in updates if u.id in offers.held and u.queue_id != plans[u.id][0].queue_id]
    ticket_offers.withdraw_moved_sync(conn, moved, datetime.now(UTC))
    queues = {e.queue_id for e in fresh}
    supervisors = queue_supervisors.for_queues_sync(conn, sorted(queues))
    names = {t.queue_id: t.queue_name for t in due} | {
        t.escalation_queue_id: t.escalation_queue_name or "" for t in due if t.escalation_queue_id
    }
    notes = [
        outbound_messages.NewMessage(
            channel=channel,
            kind="notification",
            recipient=address,
            body=notification_text(plans[event.ticket_id][0], event, zone),
            ticket_id=event.ticket_id,
        )
        for event in fresh
        for channel, address in queue_supervisors.recipients(
            supervisors, event.queue_id, names[event.queue_id]
        )
    ]
    return len(fresh), notes


def _key(event: StepEvent) -> str:
    return str(event.data.get("level", event.data.get("target")))


def sweep(
    pool: ConnectionPool,
    policies: SlaPolicies,
    batch_size: int,
    before_commit: BeforeCommit | None = None,
    zone: ZoneInfo = UTC_ZONE,
) -> int:
    """Records every due SLA step, one transaction per batch; returns how many steps were recorded."""
    total = 0
    while True:
        with pool.connection() as conn, conn.transaction():
            due = escalations.lock_due(conn, batch_size)
            count, notes = record(conn, policies, due, zone)
            outbound_messages.insert_many_sync(conn, notes)
            if before_commit is not None:
                before_commit(conn)
        total += count
        # A short batch means nothing else is due, or the rest is locked by another sweep.
        if len(due) < batch_size:
            return total


def register(
    app: Celery, settings: WorkerSettings, db: ProcessPool, before_commit: BeforeCommit | None = None
) -> None:
    # Not shared: the task belongs to this app only, not to every app created after it.
    @app.task(name=SWEEP, shared=False, **retry.TASK_OPTIONS)
    def sweep_task() -> int:
        count = sweep(db.get(), settings.sla, settings.sweep_batch_size, before_commit, settings.centre_zone)
        if count:
            log.info("recorded %d SLA steps", count)
            # After the commit: the notifications' delivery starts now rather than at the next tick.
            notifications.kick(app)
        return count
