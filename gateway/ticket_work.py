"""Agent and customer actions on tickets: each checked by the state machine and recorded as an event."""

from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection

from gateway import occurred_at
from gateway.deps import Deps
from gateway.problems import Problem
from services.shared import ticket_changes
from services.shared.store import agents, classifier_corrections, queues, ticket_offers, tickets
from services.shared.store.api_credentials import Credential
from services.shared.store.classifier_corrections import Correction
from services.shared.store.ticket_events import NewEvent
from services.shared.store.tickets import Ticket
from services.shared.ticket_states import IllegalTransition


def event_time(deps: Deps, reported: datetime | None, by: Credential) -> datetime:
    """When an action of `by` happened: now, or its word where its role may date events (422 else)."""
    settings = deps.settings
    window = occurred_at.Window(past_s=settings.occurred_at_window_s, future_s=settings.max_clock_skew_s)
    try:
        return occurred_at.resolve(reported, datetime.now(UTC), window, role=by.role, backfill=by.backfill)
    except occurred_at.InvalidTime as exc:
        raise Problem(422, "Invalid time", str(exc)) from None


def backfill_mark(reported: datetime | None, by: Credential) -> dict[str, Any]:
    """What an event dated by a back-fill token carries in its data, so replays can be told apart."""
    return {"backfill": True} if occurred_at.dated_by_backfill(reported, by.backfill) else {}


async def claim_next(deps: Deps, agent_id: int, reported: datetime | None, by: Credential) -> Ticket | None:
    """The agent's best waiting ticket within their capacity. Pulling work is being at work: an
    offline agent who pulls is signed in (available); one who set themselves away gets a 409."""
    at = event_time(deps, reported, by)
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            presence = await agents.presence_of(conn, agent_id)
            if presence == "away":
                raise Problem(409, "Away", "you are away: set presence to available to take work")
            if presence == "offline":
                await agents.set_presence(conn, agent_id, "available")
        return await tickets.claim_next_routed(conn, agent_id, at)


async def act(
    deps: Deps,
    ticket_id: int,
    action: str,
    *,
    reported: datetime | None,
    by: Credential,
    agent_id: int | None = None,
    channel_scope: str | None = None,
    to_queue: str | None = None,
    data: dict[str, Any] | None = None,
    extra_columns: dict[str, Any] | None = None,
) -> Ticket:
    """Applies `action` of `by` under the ticket's row lock; `channel_scope` hides other channels'
    tickets."""
    at = event_time(deps, reported, by)
    data = {**(data or {}), **backfill_mark(reported, by)}
    async with deps.pool.connection() as conn, conn.transaction():
        ticket = await tickets.get(conn, ticket_id, for_update=True)
        if ticket is None or (channel_scope is not None and ticket.channel != channel_scope):
            raise Problem(404, "Not found", f"no ticket {ticket_id}")
        to_queue_id = None
        if to_queue is not None:
            to_queue_id = await queues.id_by_name(conn, to_queue)
            if to_queue_id is None:
                raise Problem(422, "Unknown queue", f"there is no queue {to_queue!r}")
        await apply_locked(
            conn,
            ticket,
            action,
            at=at,
            policy=deps.settings.escalation,
            agent_id=agent_id,
            to_queue_id=to_queue_id,
            data=data,
            extra_columns=extra_columns,
        )
        if action == "transfer" and to_queue_id is not None and to_queue_id != ticket.queue_id:
            # The agent says the text belonged elsewhere: a label for the classifier's next training.
            text = classifier_corrections.ticket_text(ticket.subject, ticket.body)
            await classifier_corrections.record(
                conn, Correction(ticket_id, text, to_queue_id, ticket.queue_id, agent_id, at)
            )
        updated = await tickets.get(conn, ticket_id)
        assert updated is not None
        if ticket.status == "queued" and updated.status != "queued":
            await ticket_offers.withdraw_stopped_waiting(conn, ticket_id, at)
    return updated


async def apply_locked(
    conn: AsyncConnection[Any],
    ticket: Ticket,
    action: str,
    *,
    at: datetime,
    # Whatever escalation policy ticket_changes.plan takes (the settings' `escalation`).
    policy: Any,
    agent_id: int | None = None,
    to_queue_id: int | None = None,
    data: dict[str, Any] | None = None,
    extra_columns: dict[str, Any] | None = None,
) -> None:
    """Checks `action` against the state machine and writes it with its event; the caller holds the
    ticket's row lock. `extra_columns` are set with it (a transfer's reservation for one agent)."""
    state = ticket_changes.TicketState(
        status=ticket.status,
        channel=ticket.channel,
        queue_id=ticket.queue_id,
        assigned_agent_id=ticket.assigned_agent_id,
        answered_at=ticket.answered_at,
        last_event_at=ticket.last_event_at,
        escalation_level=ticket.escalation_level,
        priority=ticket.priority,
        first_response_due_at=ticket.first_response_due_at,
        resolution_due_at=ticket.resolution_due_at,
        sla_paused_at=ticket.sla_paused_at,
        reason=str(ticket.classification.get("reason") or "") or None,
    )
    try:
        change = ticket_changes.plan(
            action, state, at=at, policy=policy, agent_id=agent_id, to_queue_id=to_queue_id, data=data
        )
    except IllegalTransition as exc:
        raise Problem(409, "Illegal transition", str(exc), status_now=ticket.status) from None
    except ticket_changes.NotHolder as exc:
        raise Problem(409, "Not your ticket", str(exc)) from None
    except ticket_changes.TooEarly as exc:
        raise Problem(422, "Invalid time", str(exc)) from None
    event = NewEvent(ticket.id, change.event_type, at, agent_id, change.event_queue_id, change.event_data)
    await tickets.apply_change(conn, ticket.id, {**change.columns, **(extra_columns or {})}, event)
