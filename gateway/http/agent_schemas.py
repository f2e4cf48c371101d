"""Request and response bodies of the agent console's API: presence, offers, thread, routing."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from gateway.http.schemas import EventTime, FromRecord, NoteIn, Strict

Presence = Literal["available", "away", "offline"]


class PresenceIn(Strict):
    presence: Presence


class SupervisorPresenceIn(Strict):
    """A supervisor may take an agent out of work (away, offline), never put one in: an agent made
    available who is not at the desk would be offered tickets nobody answers."""

    presence: Literal["away", "offline"]


class LanguageIn(Strict):
    language: Literal["ar", "en"]


class MoveIn(NoteIn):
    queue: str = Field(min_length=1, max_length=63)


class PresenceOut(BaseModel):
    presence: str
    previous: str


# An agent as routing sees them (AgentView), without the router's own `last_assigned_at`.
class AgentOut(FromRecord):
    id: int
    name: str
    presence: str
    presence_since: datetime
    queues: list[str]
    skills: dict[str, int]
    languages: list[str]
    capacity: dict[str, int]
    load: dict[str, int]
    # The console's language the agent chose (null: not chosen; the browser's is used).
    language: Literal["ar", "en"] | None = None
    # In wrap-up (offered nothing) until then; null when not.
    wrap_up_until: datetime | None = None

    @field_validator("queues", "languages", mode="before")
    @classmethod
    def _in_order(cls, value: Any) -> Any:
        # Sets in AgentView (the rules test membership); lists in name order here, stable to read.
        return sorted(value)


# An Offer; `decided_at` is left out, as the API shows offers while they are pending.
class OfferOut(FromRecord):
    id: int
    ticket_id: int
    agent_id: int
    queue_id: int
    channel: str
    offered_at: datetime
    expires_at: datetime
    outcome: str | None
    reason: dict[str, Any]


class ReplyIn(EventTime):
    text: str = Field(min_length=1, max_length=20_000, pattern=r"\S")


class TransferToIn(NoteIn):
    """A queue, an agent, or both (the agent is offered it first; it waits in the queue)."""

    queue: str | None = Field(None, min_length=1, max_length=63)
    agent_id: int | None = Field(None, ge=1, le=2**31 - 1)


class PositionOut(BaseModel):
    ticket_id: int
    status: str
    queue: str
    position: int | None = Field(None, description="1 = next; null when not waiting")
    queue_depth: int | None = None
    estimated_wait_s: float | None = Field(
        None, description="Seconds until an agent is offered it; null when not waiting or nobody can take it"
    )


class WrapUpOut(BaseModel):
    # True when a wrap-up was open and this ended it; false when there was none (or its limit passed).
    ended: bool
