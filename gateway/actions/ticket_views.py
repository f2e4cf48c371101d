"""What each role is shown of a ticket: staff (agents, supervisors) the whole record; integrations,
which speak to the customer, a customer-facing view without agents' notes or the classifier's
internals. `ticket_view` and `event_view` are the one place that decides; routes only call them."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from gateway.documents import document_answers
from gateway.http.schemas import (
    DocumentOut,
    DocumentSummaryOut,
    FromRecord,
    PassageOut,
    TicketDetailOut,
    TicketOut,
)
from services.shared.store.api_credentials import Credential
from services.shared.store.ticket_documents import Document
from services.shared.store.tickets import Ticket

# The events a customer may see, each with the data keys they may see. Default deny: an event type
# added later stays internal until it is listed here. Left out on purpose: notes (`note`), agents'
# ids, queue ids, the routing explanation and scores of `routed`, offers, escalations' reasons, SLA
# warnings, survey scores and quality evaluations.
CUSTOMER_EVENTS: dict[str, frozenset[str]] = {
    "created": frozenset({"channel", "external_id"}),
    "routed": frozenset(),
    "self_served": frozenset({"faq_id"}),
    "human_requested": frozenset(),
    "claimed": frozenset(),
    "answered": frozenset(),
    "released": frozenset(),
    "transferred": frozenset(),
    "escalated": frozenset(),
    "awaiting_customer": frozenset(),
    "customer_message": frozenset({"channel", "external_id", "text", "subject"}),
    "agent_message": frozenset({"text"}),
    "resolved": frozenset(),
    "reopened": frozenset(),
    "abandoned": frozenset(),
    "survey_sent": frozenset(),
    "survey_answered": frozenset(),
}


class CustomerAnswerOut(FromRecord):
    """The automatic answer the customer was sent (without the classifier's confidence)."""

    text: str
    faq_id: str


# Read from the Ticket by name: only the fields declared here are read.
class CustomerTicketOut(FromRecord):
    """A ticket as its channel's integration sees it: where it stands, not how it was decided."""

    # Extra keys refused, so a staff view can never pass for this one when a response is checked.
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: int
    channel: str
    external_id: str
    status: str
    queue: str
    language: str
    created_at: datetime
    queued_at: datetime | None
    answered_at: datetime | None
    resolved_at: datetime | None
    answer: CustomerAnswerOut | None = None


class CustomerEventOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    type: str
    occurred_at: datetime
    data: dict[str, Any]


class CustomerTicketDetailOut(CustomerTicketOut):
    events: list[CustomerEventOut]
    documents: list[DocumentSummaryOut]


def is_staff(credential: Credential) -> bool:
    return credential.role in ("agent", "supervisor")


def event_types(credential: Credential) -> list[str] | None:
    """The event types `credential` is shown (None: all), so a page is filtered where it is read."""
    return None if is_staff(credential) else list(CUSTOMER_EVENTS)


def event_view(credential: Credential, event: dict[str, Any]) -> dict[str, Any] | None:
    """The event as `credential` sees it; None when it is not theirs to see."""
    if is_staff(credential):
        return event
    keys = CUSTOMER_EVENTS.get(event["type"])
    if keys is None:
        return None
    data = {k: v for k, v in (event.get("data") or {}).items() if k in keys}
    return {"id": event["id"], "type": event["type"], "occurred_at": event["occurred_at"], "data": data}


def events_view(credential: Credential, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [shown for e in events if (shown := event_view(credential, e)) is not None]


def ticket_view(credential: Credential, ticket: Ticket) -> TicketOut | CustomerTicketOut:
    model = TicketOut if is_staff(credential) else CustomerTicketOut
    return model.model_validate(ticket)


def detail_view(
    credential: Credential, ticket: Ticket, events: list[dict[str, Any]], documents: list[Document]
) -> TicketDetailOut | CustomerTicketDetailOut:
    """The ticket with a page of its events and its documents (their text for staff only)."""
    shown = events_view(credential, events)
    if is_staff(credential):
        return TicketDetailOut(
            **TicketOut.model_validate(ticket).model_dump(),
            events=shown,
            documents=[DocumentOut.of(d, passages_for(ticket, d)) for d in documents],
        )
    return CustomerTicketDetailOut(
        **CustomerTicketOut.model_validate(ticket).model_dump(),
        events=[CustomerEventOut(**e) for e in shown],
        documents=[DocumentSummaryOut.of(d) for d in documents],
    )


def passages_for(ticket: Ticket, document: Document) -> list[PassageOut]:
    """The document's passages most relevant to the ticket's inquiry, best first (staff only)."""
    question = f"{ticket.subject}\n{ticket.body}"
    return [
        PassageOut(page=r.passage.page, text=r.passage.text, score=r.score)
        for r in document_answers.best_passages(question, [document])
    ]
