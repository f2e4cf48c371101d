"""POST /v1/channels/twilio/voice and /messages: Twilio's signed, form-encoded webhooks."""

from email.utils import parsedate_to_datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from gateway.actions import call_events, messaging_intake
from gateway.http import provider_auth
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.provider_signatures import twilio_valid
from services.shared import contact_points
from services.shared.store.api_credentials import Credential

router = APIRouter(tags=["channels"])

# Twilio's fields are short; a field past this is not Twilio's.
MAX_FIELD = 2000


def _form_body(fields: dict[str, str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": {k: {"type": "string"} for k in fields}}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": schema}},
        }
    }


VOICE_FIELDS = {"AccountSid": "", "CallSid": "", "CallStatus": "", "From": "", "To": "", "Timestamp": ""}
MESSAGE_FIELDS = {"AccountSid": "", "MessageSid": "", "From": "", "To": "", "Body": "", "NumMedia": ""}
SIGNED: dict[int | str, dict[str, Any]] = {
    403: {"description": "Missing or wrong X-Twilio-Signature, another account, or the channel is off"},
    422: {"description": "A field is missing or not what Twilio sends, or Timestamp is out of the window"},
}
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


async def _signed_form(request: Request, deps: DepsDep, provider: str) -> tuple[dict[str, str], Credential]:
    """The form of a request Twilio signed with this centre's auth token, and the route's credential."""
    twilio = deps.settings.channels.twilio
    if not twilio.enabled:
        raise provider_auth.off("twilio")
    await provider_auth.before_signature(request)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form: dict[str, str] = {}
    if media_type == "application/x-www-form-urlencoded":
        parsed = await request.form(max_files=0)
        form = {k: v for k, v in parsed.multi_items() if isinstance(v, str)}
    # The URL Twilio called: the public one, whatever a proxy in front made of it.
    url = deps.settings.public_url + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    valid = twilio_valid(twilio.auth_token, url, form, request.headers.get("x-twilio-signature"))
    valid = valid and form.get("AccountSid") == twilio.account_sid
    credential = await provider_auth.admit(request, valid, twilio.account_sid, provider)
    if any(len(v) > MAX_FIELD for v in form.values()):
        raise Problem(422, "Malformed webhook", f"a field is longer than {MAX_FIELD} characters")
    return form, credential


def _field(form: dict[str, str], name: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise Problem(422, "Malformed webhook", f"{name} is required")
    return value


def _number(deps: DepsDep, form: dict[str, str], name: str) -> str:
    raw = _field(form, name).removeprefix("whatsapp:")
    try:
        return contact_points.phone_e164(raw, deps.settings.default_phone_region)
    except ValueError as exc:
        raise Problem(422, "Malformed webhook", f"{name}: {exc}") from None


def _ours(deps: DepsDep, number: str) -> None:
    numbers = deps.settings.channels.twilio.numbers
    if numbers and number not in numbers:
        raise Problem(403, "Forbidden", f"{number} is not one of this centre's numbers (TWILIO_NUMBERS)")


@router.post(
    "/v1/channels/twilio/voice",
    status_code=201,
    summary="Twilio voice status callback (signed)",
    description="Form-encoded as Twilio posts it, signed (`X-Twilio-Signature`) with TWILIO_AUTH_TOKEN "
    "over PUBLIC_URL + this path. The first callback of a CallSid opens the phone ticket (201); "
    "`in-progress` on a ticket an agent claimed is its answer, an end (`completed`, `busy`, "
    "`no-answer`, `canceled`, `failed`) before an answer its abandonment, each at `Timestamp`; "
    "`Digits` / `SpeechResult` are the caller's words. The same CallSid and CallStatus again: 200, "
    "`duplicate`, nothing changes.",
    openapi_extra=_form_body(VOICE_FIELDS | {"Digits": "", "SpeechResult": "", "CallDuration": ""}),
    responses={200: {"description": "A later callback of the call, or a repeat"}, **SIGNED},
)
async def voice(request: Request, deps: DepsDep) -> JSONResponse:
    form, credential = await _signed_form(request, deps, "twilio_voice")
    status = _field(form, "CallStatus").lower()
    if status not in call_events.STATUSES:
        raise Problem(422, "Malformed webhook", f"CallStatus {status!r} is not one Twilio sends")
    called = _number(deps, form, "To")
    _ours(deps, called)
    at = None
    if form.get("Timestamp"):
        try:
            at = parsedate_to_datetime(form["Timestamp"])
        except (TypeError, ValueError):
            raise Problem(422, "Malformed webhook", "Timestamp is not an RFC 2822 date") from None
    event = call_events.CallEvent(
        call_sid=_field(form, "CallSid"),
        status=status,
        caller=_number(deps, form, "From"),
        called=called,
        at=at,
        ivr=call_events.ivr_text(form.get("Digits"), form.get("SpeechResult")),
    )
    outcome = await call_events.take(deps, credential, event)
    body = {"status": outcome.status, "ticket_id": outcome.ticket.id, "ticket_status": outcome.ticket.status}
    return JSONResponse(body, status_code=201 if outcome.status == "created" else 200)


@router.post(
    "/v1/channels/twilio/messages",
    summary="Twilio incoming SMS or WhatsApp message (signed)",
    description="Form-encoded as Twilio posts it, signed as for voice. A message opens a `chat` ticket "
    "(external id = MessageSid) or, while the customer's ticket of that conversation is open, joins "
    "it. The answer is an empty TwiML `<Response/>` (no automatic reply; agents' replies go out "
    "through the REST API), with the outcome in `X-Ticket-Id` and `X-Intake-Status`.",
    openapi_extra=_form_body(MESSAGE_FIELDS | {"ProfileName": ""}),
    responses={
        200: {"description": "Taken", "content": {"text/xml": {"schema": {"type": "string"}}}},
        **SIGNED,
    },
    response_class=Response,
)
async def messages(request: Request, deps: DepsDep) -> Response:
    form, credential = await _signed_form(request, deps, "twilio_messages")
    sender = _field(form, "From")
    centre = _number(deps, form, "To")
    _ours(deps, centre)
    try:
        media = int(form.get("NumMedia") or 0)
    except ValueError:
        raise Problem(422, "Malformed webhook", "NumMedia is not a number") from None
    text = form.get("Body", "")
    if not text.strip() and media <= 0:
        raise Problem(422, "Malformed webhook", "the message has no Body and no media")
    message = messaging_intake.InboundText(
        provider="twilio",
        transport="twilio_whatsapp" if sender.startswith("whatsapp:") else "sms",
        message_id=_field(form, "MessageSid"),
        customer=_number(deps, form, "From"),
        centre=centre,
        text=text,
        name=form.get("ProfileName") or None,
    )
    outcome = await messaging_intake.take(deps, credential, message)
    headers = {"X-Intake-Status": outcome.status}
    if outcome.ticket is not None:
        headers["X-Ticket-Id"] = str(outcome.ticket.id)
    return Response(EMPTY_TWIML, media_type="text/xml", headers=headers)
