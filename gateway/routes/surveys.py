"""POST /v1/surveys/{token}: the customer's 1-5 score, recorded once (the token is the credential;
a back-fill token may date a replayed one); and the follow-ups a low score opens, for supervisors."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response
from pydantic import Field

from gateway.actions import survey_replies
from gateway.http import paging
from gateway.http.auth import Supervisor
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.schemas import FromRecord, Strict, SurveyReplyIn
from services.shared.store import survey_follow_ups

router = APIRouter(tags=["surveys"])


@router.post(
    "/v1/surveys/{token}",
    summary="Answer a satisfaction survey (once)",
    description="The survey's token is the credential: no bearer token is needed. A replayed or "
    "imported reply may carry `occurred_at` with a back-fill bearer token (any role made with "
    "`create-token --backfill`); the reply and its events are then dated so and marked "
    '`"backfill": true`. Without one, `occurred_at` is refused (422): customers answer on the '
    "server's clock.",
    # Public, or a bearer token when the reply is dated.
    openapi_extra={"security": [{}, {"bearer": []}]},
    responses={
        401: {"description": "occurred_at with a token that is unknown, expired or revoked"},
        409: {"description": "The survey was answered already"},
        410: {"description": "The survey has expired"},
        422: {"description": "The body does not match the schema, or occurred_at is not allowed"},
    },
)
async def answer_survey(
    token: Annotated[str, Path(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")],
    reply: SurveyReplyIn,
    deps: DepsDep,
    request: Request,
) -> dict[str, object]:
    ticket_id = await survey_replies.answer(deps, request, token, reply)
    return {"status": "recorded", "ticket_id": ticket_id, "score": reply.score}


# A survey_follow_ups.FollowUp, read by name.
class FollowUpOut(FromRecord):
    id: int
    ticket_id: int
    queue: str
    score: int
    comment: str | None
    opened_at: datetime
    closed_at: datetime | None
    note: str


class CloseFollowUpIn(Strict):
    note: str = Field("", max_length=5000)


@router.get(
    "/v1/follow-ups",
    response_model=list[FollowUpOut],
    summary="Open follow-ups of low survey scores (1-2), oldest first, a page at a time",
    responses={200: {"headers": paging.LINK_HEADER}},
)
async def open_follow_ups(
    _: Supervisor,
    deps: DepsDep,
    request: Request,
    response: Response,
    # A queue's name as queues.name allows it: anything else (a NUL among it) is a 422, never a query.
    queue: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_]{0,62}$")] = None,
    limit: paging.Limit = paging.DEFAULT_LIMIT,
    cursor: paging.Cursor = None,
) -> list[FollowUpOut]:
    keys = paging.decode(cursor, (int,))
    async with deps.pool.connection() as conn:
        found = await survey_follow_ups.list_open(conn, queue, limit + 1, keys[0] if keys else 0)
    if len(found) > limit:
        paging.link_next(response, request.url, paging.encode(found[limit - 1].id))
    return [FollowUpOut.model_validate(f) for f in found[:limit]]


@router.post(
    "/v1/follow-ups/{follow_up_id}/close", response_model=FollowUpOut, summary="Close a follow-up (once)"
)
async def close_follow_up(
    follow_up_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    _: Supervisor,
    deps: DepsDep,
    body: Annotated[CloseFollowUpIn | None, Body()] = None,
) -> FollowUpOut:
    async with deps.pool.connection() as conn:
        closed = await survey_follow_ups.close(
            conn, follow_up_id, (body or CloseFollowUpIn()).note, datetime.now(UTC)
        )
    if closed is None:
        raise Problem(404, "Not found", f"no follow-up {follow_up_id}")
    return FollowUpOut.model_validate(closed)
