"""The customer's web chat and contact form: the widget's script, the contact page, and the session
API they both use (a public widget key starts a session; its secret, as a bearer token, reaches only
that session's ticket). Live updates are short polls: see docs/channels.md for why not a stream."""

import json
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from gateway.actions import web_chat
from gateway.actions.web_chat import Caller, State
from gateway.http import form_with_files
from gateway.http.auth import client_address
from gateway.http.chat_schemas import (
    ChatLeaveOut,
    ChatMessageIn,
    ChatMessageOut,
    ChatStartIn,
    ChatStartOut,
    ChatStateOut,
)
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.schemas import MAX_ATTACHMENTS
from gateway.pages.localize import page
from services.shared.i18n import catalogue
from services.shared.store.chat_sessions import ChatSession

router = APIRouter(tags=["web chat"])

# The widget's words in both languages, filled into the script where it says so.
WORDS_MARK = "/*@words*/{}"
# Answers every session route may give besides its own: a customer has no token, only a secret.
SESSION_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No session secret, or one that is unknown, ended or expired"},
    403: {"description": "The page's origin is not one the widget key allows"},
    429: {"description": "Too many requests for this session or address; retry after `Retry-After`"},
}
START_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "The widget key is unknown, revoked or expired"},
    403: {"description": "The page's origin is not one the widget key allows"},
    429: {"description": "Too many chats started from this address; retry after `Retry-After`"},
}
After = Annotated[int, Query(ge=0, le=2**63 - 1, description="The last message id the page has")]


def _caller(request: Request) -> Caller:
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return Caller(client_address(request), request.headers.get("origin"), own)


async def _session(request: Request, deps: DepsDep) -> ChatSession:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Problem(401, "Unauthorized", "send Authorization: Bearer <session secret>")
    return await web_chat.session(deps, _caller(request), secret.strip())


Session = Annotated[ChatSession, Depends(_session)]


def _widget_script() -> str:
    words = {
        language: {k: v for k, v in catalogue.messages(language).items() if k.startswith("widget.")}
        for language in catalogue.LANGUAGES
    }
    source = resources.files("gateway").joinpath("pages/widget.js").read_text(encoding="utf-8")
    # Inside a script only "</" could matter (were it ever inlined); JSON is a JS literal.
    return source.replace(WORDS_MARK, json.dumps(words, ensure_ascii=False).replace("</", "<\\/"))


@router.get(
    "/widget.js",
    summary="The web chat widget: one script tag on the operator's page",
    description='`<script src="https://centre.example/widget.js" data-widget-key="wk_…" async></script>` '
    "opens a chat panel in Arabic (right to left) or English (`data-lang`, else the page's `lang`). "
    "The key comes from `python -m services.admin create-widget-key`.",
    response_class=Response,
    responses={200: {"content": {"text/javascript": {}}, "description": "The script"}},
)
async def widget_script() -> Response:
    # Cached a while by browsers and proxies: every page view of the operator's site loads it.
    return Response(
        _widget_script(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "Cross-Origin-Resource-Policy": "cross-origin"},
    )


@router.get(
    "/contact",
    response_class=HTMLResponse,
    summary="The contact form (`?key=<widget key>`): an inquiry with files, then its reference and wait",
)
async def contact(request: Request) -> HTMLResponse:
    return page(request, "contact.html")


def _wait_fields(state: State) -> dict[str, Any]:
    found = state.wait
    return {
        "ticket_id": state.ticket.id,
        "status": state.ticket.status,
        "position": found.position if found else None,
        "queue_depth": found.queue_depth if found else None,
        "estimated_wait_s": found.wait_s if found else None,
        "open": state.open,
    }


def _state_out(state: State) -> ChatStateOut:
    messages = [
        ChatMessageOut(id=m.id, kind=m.kind, body=m.body, created_at=m.created_at) for m in state.messages
    ]
    return ChatStateOut(**_wait_fields(state), messages=messages)


def _started(started: web_chat.Started) -> Response:
    outcome = started.outcome
    state = State(outcome.ticket, outcome.wait, [], open=True)
    body = ChatStartOut(**_wait_fields(state), session_secret=started.secret, expires_at=started.expires_at)
    # Never cached anywhere: it carries the secret.
    return Response(
        body.model_dump_json(), 201, media_type="application/json", headers={"Cache-Control": "no-store"}
    )


