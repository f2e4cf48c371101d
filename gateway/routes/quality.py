"""Quality: evaluations of handled tickets (one score, or a scorecard's per criterion), the scorecards,
a sample of tickets to evaluate, and the /quality page."""

import json
from datetime import datetime
from decimal import Decimal
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, StringConstraints

from gateway.actions import ticket_work
from gateway.http.auth import Supervisor
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from gateway.http.schemas import EventTime
from gateway.routes.metrics import QUEUE_NAME
from services.shared.i18n import catalogue
from services.shared.store import quality_criteria, quality_evaluations, queues, tickets

router = APIRouter(tags=["tickets"])


class QualityIn(EventTime):
    # Two decimals, as the evaluations table keeps them (88.4 of 100 reads as 0.884 in the KPIs).
    score: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2, strict=False)
    comment: str = Field("", max_length=5000)


@router.post(
    "/v1/tickets/{ticket_id}/quality",
    status_code=201,
    summary="Score the handling of a ticket 0-100 (supervisors); the quality KPI is their mean",
    description="The ticket must have been answered by an agent (409 otherwise). Each POST is one "
    "evaluation.",
)
async def evaluate(
    ticket_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: QualityIn,
    credential: Supervisor,
    deps: DepsDep,
) -> dict[str, Any]:
    at = ticket_work.event_time(deps, body.occurred_at, credential)
    try:
        async with deps.pool.connection() as conn:
            found = await quality_evaluations.record(
                conn, ticket_id, credential.id, body.score, body.comment, at
            )
    except quality_evaluations.NotHandled as exc:
        raise Problem(409, "Not handled", str(exc)) from None
    if found is None:
        raise Problem(404, "Not found", f"no ticket {ticket_id}")
    return {
        "id": found.id,
        "ticket_id": found.ticket_id,
        "score": float(found.score),
        "comment": found.comment,
        "evaluated_at": found.evaluated_at.isoformat(),
    }


class EvaluationIn(EventTime):
    # Per criterion of the ticket's scorecard (GET /v1/quality/scorecards), by key: 0-100, two decimals.
    scores: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")],
        Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2, strict=False)],
    ] = Field(min_length=1, max_length=50)
    comment: str = Field("", max_length=5000)


class CriterionOut(BaseModel):
    key: str
    name: dict[str, str]
    weight: float


class ScorecardOut(BaseModel):
    # The card of a queue, of a channel, or the default (both null): a ticket gets its queue's, else
    # its channel's, else the default.
    queue: str | None
    channel: str | None
    criteria: list[CriterionOut]


class SampledOut(BaseModel):
    ticket_id: int
    queue: str
    channel: str
    subject: str
    excerpt: str
    resolved_by: int | None
    resolved_at: datetime | None


class EvaluationOut(BaseModel):
    id: int
    ticket_id: int
    # The weighted total (0-100) that the quality KPI averages.
    score: float
    scores: dict[str, float]
    comment: str
    evaluated_at: datetime


@router.get(
    "/v1/quality/scorecards",
    response_model=list[ScorecardOut],
    summary="The quality scorecards: weighted criteria per queue or channel, names in Arabic and English",
)
async def scorecards(credential: Supervisor, deps: DepsDep) -> list[ScorecardOut]:
    async with deps.pool.connection() as conn:
        found = await quality_criteria.active(conn)
    cards: dict[tuple[str | None, str | None], list[CriterionOut]] = {}
    for c in found:
        cards.setdefault((c.queue, c.channel), []).append(
            CriterionOut(key=c.key, name={"ar": c.name_ar, "en": c.name_en}, weight=float(c.weight))
        )
    return [ScorecardOut(queue=q, channel=ch, criteria=items) for (q, ch), items in cards.items()]


@router.get(
    "/v1/quality/sample",
    response_model=list[SampledOut],
    summary="A random sample of resolved tickets not yet evaluated (the same seed draws the same sample)",
)
async def quality_sample(
    credential: Supervisor,
    deps: DepsDep,
    queue: Annotated[str | None, Query(max_length=63, pattern=QUEUE_NAME)] = None,
    n: Annotated[int, Query(ge=1, le=100)] = 10,
    seed: Annotated[str, Query(max_length=64)] = "",
) -> list[SampledOut]:
    async with deps.pool.connection() as conn:
        if queue is not None and await queues.id_by_name(conn, queue) is None:
            raise Problem(422, "Unknown queue", f"there is no queue {queue!r}")
        found = await quality_criteria.sample(conn, queue, n, seed)
    return [SampledOut(**vars(s)) for s in found]


@router.post(
    "/v1/tickets/{ticket_id}/evaluations",
    status_code=201,
    response_model=EvaluationOut,
    summary="Evaluate a handled ticket with its scorecard (supervisors): a score per criterion",
    description="The ticket's card is its queue's, else its channel's, else the default; every criterion "
    "must be scored (422 otherwise). The weighted total is the evaluation's score, which the quality KPI "
    "averages. 409 when no agent answered the ticket.",
)
async def evaluate_with_card(
    ticket_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: EvaluationIn,
    credential: Supervisor,
    deps: DepsDep,
) -> EvaluationOut:
    at = ticket_work.event_time(deps, body.occurred_at, credential)
    try:
        async with deps.pool.connection() as conn, conn.transaction():
            ticket = await tickets.get(conn, ticket_id)
            if ticket is None:
                raise Problem(404, "Not found", f"no ticket {ticket_id}")
            card = quality_criteria.card_for(
                await quality_criteria.active(conn), ticket.queue, ticket.channel
            )
            try:
                total = quality_criteria.weighted_total(card, body.scores)
            except ValueError as exc:
                raise Problem(422, "Invalid scores", str(exc)) from None
            found = await quality_evaluations.record(conn, ticket_id, credential.id, total, body.comment, at)
            assert found is not None
            await quality_criteria.record_scores(conn, found.id, card, body.scores)
    except quality_evaluations.NotHandled as exc:
        raise Problem(409, "Not handled", str(exc)) from None
    return EvaluationOut(
        id=found.id,
        ticket_id=ticket_id,
        score=float(found.score),
        scores={k: float(v) for k, v in body.scores.items()},
        comment=found.comment,
        evaluated_at=found.evaluated_at,
    )


# The page's words in the message catalogues (services/shared/i18n).
PAGE_WORDS = (
    "quality.title",
    "quality.token",
    "quality.sign_in",
    "quality.sample",
    "quality.none",
    "quality.evaluation",
    "quality.pick",
    "quality.comment",
    "quality.total",
    "quality.submit",
    "quality.ticket",
    "quality.weight",
    "quality.saved",
    "quality.failed",
)


@router.get(
    "/quality",
    response_class=HTMLResponse,
    summary="The quality evaluation page (asks for a supervisor token)",
)
async def quality_page() -> HTMLResponse:
    page = resources.files("gateway").joinpath("pages/quality.html").read_text(encoding="utf-8")
    # The page switches language in place, so it gets both languages' words, by its own short names.
    words = {
        language: {key.removeprefix("quality."): catalogue.messages(language)[key] for key in PAGE_WORDS}
        for language in catalogue.LANGUAGES
    }
    # Inside <script> only "</" could end the block early.
    data = json.dumps(words, ensure_ascii=False).replace("</", "<\\/")
    return HTMLResponse(page.replace("/*@quality-words*/null", data), headers={"Cache-Control": "no-cache"})
