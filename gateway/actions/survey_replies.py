"""A customer's survey reply: on the server's clock, or, for a replayed or imported past, dated by a
back-fill token (the only caller whose `occurred_at` a reply takes)."""

from datetime import UTC, datetime

from fastapi import Request

from gateway.actions import occurred_at
from gateway.http.auth import authenticate
from gateway.http.deps import Deps
from gateway.http.problems import Problem
from gateway.http.schemas import SurveyReplyIn
from services.shared.store import surveys
from services.shared.store.surveys import ReplyOutcome

REFUSALS = {
    ReplyOutcome.NOT_FOUND: (404, "Not found", "no survey has this token"),
    ReplyOutcome.EXPIRED: (410, "Survey expired", "this survey can no longer be answered"),
    ReplyOutcome.ALREADY_ANSWERED: (409, "Already answered", "this survey was answered already"),
}


async def reply_time(deps: Deps, request: Request, reported: datetime | None) -> tuple[datetime, bool]:
    """When the reply happened, and whether a back-fill token said so (422 when it may not).

    The bearer token is read only when the reply is dated: a customer's page sends none, and a
    customer's reply always lives on the server's clock. Any other caller (no token, or a token
    without back-fill) is refused as occurred_at.resolve refuses a role that may not date events.
    """
    now = datetime.now(UTC)
    if reported is None:
        return now, False
    backfill = False
    if request.headers.get("authorization"):
        backfill = (await authenticate(request)).backfill
    window = occurred_at.Window(past_s=0, future_s=deps.settings.max_clock_skew_s)
    try:
        return occurred_at.resolve(reported, now, window, role="customer", backfill=backfill), backfill
    except occurred_at.InvalidTime as exc:
        raise Problem(422, "Invalid time", str(exc)) from None


async def answer(deps: Deps, request: Request, token: str, reply: SurveyReplyIn) -> int:
    """Records the reply once; the ticket's id, or a problem that changed nothing."""
    at, backfill = await reply_time(deps, request, reply.occurred_at)
    async with deps.pool.connection() as conn:
        result = await surveys.record_reply(
            conn, token, reply.score, reply.resolved, reply.comment or None, at, backfill
        )
    if result.outcome is ReplyOutcome.BEFORE_SENT:
        assert result.sent_at is not None
        raise Problem(
            422,
            "Invalid time",
            f"occurred_at {at.isoformat()} is not after the survey was sent ({result.sent_at.isoformat()})",
        )
    if result.outcome in REFUSALS:
        status, title, detail = REFUSALS[result.outcome]
        raise Problem(status, title, detail)
    assert result.ticket_id is not None
    return result.ticket_id