@router.post(
    "/v1/chat/sessions",
    status_code=201,
    response_model=ChatStartOut,
    summary="Start a web chat: the inquiry becomes a ticket, and a session secret reaches it",
    description="Public: the widget key (not a token) says which chat or web integration this is and "
    "which page origins may use it. The inquiry goes through the normal intake (classified, routed). "
    "Limited per client address (`RATE_LIMIT_CHAT_STARTS`).",
    responses=START_ERRORS,
)
async def start_chat(form: ChatStartIn, request: Request, deps: DepsDep) -> Response:
    return _started(await web_chat.start(deps, _caller(request), form, []))


MULTIPART_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["session"],
                "properties": {
                    "session": {"type": "string", "description": "The JSON of POST /v1/chat/sessions"},
                    "attachments": {"type": "array", "items": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
}


@router.post(
    "/v1/chat/sessions/multipart",
    status_code=201,
    response_model=ChatStartOut,
    summary="Start from the contact form, with files (multipart/form-data)",
    description="As `POST /v1/chat/sessions`, the JSON in the form field `session`; each file a part "
    f"named `attachments` (up to {MAX_ATTACHMENTS}, PDF), through the same document path as intake.",
    responses=START_ERRORS,
    openapi_extra={"requestBody": MULTIPART_BODY},
)
async def start_chat_multipart(request: Request, deps: DepsDep) -> Response:
    form, files = await form_with_files.read(request, "session", ChatStartIn)
    # A browser's form sends an empty part for a file input left empty.
    read = form_with_files.attachments([p for p in files if p.data])
    return _started(await web_chat.start(deps, _caller(request), form, read))


@router.get(
    "/v1/chat/session",
    response_model=ChatStateOut,
    summary="The session's ticket: status, place in the queue, estimated wait, the centre's messages",
    description="Polled by the widget every few seconds. Messages are everything the centre sent this "
    "customer on the ticket after `after` (the agent's replies, an automatic answer, the survey "
    "invitation...), never notices about it to staff; shown means delivered.",
    responses=SESSION_ERRORS,
)
async def chat_state(chat: Session, deps: DepsDep, after: After = 0) -> ChatStateOut:
    return _state_out(await web_chat.state(deps, chat, after))


@router.post(
    "/v1/chat/session/messages",
    response_model=ChatStateOut,
    summary="The customer writes again into the session's ticket",
    description="Joins the ticket's thread as the customer's follow-up; 409 once the ticket is closed. "
    "Answers as `GET /v1/chat/session`.",
    responses={**SESSION_ERRORS, 409: {"description": "The ticket is resolved or abandoned"}},
)
async def chat_write(body: ChatMessageIn, chat: Session, deps: DepsDep, after: After = 0) -> ChatStateOut:
    await web_chat.write(deps, chat, body.text)
    return _state_out(await web_chat.state(deps, chat, after))


@router.post(
    "/v1/chat/session/human",
    response_model=ChatStateOut,
    summary="After an automatic answer, the customer asks for a person: the ticket joins its queue",
    description="Only for a ticket answered automatically (`self_served`; 409 otherwise). Answers as "
    "`GET /v1/chat/session`, with the place in the queue.",
    responses={**SESSION_ERRORS, 409: {"description": "The ticket was not answered automatically"}},
)
async def chat_human(chat: Session, deps: DepsDep, after: After = 0) -> ChatStateOut:
    await web_chat.ask_for_person(deps, chat)
    return _state_out(await web_chat.state(deps, chat, after))


@router.post(
    "/v1/chat/session/leave",
    response_model=ChatLeaveOut,
    summary="The customer leaves: an abandon before an agent's answer, else just the end of the session",
    description="The secret works no more afterwards.",
    responses=SESSION_ERRORS,
)
async def chat_leave(chat: Session, deps: DepsDep) -> ChatLeaveOut:
    ticket, abandoned = await web_chat.leave(deps, chat)
    return ChatLeaveOut(ticket_id=ticket.id, status=ticket.status, abandoned=abandoned)
