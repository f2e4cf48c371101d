"""Request and response bodies of the agent console's API: presence, offers, thread, routing."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from gateway.http.schemas import EventTime, NoteIn, Strict
from services.shared.store.agents import RoutingAgent
from services.shared.store.ticket_offers import Offer

Presence = Literal["available", "away", "offline"]


class PresenceIn(Strict):
    presence: Presence


class PresenceOut(BaseModel):
    presence: str
    previous: str


class AgentOut(BaseModel):
    id: int
    name: str
    presence: str
    presence_since: datetime
    queues: list[str]
    skills: dict[str, int]
    languages: list[str]
    capacity: dict[str, int]
    load: dict[str, int]
    # In wrap-up (offered nothing) until then; null when not.
    wrap_up_until: datetime | None = None

    @classmethod
    def of(cls, agent: RoutingAgent) -> "AgentOut":
        return cls(
            id=agent.id,
            name=agent.name,
            presence=agent.presence,
            presence_since=agent.presence_since,
            queues=agent.queues,
            skills=agent.skills,
            languages=agent.languages,
            capacity=agent.capacity,
            load=agent.load,
            wrap_up_until=agent.wrap_up_until,
        )


class OfferOut(BaseModel):
    id: int
    ticket_id: int
    agent_id: int
    queue_id: int
    channel: str
    offered_at: datetime
    expires_at: datetime
    outcome: str | None
    reason: dict[str, Any]

    @classmethod
    def of(cls, offer: Offer) -> "OfferOut":
        return cls(
            id=offer.id,
            ticket_id=offer.ticket_id,
            agent_id=offer.agent_id,
            queue_id=offer.queue_id,
            channel=offer.channel,
            offered_at=offer.offered_at,
            expires_at=offer.expires_at,
            outcome=offer.outcome,
            reason=offer.reason,
        )


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
