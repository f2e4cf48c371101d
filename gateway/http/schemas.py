"""Request and response bodies of the HTTP API."""

import base64
import binascii
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from services.shared import contact_points
from services.shared.domain import Channel, Priority, identity_verified
from services.shared.store.ticket_documents import Document

ChannelName = Channel
Language = Literal["ar", "en"]


class Strict(BaseModel):
    # Unknown fields are refused, so a misspelt `occured_at` is an error rather than silently ignored.
    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL: refused here as bad input (422) rather than failing the
        # statement later (500).
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("text must not contain NUL (U+0000) characters")
        return value


IdentityField = Literal["phone", "email", "app_user_id", "web_user_id", "chat_visitor_id"]
# The customer's identity fields and the kind of identity each one is.
IDENTITY_FIELDS: dict[IdentityField, str] = {
    "phone": "phone",
    "email": "email",
    "app_user_id": "app_user",
    "web_user_id": "web_user",
    "chat_visitor_id": "chat_visitor",
}


class CustomerIn(Strict):
    """Who wrote: at least one identity; every identity given leads to the same customer."""

    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9 ()\-]{4,24}$", examples=["+966501234567"])
    email: str | None = Field(None, pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$", examples=["sara@example.com"])
    app_user_id: str | None = Field(None, min_length=1, max_length=128)
    web_user_id: str | None = Field(None, min_length=1, max_length=128)
    chat_visitor_id: str | None = Field(None, min_length=1, max_length=128)
    name: str | None = Field(None, max_length=200)
    language: Language | None = None
    tier: str = Field("standard", pattern=r"^[a-z0-9_]{1,32}$")
    verified: dict[IdentityField, bool] = Field(
        default_factory=dict,
        description='Which identities the channel checked, e.g. `{"email": true}` from a mail '
        "connector that verified the sender. Unlisted ones: only the channel's own (phone on phone, "
        "email on email, app_user_id on mobile, web_user_id on web, chat_visitor_id on chat) is "
        "verified. Only verified identities find an existing customer and join records.",
    )

    @model_validator(mode="after")
    def needs_an_identity(self) -> "CustomerIn":
        if not self.identities():
            raise ValueError(
                "customer needs at least one of phone, email, app_user_id, web_user_id, chat_visitor_id"
            )
        unknown = sorted(f for f in self.verified if getattr(self, f) is None)
        if unknown:
            raise ValueError(f"verified names identities not given: {', '.join(unknown)}")
        return self

    def identities_on(self, channel: str, phone_region: str) -> list[tuple[str, str, bool]]:
        """(kind, value, verified) of each identity given, as arriving on `channel`; raises
        ValueError for a phone number or address that cannot be normalised."""
        fields: dict[str, IdentityField] = {kind: name for name, kind in IDENTITY_FIELDS.items()}
        return [
            (kind, value, identity_verified(channel, kind, self.verified.get(fields[kind])))
            for kind, value in self.identities(phone_region)
        ]

    def identities(self, phone_region: str | None = None) -> list[tuple[str, str]]:
        """(kind, value) pairs, normalised so the same person is found whichever way it is written:
        phone numbers in E.164 (read in `phone_region` when they carry no country code), addresses
        lower-cased. Without a region the values are only checked for presence."""
        pairs = []
        if self.phone:
            phone = (
                self.phone if phone_region is None else contact_points.phone_e164(self.phone, phone_region)
            )
            pairs.append(("phone", phone))
        if self.email:
            email = self.email if phone_region is None else contact_points.email_address(self.email)
            pairs.append(("email", email))
        for kind, value in (
            ("app_user", self.app_user_id),
            ("web_user", self.web_user_id),
            ("chat_visitor", self.chat_visitor_id),
        ):
            if value:
                pairs.append((kind, value))
        return pairs


class EventTime(Strict):
    # Not strict: JSON carries times as strings, which strict mode would refuse.
    occurred_at: AwareDatetime | None = Field(
        None,
        strict=False,
        description="When it happened (ISO 8601 with offset); default now; not in the future.",
    )


# Attachments per inquiry. Each one read costs a worker's time, and an inquiry with more is a case
# file, better sent by e-mail to a queue than pasted into an intake.
MAX_ATTACHMENTS = 5
CONTENT_TYPE = r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$"


def file_name(value: str) -> str:
    """A name, never a path: "C:\\docs\\a.pdf" and "x/a.pdf" are kept as "a.pdf"; raises ValueError."""
    name = PurePosixPath(value.replace("\\", "/")).name.strip()
    if not name or len(name) > 255 or not name.isprintable():
        raise ValueError("filename must be a printable file name of at most 255 characters")
    return name


class AttachmentIn(Strict):
    """A document sent with the inquiry (PDF; other kinds are kept as a note, unread)."""

    filename: str = Field(min_length=1, max_length=255, examples=["statement.pdf"])
    content_type: str = Field("application/pdf", max_length=127, pattern=CONTENT_TYPE)
    # The whole request is bounded by the body limit (1 MiB by default), base64 included.
    data_base64: str = Field(
        min_length=1, description="The file's bytes, base64 (RFC 4648, padded; line breaks allowed)."
    )
    _data: bytes = PrivateAttr(b"")

    @field_validator("filename")
    @classmethod
    def base_name(cls, value: str) -> str:
        return file_name(value)

    @model_validator(mode="after")
    def decodes(self) -> "AttachmentIn":
        try:
            # Line breaks are common (MIME wraps base64 at 76 columns); anything else non-base64 is not.
            self._data = base64.b64decode("".join(self.data_base64.split()), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"data_base64 of {self.filename!r} is not valid base64") from None
        return self

    @property
    def data(self) -> bytes:
        return self._data


class InquiryIn(EventTime):
    channel: ChannelName
    external_id: str = Field(
        min_length=1, max_length=200, description="The integration's id; retries reuse it."
    )
    customer: CustomerIn
    subject: str = Field("", max_length=500)
    # At least one visible character: a blank inquiry is bad input, not something to route.
    text: str = Field(min_length=1, max_length=50_000, pattern=r"\S")
    language: Language | None = Field(None, description="The language, when the channel already knows it.")
    attachments: list[AttachmentIn] = Field(
        default_factory=list,
        max_length=MAX_ATTACHMENTS,
        description=f"Up to {MAX_ATTACHMENTS} documents (PDF); their text informs routing and is kept "
        "for the agent. A document that cannot be read is kept with a note; the inquiry still lands.",
    )


class NoteIn(EventTime):
    note: str = Field("", max_length=5000)

    def event_data(self) -> dict[str, str]:
        """The note as the event records it: absent rather than empty."""
        return {"note": self.note} if self.note else {}


class TransferIn(NoteIn):
    queue: str = Field(min_length=1, max_length=63)


class ResolveIn(NoteIn):
    resolution_code: str = Field("resolved", pattern=r"^[a-z0-9_]{1,64}$")
    # Unlike `note` (internal, never sent), this is for the customer: it goes out with the message
    # that tells them their ticket was resolved, and to them again if they come back about it.
    customer_note: str = Field(
        "",
        max_length=1000,
        description="For the customer: sent with the resolution message (unless the channel "
        "suppresses it) and told to them if they write again on the same matter. `note` stays internal.",
    )


class SurveyReplyIn(Strict):
    score: int = Field(ge=1, le=5)
    resolved: bool | None = None
    comment: str = Field("", max_length=5000)
    # Not strict: JSON carries times as strings, which strict mode would refuse.
    occurred_at: AwareDatetime | None = Field(
        None,
        strict=False,
        description="When the customer answered (ISO 8601 with offset), for replayed or imported "
        "replies only: honoured with a back-fill bearer token (`create-token --backfill`), after the "
        "survey was sent and not in the future; refused (422) otherwise. Default now.",
    )


class FromRecord(BaseModel):
    """A response read from a store record by field name (`Model.model_validate(record)`): one
    declaration of each field's name and type, never a field-by-field copy."""

    model_config = ConfigDict(from_attributes=True)


class AnswerOut(FromRecord):
    """The automatic answer to a frequent question, already sent to the customer."""

    text: str
    faq_id: str
    confidence: float


class DocumentSummaryOut(BaseModel):
    # Not read from the Document by name: `characters` counts its text, which only DocumentOut shows.
    filename: str
    content_type: str
    bytes: int
    pages: int | None
    characters: int
    note: str

    @classmethod
    def of(cls, document: Document) -> "DocumentSummaryOut":
        return cls(
            filename=document.filename,
            content_type=document.content_type,
            bytes=document.bytes,
            pages=document.pages,
            characters=len(document.text),
            note=document.note,
        )


class PassageOut(BaseModel):
    """A passage of a document that bears on the inquiry (gateway/documents/document_answers.py)."""

    # None for a document stored before its pages were kept.
    page: int | None
    text: str
    # BM25's score against the inquiry's text: comparable within one ticket only.
    score: float


class DocumentOut(DocumentSummaryOut):
    text: str
    # The passages most relevant to the inquiry, best first: the agent reads these before the text.
    passages: list[PassageOut] = []

    @classmethod
    def of(cls, document: Document, passages: list[PassageOut] | None = None) -> "DocumentOut":
        return cls(
            **DocumentSummaryOut.of(document).model_dump(), text=document.text, passages=passages or []
        )


# A Ticket as staff see it, read by name (`answer` is Ticket.answer). Deliberately not the whole
# record: the request hash, body, subject, queue id and internal clocks (last_event_at, escalate_at)
# stay inside, and `priority` is shown by name.
class TicketOut(FromRecord):
    id: int
    channel: str
    external_id: str
    status: str
    queue: str
    priority: str
    language: str
    intent: str
    routed_by: str
    classification: dict[str, Any]
    customer_id: int
    assigned_agent_id: int | None
    escalation_level: int
    created_at: datetime
    queued_at: datetime | None
    answered_at: datetime | None
    resolved_at: datetime | None
    answer: AnswerOut | None = Field(
        None, description="Set when the inquiry was answered at once from the FAQ (status self_served)."
    )
    first_response_due_at: datetime | None = Field(None, description="The SLA's first-response deadline.")
    resolution_due_at: datetime | None = Field(None, description="The SLA's resolution deadline.")
    sla_paused_at: datetime | None = Field(
        None, description="Set while the ticket waits for the customer: the SLA clock stands still."
    )

    @field_validator("priority", mode="before")
    @classmethod
    def _priority_name(cls, value: Any) -> Any:
        # The store keeps the number the claim order sorts by; the API names it.
        return Priority(value).name.lower() if isinstance(value, int) else value


class IntakeOut(TicketOut):
    documents: list[DocumentSummaryOut] = Field(
        default_factory=list, description="What was read of each attachment, with a note when not all."
    )
    joined: bool = Field(
        False,
        description="The customer had an open ticket in the same queue: the inquiry joined its thread "
        "(answered 200 with that ticket) instead of opening another.",
    )
    position: int | None = Field(None, description="Place in the queue (1 = next) while it waits.")
    queue_depth: int | None = Field(None, description="Tickets waiting in the queue.")
    estimated_wait_s: float | None = Field(
        None, description="Seconds until an agent is offered it; null when nobody could take it now."
    )


class TicketDetailOut(TicketOut):
    events: list[dict[str, Any]]
    documents: list[DocumentOut]
