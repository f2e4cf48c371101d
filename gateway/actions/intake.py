"""Takes in one inquiry: read its documents, classify with a deadline, then store it all in one statement."""

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

from gateway.actions import document_self_service, occurred_at, proactive_intake, ticket_work, waits
from gateway.actions.classify import classify
from gateway.documents import attachments as documents
from gateway.documents.attachments import Attachment
from gateway.http.deps import Deps
from gateway.http.problems import Problem
from gateway.http.schemas import InquiryIn
from services.shared.domain import CHANNEL_IDENTITY
from services.shared.store import ticket_documents, tickets
from services.shared.store.api_credentials import Credential
from services.shared.store.ticket_documents import Document
from services.shared.store.tickets import FaqAnswer, NewTicket, Ticket


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket
    created: bool
    documents: list[Document]
    # The inquiry joined the customer's open ticket in the same queue instead of opening one.
    joined: bool = False
    # Where the ticket stands in its queue, while it waits there.
    wait: waits.Estimate | None = None


def request_hash(inquiry: InquiryIn, attachments: Sequence[Attachment] = ()) -> bytes:
    """A digest of what was asked, to tell an honest retry from a different inquiry reusing an id.

    Attachments count by their digest, so the same inquiry sent as JSON or as multipart is the same.
    """
    payload = inquiry.model_dump(mode="json", exclude={"attachments"})
    if attachments:
        payload["attachments"] = [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "sha256": hashlib.sha256(a.data).hexdigest(),
            }
            for a in attachments
        ]
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).digest()


async def take(
    deps: Deps, credential: Credential, inquiry: InquiryIn, attachments: list[Attachment]
) -> Outcome:
    if credential.role == "integration" and credential.channel != inquiry.channel:
        raise Problem(
            403, "Forbidden", f"this key posts {credential.channel} inquiries, not {inquiry.channel}"
        )
    settings = deps.settings
    # Checked at the door for every token: a date no service can compute with is a 422 here.
    at = ticket_work.event_time(deps, inquiry.occurred_at, credential)
    backfill = occurred_at.dated_by_backfill(inquiry.occurred_at, credential.backfill)
    # Each identity with whether the channel vouches for it: only those find or merge a customer.
    try:
        identities = inquiry.customer.identities_on(inquiry.channel, settings.default_phone_region)
    except ValueError as exc:
        raise Problem(422, "Invalid customer identity", str(exc)) from None
    digest = request_hash(inquiry, attachments)
    limits = settings.documents
    # Read and classify before taking a connection, so slow work never holds one.
    read = await documents.read_all(deps.documents, attachments, limits) if attachments else []
    # The classification's time goes into the `routed` event: the metrics service's histogram of it.
    classify_started = time.perf_counter()
    routing = await classify(
        deps.classifier,
        deps.episodes,
        text=inquiry.text,
        subject=inquiry.subject,
        channel=inquiry.channel,
        language_hint=inquiry.language or inquiry.customer.language,
        customer_tier=inquiry.customer.tier,
        documents_text=documents.for_classifier(read, limits.classifier_chars),
    )
    faq = None
    classify_ms = round((time.perf_counter() - classify_started) * 1000, 3)
    classification = {**routing.details, "requested_queue": routing.queue, "classify_ms": classify_ms}
    if routing.faq_answer:
        faq = FaqAnswer(routing.faq_id, routing.faq_confidence, routing.faq_answer)
    elif read and (
        from_documents := document_self_service.answer(
            inquiry.text, read, inquiry.language or inquiry.customer.language or routing.language
        )
    ):
        # The customer asked for a value their own document states: answered from it, as from the FAQ.
        faq = from_documents.faq
        classification["document_answer"] = from_documents.detail
    if faq is not None:
        classification["faq"] = {"id": faq.faq_id, "confidence": faq.confidence, "answer": faq.text}
    deadlines = settings.escalation.deadlines(
        inquiry.channel, routing.priority, at, str(routing.details.get("reason") or "")
    )
    detected = routing.language if routing.language in ("ar", "en") else None
    new = NewTicket(
        channel=inquiry.channel,
        external_id=inquiry.external_id,
        request_hash=digest,
        identities=identities,
        customer_name=inquiry.customer.name,
        customer_language=inquiry.customer.language or detected,
        customer_tier=inquiry.customer.tier,
        queue=routing.queue,
        priority=routing.priority,
        language=routing.language,
        intent=routing.intent,
        subject=inquiry.subject,
        body=inquiry.text,
        classification=classification,
        routed_by=routing.routed_by,
        occurred_at=at,
        escalate_at=min(deadlines.warn_at, deadlines.resolution_due_at),
        first_response_due_at=deadlines.first_response_due_at,
        resolution_due_at=deadlines.resolution_due_at,
        sla_warn_at=deadlines.warn_at,
        faq=faq,
        recipient=next((v for k, v, _ in identities if k == CHANNEL_IDENTITY[inquiry.channel]), ""),
        documents=read,
        backfill=backfill,
        returning_due=proactive_intake.may_be_told(settings, routing.intent, backfill),
    )
    # One connection for the whole intake, its queue position and wait included: each checkout
    # costs the pool's check, a round trip.
    async with deps.pool.connection() as conn:
        done = await tickets.intake(conn, new)
        if done.join_id is not None:
            joined = await _join_open_ticket(conn, inquiry, identities, done.join_id, at, backfill, read)
            if joined is not None:
                return await _with_wait(conn, deps, joined)
            done = await tickets.intake(conn, new, may_join=False)
        if done.ticket is not None:
            # A customer this inquiry made has no earlier ticket (and the statement left nothing due).
            if new.returning_due and not done.new_customer:
                await proactive_intake.tell_returning(conn, settings, done.ticket)
            outcome = Outcome(done.ticket, created=True, documents=read)
            return await _with_wait(conn, deps, outcome, done.position)
        # Retries are rare, so they are found by the insert's conflict rather than by a lookup that
        # every new inquiry would pay for.
        existing = await tickets.by_external_id(conn, inquiry.channel, inquiry.external_id)
        assert existing is not None
        _check_same(existing, digest)
        stored = await ticket_documents.for_ticket(conn, existing.id)
        return await _with_wait(conn, deps, Outcome(existing, created=False, documents=list(stored)))


