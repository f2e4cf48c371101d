"""The re-routing sweep: tickets the gateway routed to triage by fallback, still waiting unanswered, are
classified again once the classifier answers, and moved to their queue.

The change is a `routed` event with `"rerouted": true` (and `from_queue_id`): the ticket's queue as
if the classifier had answered at intake. It is not a transfer (no handling ended, first-contact
resolution is untouched) and writes no classifier correction (nobody overruled the classifier).
The wait keeps counting from the first queuing, as after an overflow: the customer has waited that
long; the SLA deadlines are those of the classified priority and reason from that same start.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import grpc
from celery import Celery
from psycopg_pool import ConnectionPool
from ticketing.v1 import classifier_pb2, classifier_pb2_grpc

from services.shared.domain import Priority, channel_to_proto
from services.shared.sla import SlaPolicies
from services.shared.store import reroutes, ticket_offers
from services.shared.store.reroutes import FallbackTicket, Reroute
from services.shared.ticket_changes import TicketState, sla_columns
from services.workers import retry
from services.workers.classifier import ProcessClassifier
from services.workers.database import ProcessPool
from services.workers.settings import WorkerSettings

log = logging.getLogger(__name__)

FAMILY = "reroutes"
SWEEP = "reroutes.sweep"
# Where the gateway's fallback puts an inquiry (gateway/classify.py FALLBACK_QUEUE).
FALLBACK_QUEUE = "triage"
# Tickets per ClassifyBatch call and transaction: the classifier's own limit per batch. The row locks
# are held while the classifier answers (tens of ms), never past CLASSIFY_TIMEOUT_S.
BATCH = 64
# The classifier's deadline for one batch. Longer rides out a busy classifier; shorter frees the
# locked tickets (agents skip them meanwhile) sooner when it hangs. The next tick tries again anyway.
CLASSIFY_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Classified:
    """The classifier's decision for one ticket, as the sweep uses it."""

    queue: str
    priority: int
    language: str
    intent: str
    details: dict[str, Any] = field(default_factory=dict)


def decision(reply: classifier_pb2.ClassifyResponse) -> Classified:
    return Classified(
        queue=reply.queue or FALLBACK_QUEUE,
        priority=reply.priority or int(Priority.NORMAL),
        language=reply.language,
        intent=reply.intent,
        details={
            "confidence": round(reply.confidence, 4),
            "reason": reply.reason,
            "priority_reason": reply.priority_reason,
            "model_version": reply.model_version,
            "explanation": list(reply.explanation),
        },
    )


def plan(
    ticket: FallbackTicket, classified: Classified, queue_ids: dict[str, int], policies: SlaPolicies
) -> Reroute:
    """The re-routing of one locked fallback ticket (pure).

    - Queue: the classified one when it exists; otherwise (or when the classifier says triage) the
      ticket stays where it is, but is marked routed by the classifier, so no sweep looks at it again.
    - Priority: the classified one; a ticket already escalated keeps the higher of the two.
    - SLA: deadlines of the new priority and reason, from the first queuing; the warning only for a
      ticket not yet escalated (as the escalation sweep plans them).
    """
    queue_id = queue_ids.get(classified.queue, ticket.queue_id)
    priority = classified.priority
    if ticket.escalation_level > 0:
        priority = max(priority, ticket.priority)
    reason = str(classified.details.get("reason") or "")
    due = policies.deadlines(ticket.channel, priority, ticket.queued_at, reason)
    state = TicketState(
        status="queued",
        channel=ticket.channel,
        queue_id=ticket.queue_id,
        assigned_agent_id=None,
        answered_at=None,
        last_event_at=ticket.last_event_at,
        escalation_level=ticket.escalation_level,
        priority=priority,
        first_response_due_at=ticket.first_response_due_at,
        resolution_due_at=ticket.resolution_due_at,
        sla_paused_at=ticket.sla_paused_at,
        reason=reason,
    )
    columns = sla_columns(
        state,
        policies,
        status="queued",
        first=due.first_response_due_at,
        resolution=due.resolution_due_at,
        warn_at=due.warn_at if ticket.escalation_level == 0 else None,
    )
    fallback_reason = ticket.classification.get("reason")
    classification = {
        **classified.details,
        "requested_queue": classified.queue,
        "rerouted": True,
        "fallback_reason": fallback_reason,
    }
    return Reroute(
        ticket_id=ticket.id,
        queue_id=queue_id,
        priority=priority,
        language=classified.language or ticket.language,
        intent=classified.intent,
        classification=classification,
        occurred_at=max(ticket.swept_at, ticket.last_event_at),
        first_response_due_at=columns["first_response_due_at"],
        resolution_due_at=columns["resolution_due_at"],
        sla_warn_at=columns["sla_warn_at"],
        escalate_at=columns["escalate_at"],
        event_data={
            "routed_by": "classifier",
            "rerouted": True,
            "from_queue_id": ticket.queue_id,
            "fallback_reason": fallback_reason,
            **classified.details,
            "requested_queue": classified.queue,
        },
    )


