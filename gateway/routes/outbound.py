"""Outbound delivery for channel integrations: poll and acknowledge, or register a signed callback.

An integration either polls `GET /v1/outbound?channel=…` (a leased batch: two pollers never get the
same messages, and what is not acknowledged within the lease comes back) and acknowledges each
message with `POST /v1/outbound/{id}/ack` (or the whole batch with `POST /v1/outbound/ack`), or
registers a callback URL that the workers post each message to, signed with HMAC-SHA256
(services/shared/callback_signature.py), retrying with backoff. Either way a message acknowledged
once is never handed out or posted again. A callback URL must pass the egress policy
(services/shared/egress.py): https, to a host whose every address is public.
"""

import asyncio
import secrets
from datetime import UTC, datetime
from typing import Annotated

import httpx
from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field, field_validator

from gateway.http.auth import Integration
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.schemas import ChannelName, FromRecord, Strict
from services.shared import egress
from services.shared.store import outbound_callbacks, outbound_messages
from services.shared.store.api_credentials import Credential

router = APIRouter(tags=["outbound"])

# How long a polled batch is held for its poller. Longer gives a slow integration time to deliver
# and acknowledge; shorter hands a crashed poller's messages to another one sooner.
DEFAULT_LEASE_S = 60
MessageId = Annotated[int, Path(ge=1, le=2**63 - 1)]


# A leased outbound message, read from outbound_messages.Leased by name.
class OutboundOut(FromRecord):
    id: int
    ticket_id: int | None
    channel: str
    kind: str
    recipient: str
    body: str
    created_at: datetime
    # Times this message was handed out (by polls and callback attempts), this one included.
    attempts: int
    # Named for the poller (when the message comes back unless acknowledged), read from the
    # record's `leased_until`; the name in the JSON and the schema is this one.
    lease_expires_at: datetime = Field(validation_alias="leased_until")


class OutboundBatchOut(BaseModel):
    messages: list[OutboundOut]


class AckOut(BaseModel):
    id: int
    delivered_at: datetime
    # False when this message had been acknowledged before: nothing changed.
    newly_acknowledged: bool


class AckManyIn(Strict):
    # A polled batch's ids (a poll hands out at most 500); each once.
    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(min_length=1, max_length=500)

    @field_validator("ids")
    @classmethod
    def _each_once(cls, ids: list[int]) -> list[int]:
        if len(set(ids)) != len(ids):
            raise ValueError("an id is listed twice")
        return ids


class AckManyOut(BaseModel):
    acknowledged: list[AckOut]


class CallbackIn(Strict):
    url: str = Field(pattern=r"^https?://[^\s]{1,2000}$", examples=["https://sms.example.com/ticketing"])

    @field_validator("url")
    @classmethod
    def _usable(cls, url: str) -> str:
        # Refused now what the sender could never post to (`http://a:b:c/`, an over-long label).
        try:
            parsed = httpx.URL(url)
            parsed.host.encode("idna")
        except (httpx.InvalidURL, UnicodeError) as exc:
            raise ValueError(f"not a usable URL: {exc}") from None
        if not parsed.host:
            raise ValueError("the URL needs a host")
        return url


class CallbackOut(BaseModel):
    channel: str
    url: str
    secret: str = Field(description="The HMAC-SHA256 signing key; shown once, keep it with the receiver.")


def _own_channel(credential: Credential, channel: str) -> str:
    if credential.channel != channel:
        raise Problem(403, "Forbidden", f"this key delivers {credential.channel} messages, not {channel}")
    return channel


@router.get(
    "/v1/outbound", response_model=OutboundBatchOut, summary="Take a leased batch of pending messages"
)
async def poll(
    channel: Annotated[ChannelName, Query()],
    credential: Integration,
    deps: DepsDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    lease_s: Annotated[int, Query(ge=5, le=3600)] = DEFAULT_LEASE_S,
) -> OutboundBatchOut:
    _own_channel(credential, channel)
    async with deps.pool.connection() as conn:
        leased = await outbound_messages.lease_for_poll(conn, channel, limit, lease_s)
    return OutboundBatchOut(messages=[OutboundOut.model_validate(m) for m in leased])


@router.post(
    "/v1/outbound/{message_id}/ack", response_model=AckOut, summary="Acknowledge delivery (idempotent)"
)
async def acknowledge(message_id: MessageId, credential: Integration, deps: DepsDep) -> AckOut:
    assert credential.channel is not None
    async with deps.pool.connection() as conn:
        found = await outbound_messages.acknowledge(conn, credential.channel, message_id, datetime.now(UTC))
    if found is None:
        raise Problem(404, "Not found", f"no {credential.channel} message {message_id}")
    delivered_at, newly = found
    return AckOut(id=message_id, delivered_at=delivered_at, newly_acknowledged=newly)


@router.post(
    "/v1/outbound/ack",
    response_model=AckManyOut,
    summary="Acknowledge a batch of messages at once (idempotent; all or nothing)",
    responses={404: {"description": "An id is not a message of this key's channel: none acknowledged"}},
)
async def acknowledge_many(body: AckManyIn, credential: Integration, deps: DepsDep) -> AckManyOut:
    """One request for a polled batch instead of one per message. Every id must be a message of
    the key's channel: otherwise a 404 names the others and nothing is acknowledged."""
    assert credential.channel is not None
    async with deps.pool.connection() as conn, conn.transaction():
        found = await outbound_messages.acknowledge_many(
            conn, credential.channel, body.ids, datetime.now(UTC)
        )
        unknown = [i for i in body.ids if i not in found]
        if unknown:
            # Raised inside the transaction: the acknowledgements above roll back with it.
            raise Problem(
                404, "Not found", f"no {credential.channel} messages {unknown[:20]}", unknown=unknown
            )
    return AckManyOut(
        acknowledged=[
            AckOut(id=i, delivered_at=found[i][0], newly_acknowledged=found[i][1]) for i in body.ids
        ]
    )


@router.put("/v1/outbound/callback", response_model=CallbackOut, summary="Have messages posted to a URL")
async def put_callback(body: CallbackIn, credential: Integration, deps: DepsDep) -> CallbackOut:
    assert credential.channel is not None
    # Checked here so the integration hears at once; the sender checks again at each delivery,
    # since what the name resolves to may change after this.
    try:
        await asyncio.to_thread(egress.pin, body.url, deps.settings.callback_egress, deps.resolve)
    except egress.Refused as exc:
        raise Problem(422, "Callback URL refused", str(exc), kind="callback-url-refused") from None
    secret = secrets.token_urlsafe(32)
    async with deps.pool.connection() as conn:
        await outbound_callbacks.put(conn, credential.channel, body.url, secret, credential.id)
    return CallbackOut(channel=credential.channel, url=body.url, secret=secret)


@router.delete(
    "/v1/outbound/callback",
    status_code=204,
    summary="Stop posting; poll instead",
    responses={404: {"description": "No callback is registered for this channel"}},
)
async def delete_callback(credential: Integration, deps: DepsDep) -> Response:
    assert credential.channel is not None
    async with deps.pool.connection() as conn:
        if not await outbound_callbacks.delete(conn, credential.channel):
            raise Problem(404, "Not found", f"no callback is registered for {credential.channel}")
    return Response(status_code=204)
