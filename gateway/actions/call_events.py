"""Twilio voice status callbacks as ticket events: a call offered opens the phone ticket (external
id = CallSid), answered and abandoned-in-queue become its events at the switch's own time, and each
(CallSid, CallStatus) is taken once.

What each status means here (`action`, pure):
- queued, ringing: the call is offered; the ticket is opened (no event of its own beyond `created`).
- in-progress: the call was connected. An agent who claimed the ticket answered it on the switch
  (`answered`, the ASA clock stops); while it waits in a queue the IVR answered, which is no answer.
- completed, busy, no-answer, canceled, failed: the call ended. Before an agent answered, the caller
  left the queue (`abandoned`); after, the agent resolves the ticket in the console as usual.
An IVR choice (Digits) or transcript (SpeechResult) is the ticket's text, or joins its thread.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.actions import intake, ticket_work
from gateway.http.deps import Deps
from gateway.http.problems import Problem
from gateway.http.schemas import CustomerIn, InquiryIn
from services.shared.store import messaging_threads, provider_events, tickets
from services.shared.store.api_credentials import Credential
from services.shared.store.tickets import Ticket

PROVIDER = "twilio_voice"
OFFERED = frozenset({"queued", "ringing"})
ENDED = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})
STATUSES = OFFERED | ENDED | {"in-progress"}


@dataclass(frozen=True)
class CallEvent:
    call_sid: str
    status: str
    caller: str  # E.164
    called: str  # E.164, the centre's number
    at: datetime | None
    ivr: str = ""  # the IVR choice or the caller's words, as text


@dataclass(frozen=True)
class CallOutcome:
    status: str  # "created", "answered", "abandoned", "noted" or "duplicate"
    ticket: Ticket


def action(call_status: str, ticket_status: str) -> str | None:
    """The state-machine action a call status makes on a ticket in `ticket_status`, if any (pure)."""
    if call_status == "in-progress" and ticket_status == "claimed":
        return "answer"
    if call_status in ENDED and ticket_status in ("queued", "claimed"):
        return "abandon"
    return None


def ivr_text(digits: str | None, speech: str | None) -> str:
    if speech and speech.strip():
        return speech.strip()
    if digits and digits.strip():
        return f"IVR choice: {digits.strip()}"
    return ""


async def take(deps: Deps, credential: Credential, event: CallEvent) -> CallOutcome:
    at = ticket_work.event_time(deps, event.at, credential)
    event_id = f"{event.call_sid}:{event.status}"
    async with deps.pool.connection() as conn:
        ticket = await tickets.by_external_id(conn, "phone", event.call_sid)
        if ticket is not None and await provider_events.seen(conn, PROVIDER, event_id):
            return CallOutcome("duplicate", ticket)
    created = ticket is None
    if ticket is None:
        ticket = await _open(deps, credential, event)
    elif event.ivr:
        async with deps.pool.connection() as conn:
            await tickets.join_thread(
                conn,
                ticket.id,
                channel="phone",
                external_id=f"{event_id}:ivr",
                text=event.ivr,
                subject="",
                at=at,
                identities=[("phone", event.caller, True)],
            )
    step: str | None = None
    async with deps.pool.connection() as conn:
        async with conn.transaction():
            current = await tickets.get(conn, ticket.id, for_update=True)
            assert current is not None
            if not await provider_events.claim(conn, PROVIDER, event_id, ticket.id):
                return CallOutcome("created" if created else "duplicate", current)
            step = action(event.status, current.status)
            last = current.last_event_at
            # The switch dates to the second: an answer in the second an agent claimed the ticket
            # reads as before the claim. Within that second it is the claim's time.
            if step is not None and last is not None and timedelta(0) < last - at < timedelta(seconds=1):
                at = last
            if step is not None:
                await ticket_work.apply_locked(
                    conn,
                    current,
                    step,
                    at=at,
                    policy=deps.settings.escalation,
                    agent_id=current.assigned_agent_id if step == "answer" else None,
                    data={"call_sid": event.call_sid, "call_status": event.status},
                )
        updated = await tickets.get(conn, ticket.id)
    assert updated is not None
    if created:
        return CallOutcome("created", updated)
    return CallOutcome({"answer": "answered", "abandon": "abandoned"}.get(step or "", "noted"), updated)


async def _open(deps: Deps, credential: Credential, event: CallEvent) -> Ticket:
    inquiry = InquiryIn(
        channel="phone",
        external_id=event.call_sid,
        customer=CustomerIn(phone=event.caller),
        text=event.ivr or "Phone call",
        occurred_at=event.at,
    )
    try:
        outcome = await intake.take(deps, credential, inquiry, [])
    except Problem as exc:
        if exc.status != 409:
            raise
        # Two first callbacks of one call at once, or a later one carrying the IVR text: one ticket.
        async with deps.pool.connection() as conn:
            found = await tickets.by_external_id(conn, "phone", event.call_sid)
        if found is None:
            raise
        return found
    async with deps.pool.connection() as conn:
        # Replies and the survey of a call go back by SMS from the number the customer called.
        await messaging_threads.remember(conn, outcome.ticket.id, "sms", event.caller, event.called)
    return outcome.ticket