def request(ticket: FallbackTicket) -> classifier_pb2.ClassifyRequest:
    return classifier_pb2.ClassifyRequest(
        text=ticket.body,
        subject=ticket.subject,
        channel=channel_to_proto(ticket.channel),
        language_hint="" if ticket.language == "und" else ticket.language,
        customer_tier=ticket.customer_tier,
    )


def classify(
    stub: classifier_pb2_grpc.ClassifierServiceStub, tickets: list[FallbackTicket]
) -> list[Classified]:
    """One ClassifyBatch call; raises grpc.RpcError when the classifier does not answer."""
    batch = classifier_pb2.ClassifyBatchRequest(requests=[request(t) for t in tickets])
    replies = stub.ClassifyBatch(batch, timeout=CLASSIFY_TIMEOUT_S).responses
    if len(replies) != len(tickets):
        raise RuntimeError(f"{len(replies)} answers to {len(tickets)} requests")
    return [decision(r) for r in replies]


@dataclass
class SweepResult:
    rerouted: int = 0
    moved: int = 0
    # The classifier did not answer: the tickets wait for the next tick.
    unreachable: bool = False


def sweep(
    pool: ConnectionPool, stub: classifier_pb2_grpc.ClassifierServiceStub, policies: SlaPolicies
) -> SweepResult:
    """Routes again every waiting fallback ticket, one transaction per batch."""
    result = SweepResult()
    while True:
        with pool.connection() as conn, conn.transaction():
            due = reroutes.lock_waiting(conn, FALLBACK_QUEUE, BATCH)
            if not due:
                return result
            # A ticket whose offer is being decided at this moment is left for the next sweep: waiting
            # for the offer could deadlock with the accept (as in the escalation sweep).
            offers = ticket_offers.lock_pending_sync(conn, [t.id for t in due])
            due = [t for t in due if t.id not in offers.busy]
            try:
                decided = classify(stub, due) if due else []
            except grpc.RpcError as exc:
                log.debug("classifier unreachable for re-routing: %s", exc)
                result.unreachable = True
                return result
            ids = reroutes.queue_ids(conn, sorted({c.queue for c in decided}))
            plans = [plan(t, c, ids, policies) for t, c in zip(due, decided, strict=True)]
            changed = set(reroutes.apply(conn, plans))
            was = {t.id: t.queue_id for t in due}
            moved = [p.ticket_id for p in plans if p.ticket_id in changed and p.queue_id != was[p.ticket_id]]
            # An offer made to an agent of triage is withdrawn: the ticket left the queue it was for.
            ticket_offers.withdraw_moved_sync(conn, [t for t in moved if t in offers.held], datetime.now(UTC))
        result.rerouted += len(changed)
        result.moved += len(moved)
        # A short batch means nothing else waits, or the rest is locked by another sweep.
        if len(due) < BATCH:
            return result


def register(app: Celery, settings: WorkerSettings, db: ProcessPool) -> None:
    classifier = (
        ProcessClassifier(settings.classifier_addr, settings.internal_grpc)
        if settings.internal_grpc is not None
        else None
    )
    if classifier is None:
        log.warning("re-routing of fallback tickets is off: %s is not set", "INTERNAL_GRPC_TOKEN")

    @app.task(name=SWEEP, shared=False, **retry.TASK_OPTIONS)
    def sweep_task() -> int:
        if classifier is None:
            return 0
        done = sweep(db.get(), classifier.get(), settings.sla)
        if done.rerouted:
            log.info("routed again %d fallback tickets (%d moved)", done.rerouted, done.moved)
        return done.rerouted