async def _with_wait(
    conn: AsyncConnection[Any], deps: Deps, outcome: Outcome, place: tickets.Position | None = None
) -> Outcome:
    """The outcome with its ticket's position and estimated wait while it waits in a queue."""
    found = await waits.estimate(conn, deps.waits, deps.settings.routing, outcome.ticket, place)
    return outcome if found is None else replace(outcome, wait=found)


async def _join_open_ticket(
    conn: AsyncConnection[Any],
    inquiry: InquiryIn,
    identities: list[tuple[str, str, bool]],
    open_id: int,
    at: datetime,
    backfill: bool = False,
    read: Sequence[Document] = (),
) -> Outcome | None:
    """A customer who writes again on the same channel, known by a verified identity, while a ticket
    of theirs is open there in the same queue (found by the intake's statement): the text joins that
    ticket's thread (a `customer_message` event) and the answer is that ticket, with its status,
    position and wait, instead of a duplicate; its documents join that ticket's. None when
    (channel, external_id) is a ticket of its own after all."""
    added = await tickets.join_thread(
        conn,
        open_id,
        channel=inquiry.channel,
        external_id=inquiry.external_id,
        text=inquiry.text,
        subject=inquiry.subject,
        at=at,
        identities=identities,
        backfill=backfill,
        documents=read,
    )
    if not added and await tickets.by_external_id(conn, inquiry.channel, inquiry.external_id):
        return None  # (channel, external_id) is a ticket of its own: the usual path answers
    current = await tickets.get(conn, open_id)
    assert current is not None
    del added  # a replay of the same follow-up answers the same way
    # The answer is the joined ticket: its documents, those it had and this inquiry's.
    stored = await ticket_documents.for_ticket(conn, open_id)
    return Outcome(current, created=False, documents=list(stored), joined=True)


def _check_same(existing: Ticket, digest: bytes) -> None:
    if bytes(existing.request_hash) != digest:
        raise Problem(
            409,
            "Conflict",
            f"external_id {existing.external_id!r} was already used for a different "
            f"{existing.channel} inquiry",
            ticket_id=existing.id,
        )
