"""Takes in one inquiry: classify with a deadline, then store it with its events in one statement."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from gateway import occurred_at
from gateway.classify import classify
from gateway.deps import Deps
from gateway.problems import Problem
from gateway.schemas import InquiryIn
from services.shared.store import tickets
from services.shared.store.api_credentials import Credential
from services.shared.store.tickets import NewTicket, Ticket


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket
    created: bool


def request_hash(inquiry: InquiryIn) -> bytes:
    """A digest of what was asked, to tell an honest retry from a different inquiry reusing an id."""
    canonical = json.dumps(inquiry.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).digest()


async def take(deps: Deps, credential: Credential, inquiry: InquiryIn) -> Outcome:
    if credential.role == "integration" and credential.channel != inquiry.channel:
        raise Problem(
            403, "Forbidden", f"this key posts {credential.channel} inquiries, not {inquiry.channel}"
        )
    settings = deps.settings
    try:
        at = occurred_at.resolve(inquiry.occurred_at, datetime.now(UTC), settings.max_clock_skew_s)
    except occurred_at.InvalidTime as exc:
        raise Problem(422, "Invalid time", str(exc)) from None
    digest = request_hash(inquiry)
    # Classify before taking a connection, so a slow classifier never holds one.
    routing = await classify(
        deps.classifier,
        text=inquiry.text,
        subject=inquiry.subject,
        channel=inquiry.channel,
        language_hint=inquiry.language or inquiry.customer.language,
        customer_tier=inquiry.customer.tier,
        timeout_s=settings.classifier_timeout_s,
    )
    detected = routing.language if routing.language in ("ar", "en") else None
    new = NewTicket(
        channel=inquiry.channel,
        external_id=inquiry.external_id,
        request_hash=digest,
        identities=inquiry.customer.identities(),
        customer_name=inquiry.customer.name,
        customer_language=inquiry.customer.language or detected,
        customer_tier=inquiry.customer.tier,
        queue=routing.queue,
        priority=routing.priority,
        language=routing.language,
        intent=routing.intent,
        subject=inquiry.subject,
        body=inquiry.text,
        classification={**routing.details, "requested_queue": routing.queue},
        routed_by=routing.routed_by,
        occurred_at=at,
        escalate_at=settings.escalation.due_at(inquiry.channel, at, 1),
    )
    async with deps.pool.connection() as conn:
        ticket = await tickets.intake(conn, new)
        # Retries are rare, so they are found by the insert's conflict rather than by a lookup that
        # every new inquiry would pay for.
        if ticket is None:
            existing = await tickets.by_external_id(conn, inquiry.channel, inquiry.external_id)
            assert existing is not None
            return _replayed(existing, digest)
    return Outcome(ticket, created=True)


def _replayed(existing: Ticket, digest: bytes) -> Outcome:
    if bytes(existing.request_hash) != digest:
        raise Problem(
            409,
            "Conflict",
            f"external_id {existing.external_id!r} was already used for a different "
            f"{existing.channel} inquiry",
            ticket_id=existing.id,
        )
    return Outcome(existing, created=False)
