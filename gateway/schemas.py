"""Request and response bodies of the HTTP API."""

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.shared.domain import Priority
from services.shared.store.tickets import Ticket

ChannelName = Literal["phone", "chat", "email", "mobile", "web"]
Language = Literal["ar", "en"]


class Strict(BaseModel):
    # Unknown fields are refused, so a misspelt `occured_at` is an error rather than silently ignored.
    model_config = ConfigDict(extra="forbid", strict=True)


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

    @model_validator(mode="after")
    def needs_an_identity(self) -> "CustomerIn":
        if not self.identities():
            raise ValueError(
                "customer needs at least one of phone, email, app_user_id, web_user_id, chat_visitor_id"
            )
        return self

    def identities(self) -> list[tuple[str, str]]:
        """(kind, value) pairs, normalised so the same person is found whichever way it is written."""
        pairs = []
        if self.phone:
            pairs.append(("phone", "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")))
        if self.email:
            pairs.append(("email", self.email.strip().lower()))
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


class InquiryIn(EventTime):
    channel: ChannelName
    external_id: str = Field(
        min_length=1, max_length=200, description="The integration's id; retries reuse it."
    )
    customer: CustomerIn
    subject: str = Field("", max_length=500)
    text: str = Field(min_length=1, max_length=50_000)
    language: Language | None = Field(None, description="The language, when the channel already knows it.")


class NoteIn(EventTime):
    note: str = Field("", max_length=5000)


class TransferIn(NoteIn):
    queue: str = Field(min_length=1, max_length=63)


class ResolveIn(NoteIn):
    resolution_code: str = Field("resolved", pattern=r"^[a-z0-9_]{1,64}$")


class SurveyReplyIn(Strict):
    score: int = Field(ge=1, le=5)
    resolved: bool | None = None
    comment: str = Field("", max_length=5000)


class TicketOut(BaseModel):
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

    @classmethod
    def of(cls, ticket: Ticket) -> "TicketOut":
        return cls(
            id=ticket.id,
            channel=ticket.channel,
            external_id=ticket.external_id,
            status=ticket.status,
            queue=ticket.queue,
            priority=Priority(ticket.priority).name.lower(),
            language=ticket.language,
            intent=ticket.intent,
            routed_by=ticket.routed_by,
            classification=ticket.classification,
            customer_id=ticket.customer_id,
            assigned_agent_id=ticket.assigned_agent_id,
            escalation_level=ticket.escalation_level,
            created_at=ticket.created_at,
            queued_at=ticket.queued_at,
            answered_at=ticket.answered_at,
            resolved_at=ticket.resolved_at,
        )


class TicketDetailOut(TicketOut):
    events: list[dict[str, Any]]
