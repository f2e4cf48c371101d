"""GET + POST /v1/channels/whatsapp: Meta's WhatsApp Cloud API webhook (handshake, signed events)."""

import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from gateway.actions import messaging_intake
from gateway.http import provider_auth
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.provider_signatures import meta_valid
from services.shared import contact_points

router = APIRouter(tags=["channels"])

# Messages past this many per delivery are not Meta's batching: refused whole.
MAX_ITEMS = 100


@router.get(
    "/v1/channels/whatsapp",
    summary="WhatsApp Cloud API webhook verification",
    description="Meta calls this once when the webhook is set up: `hub.challenge` is answered as plain "
    "text when `hub.mode` is `subscribe` and `hub.verify_token` is WHATSAPP_VERIFY_TOKEN; 403 else.",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        403: {"description": "Wrong token"},
    },
)
async def handshake(
    request: Request,
    deps: DepsDep,
    mode: Annotated[str, Query(alias="hub.mode", max_length=50)] = "",
    verify_token: Annotated[str, Query(alias="hub.verify_token", max_length=500)] = "",
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=500)] = "",
) -> PlainTextResponse:
    channel = deps.settings.channels.whatsapp
    if not channel.enabled:
        raise provider_auth.off("whatsapp")
    await provider_auth.before_signature(request)
    valid = mode == "subscribe" and meta_valid_token(channel.verify_token, verify_token)
    await provider_auth.admit(request, valid, channel.phone_number_id or "default", "whatsapp")
    return PlainTextResponse(challenge)


def meta_valid_token(expected: str, given: str) -> bool:
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


@router.post(
    "/v1/channels/whatsapp",
    summary="WhatsApp Cloud API events (signed)",
    description="The JSON Meta posts, signed `X-Hub-Signature-256: sha256=HMAC(WHATSAPP_APP_SECRET, body)`. "
    "Each text (or button / media) message opens a `chat` ticket or joins the customer's open one; "
    "a message id seen before, or one older than OCCURRED_AT_WINDOW_S, changes nothing. Statuses of "
    "sent messages are acknowledged. The answer lists each message's outcome.",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
    },
    responses={
        403: {"description": "Missing or forged signature, or the channel is off"},
        422: {"description": "Not a WhatsApp Business Account event"},
    },
)
async def events(request: Request, deps: DepsDep) -> JSONResponse:
    channel = deps.settings.channels.whatsapp
    if not channel.enabled:
        raise provider_auth.off("whatsapp")
    await provider_auth.before_signature(request)
    raw = await request.body()
    valid = meta_valid(channel.app_secret, raw, request.headers.get("x-hub-signature-256"))
    credential = await provider_auth.admit(request, valid, channel.phone_number_id or "default", "whatsapp")
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Problem(422, "Malformed event", "the body is not JSON") from None
    items = _messages(payload)
    window = timedelta(seconds=deps.settings.occurred_at_window_s)
    now = datetime.now(UTC)
    results: list[dict[str, Any]] = []
    for value, message in items:
        result: dict[str, Any] = {"id": message.get("id")}
        try:
            at = datetime.fromtimestamp(int(message.get("timestamp", "")), UTC)
            customer = contact_points.phone_e164("+" + str(message.get("from", "")).lstrip("+"), "ZZ")
        except (ValueError, OverflowError, OSError) as exc:
            results.append({**result, "status": "refused", "reason": f"malformed: {exc}"[:200]})
            continue
        if at < now - window:
            results.append({**result, "status": "refused", "reason": "stale"})
            continue
        inbound = messaging_intake.InboundText(
            provider="whatsapp",
            transport="whatsapp_cloud",
            message_id=str(message.get("id") or "")[:200],
            customer=customer,
            centre=str(value.get("metadata", {}).get("phone_number_id") or channel.phone_number_id),
            text=_text(message),
            at=min(at, now),
            name=_name(value, message),
        )
        if not inbound.message_id:
            results.append({**result, "status": "refused", "reason": "no message id"})
            continue
        outcome = await messaging_intake.take(deps, credential, inbound)
        results.append(
            {**result, "status": outcome.status, "ticket_id": outcome.ticket.id if outcome.ticket else None}
        )
    return JSONResponse({"messages": results})


def _messages(payload: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(the change's value, one message) for each message in the delivery; statuses are left out."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise Problem(422, "Malformed event", "not a whatsapp_business_account event")
    found = []
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or [] if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            for message in value.get("messages") or []:
                if isinstance(message, dict):
                    found.append((value, message))
    if len(found) > MAX_ITEMS:
        raise Problem(422, "Malformed event", f"more than {MAX_ITEMS} messages in one delivery")
    return found


def _text(message: dict[str, Any]) -> str:
    kind = message.get("type")
    part = message.get(kind) if isinstance(kind, str) else None
    if not isinstance(part, dict):
        return ""
    if kind == "text":
        return str(part.get("body") or "")
    if kind == "button":
        return str(part.get("text") or "")
    if kind == "interactive":
        reply = part.get("button_reply") or part.get("list_reply") or {}
        return str(reply.get("title") or "") if isinstance(reply, dict) else ""
    return str(part.get("caption") or "")


def _name(value: dict[str, Any], message: dict[str, Any]) -> str | None:
    for contact in value.get("contacts") or []:
        if isinstance(contact, dict) and contact.get("wa_id") == message.get("from"):
            profile = contact.get("profile")
            if isinstance(profile, dict) and isinstance(profile.get("name"), str):
                return profile["name"][:200] or None
    return None
