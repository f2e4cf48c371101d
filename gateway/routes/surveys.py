"""POST /v1/surveys/{token}: the customer's 1-5 score, recorded once (the token is the credential);
and the follow-ups a low score opens, for supervisors."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response
from pydantic import Field

from gateway.http import paging
from gateway.http.auth import Supervisor
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.schemas import FromRecord, Strict, SurveyReplyIn
from services.shared.store import survey_follow_ups, surveys
from services.shared.store.surveys import ReplyOutcome

router = APIRouter(tags=["surveys"])

REFUSALS = {
    ReplyOutcome.NOT_FOUND: (404, "Not found", "no survey has this token"),
    ReplyOutcome.EXPIRED: (410, "Survey expired", "this survey can no longer be answered"),
    ReplyOutcome.ALREADY_ANSWERED: (409, "Already answered", "this survey was answered already"),
}


@router.post("/v1/surveys/{token}", summary="Answer a satisfaction survey (once)")
async def answer_survey(
    token: Annotated[str, Path(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")],
    reply: SurveyReplyIn,
    deps: DepsDep,
) -> dict[str, object]:
    async with deps.pool.connection() as conn:
        result = await surveys.record_reply(
            conn, token, reply.score, reply.resolved, reply.comment or None, datetime.now(UTC)
        )
    if result.outcome in REFUSALS:
        status, title, detail = REFUSALS[result.outcome]
        raise Problem(status, title, detail)
    return {"status": "recorded", "ticket_id": result.ticket_id, "score": reply.score}


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
