"""POST /v1/surveys/{token}: the customer's 1-5 score, recorded once. The token is the credential."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path

from gateway.deps import DepsDep
from gateway.problems import Problem
from gateway.schemas import SurveyReplyIn
from services.shared.store import surveys
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
