"""Agent and customer actions on tickets: each checked by the state machine and recorded as an event."""

from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection

from gateway.actions import access, occurred_at
from gateway.actions.access import Need
from gateway.http.deps import Deps
from gateway.http.problems import Problem
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
        # Read first, written only when there is something to change: an available agent with no
        # wrap-up (the usual pull) costs one query here rather than a transaction of four.
        presence, wrapping_up = await agents.presence_and_wrap_up(conn, agent_id)
        if presence == "away":
            raise Problem(409, "Away", "you are away: set presence to available to take work")
        if presence == "offline" or wrapping_up:
            async with conn.transaction():
                if presence == "offline":
                    await agents.set_presence(conn, agent_id, "available")
                # Pulling work is the agent's word that their wrap-up is done.
                await agents.end_wrap_up(conn, agent_id, at, "claim")
        return await tickets.claim_next_routed(conn, agent_id, at)


async def reach(
    conn: AsyncConnection[Any],
    credential: Credential,
    ticket_id: int,
    need: Need = Need.SEE,
    *,
    exists: bool = True,
) -> tickets.AccessFacts:
    """Every route that names a ticket passes here: the ticket's facts when `credential` may `need`
    it, else the 404 (out of reach, or no such ticket) or 403 the access rule answers with."""
    facts = await tickets.access_facts(conn, ticket_id, credential.agent_id) if exists else None
    return access.enforce(access.Viewer.of(credential), facts, ticket_id, need)


async def act(
    deps: Deps,
    ticket_id: int,
    action: str,
    *,
    credential: Credential,
    reported: datetime | None,
    agent_id: int | None = None,
    to_queue: str | None = None,
    data: dict[str, Any] | None = None,
    extra_columns: dict[str, Any] | None = None,
) -> Ticket:
    """Applies `action` under the ticket's row lock, once the access rule lets `credential` do it
    (404 for a ticket out of its reach; reopening 403 for anyone but the resolver or a supervisor)."""
    at = event_time(deps, reported, credential)
    data = {**(data or {}), **backfill_mark(reported, credential)}
    need = Need.REOPEN if action == "reopen" else Need.SEE
    async with deps.pool.connection() as conn, conn.transaction():
        # The ticket locked and the access rule's facts in one round trip (reach() reads them apart).
        found = await tickets.locked_with_facts(conn, ticket_id, credential.agent_id)
        access.enforce(access.Viewer.of(credential), None if found is None else found[1], ticket_id, need)
        assert found is not None
        ticket = found[0]
        if action == "move":
            # The event names the agent whose handling the move ends (none for a waiting ticket).
            agent_id = ticket.assigned_agent_id
        to_queue_id = None
        if to_queue is not None:
            to_queue_id = await queues.id_by_name(conn, to_queue)
            if to_queue_id is None:
                raise Problem(422, "Unknown queue", f"there is no queue {to_queue!r}")
        if action == "move" and to_queue_id == ticket.queue_id:
            raise Problem(409, "Already there", f"ticket {ticket_id} is in queue {to_queue!r} already")
        updated = await apply_locked(
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
        # Only an agent's transfer teaches the classifier: a supervisor's move balances load
        # between queues, and says nothing about where the text belonged.
        if action == "transfer" and to_queue_id is not None and to_queue_id != ticket.queue_id:
            # The agent says the text belonged elsewhere: a label for the classifier's next training.
            text = classifier_corrections.ticket_text(ticket.subject, ticket.body)
            await classifier_corrections.record(
                conn, Correction(ticket_id, text, to_queue_id, ticket.queue_id, agent_id, at)
            )
        if wraps_up(action, ticket, agent_id) and deps.settings.wrap_up_limit_s > 0:
            assert agent_id is not None
            await agents.start_wrap_up(
                conn, agent_id, ticket_id, ticket.queue_id, at, deps.settings.wrap_up_limit_s
            )
        # Offers made in the queue it left (a move keeps it waiting) are withdrawn as when it stops waiting.
        if ticket.status == "queued" and (updated.status != "queued" or action == "move"):
            await ticket_offers.withdraw_stopped_waiting(conn, ticket_id, at)
    return updated


# Actions that end the handling of a ticket the agent answered: after-contact work follows.
WRAP_UP_AFTER = frozenset({"resolve", "transfer", "escalate"})


def wraps_up(action: str, before: Ticket, agent_id: int | None) -> bool:
    """Whether `action` by `agent_id` starts a wrap-up: they answered the ticket and end its handling.
    A release (giving back a ticket never answered) has no contact to wrap up."""
    return (
        action in WRAP_UP_AFTER
        and before.status == "answered"
        and agent_id is not None
        and before.assigned_agent_id == agent_id
    )


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
) -> Ticket:
    """Checks `action` against the state machine and writes it with its event; the caller holds the
    ticket's row lock. `extra_columns` are set with it (a transfer's reservation for one agent).
    Returns the ticket as changed."""
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
    return await tickets.apply_change(conn, ticket.id, {**change.columns, **(extra_columns or {})}, event)
