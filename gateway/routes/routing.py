"""Routing as supervisors see it: the dry run of a ticket's eligibility and every queue and agent now."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path

from gateway.http.agent_schemas import AgentOut
from gateway.http.auth import Supervisor
from gateway.http.deps import DepsDep
from gateway.http.problems import Problem
from services.shared.routing.eligibility import rule_for, verdict
from services.shared.routing.ranking import agent_order
from services.shared.store import agents, queues, ticket_offers, tickets

router = APIRouter(tags=["routing"])

TicketId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get(
    "/v1/routing/tickets/{ticket_id}/dry-run",
    summary="Which agents may be offered this ticket now, and why (nothing changes)",
    description="The rule in force after the ticket's wait (its queue's policy with the steps reached), "
    "then every active agent: eligible or not, with the reasons, best first.",
)
async def dry_run(ticket_id: TicketId, credential: Supervisor, deps: DepsDep) -> dict[str, Any]:
    async with deps.pool.connection() as conn:
        view = await tickets.waiting_one(conn, ticket_id)
        if view is None:
            raise Problem(404, "Not found", f"no ticket {ticket_id}")
        ticket = await tickets.get(conn, ticket_id)
        everyone = await agents.routing_views(conn)
    assert ticket is not None
    now = datetime.now(UTC)
    policy = deps.settings.routing.for_queue(view.queue)
    rule = rule_for(view, policy, now)
    ranked = sorted(everyone, key=lambda a: agent_order(a, rule))
    verdicts = [verdict(view, a, rule, now) for a in ranked]
    return {
        "ticket_id": ticket_id,
        "status": ticket.status,
        "waited_s": round((now - view.queued_at).total_seconds(), 1),
        "rule": {
            "queues": list(rule.queues),
            "skills": dict(rule.skills),
            "languages": rule.languages,
            "step": rule.step,
        },
        "agents": [
            {"agent_id": a.id, "name": a.name, "eligible": v.eligible, "reasons": list(v.reasons)}
            for a, v in zip(ranked, verdicts, strict=True)
        ],
        "note": None
        if ticket.status == "queued"
        else f"the ticket is {ticket.status}: nothing would be offered",
    }


@router.get(
    "/v1/supervisor/overview",
    summary="Every queue and agent now: waiting, oldest wait, offers pending; presence and load",
)
async def overview(credential: Supervisor, deps: DepsDep) -> dict[str, Any]:
    async with deps.pool.connection() as conn:
        now_queues = await tickets.queues_now(conn)
        offered = await ticket_offers.pending_counts(conn)
        everyone = await agents.routing_views(conn)
        names = await queues.display_names(conn)
    now = datetime.now(UTC)
    return {
        "at": now,
        # Display names (Arabic, English) of every queue by id, for the agents' queue lists.
        "queue_names": names,
        "queues": [
            {
                "queue": q.queue,
                "names": names.get(q.queue, {"ar": q.queue, "en": q.queue}),
                "waiting": q.waiting,
                "offered": offered.get(q.queue_id, 0),
                "held": q.held,
                "oldest_wait_s": None
                if q.oldest_queued_at is None
                else round((now - q.oldest_queued_at).total_seconds(), 1),
            }
            for q in now_queues
        ],
        "agents": [AgentOut.model_validate(a).model_dump(mode="json") for a in everyone],
        "agents_by_presence": {
            p: sum(1 for a in everyone if a.presence == p) for p in ("available", "away", "offline")
        },
    }
