"""SQL for quality_evaluations: a supervisor's 0-100 score of a handled ticket, with its event."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row

from services.shared.store import ticket_events


class NotHandled(Exception):
    """The ticket was never answered by an agent: there is no handling to evaluate."""


@dataclass(frozen=True)
class Evaluation:
    id: int
    ticket_id: int
    score: Decimal
    comment: str
    evaluated_at: datetime


RECORD = """INSERT INTO quality_evaluations (ticket_id, evaluator_id, score, comment, evaluated_at)
VALUES (%s, %s, %s, %s, %s) RETURNING id, ticket_id, score, comment, evaluated_at"""


async def record(
    conn: AsyncConnection[Any], ticket_id: int, evaluator_id: int, score: Decimal, comment: str, at: datetime
) -> Evaluation | None:
    """Stores the evaluation and its `quality_evaluated` event in one transaction; None when there is
    no such ticket, NotHandled when no agent ever answered it. An evaluation is no handling step, so
    tickets.last_event_at stays as it was."""
    async with conn.transaction():
        cur = await conn.execute(
            "SELECT answered_at IS NOT NULL, queue_id FROM tickets WHERE id = %s FOR SHARE", (ticket_id,)
        )
        found = await cur.fetchone()
        if found is None:
            return None
        handled, queue_id = found
        if not handled:
            raise NotHandled(f"ticket {ticket_id} was never answered by an agent")
        async with conn.cursor(row_factory=class_row(Evaluation)) as made:
            await made.execute(RECORD, (ticket_id, evaluator_id, score, comment, at))
            evaluation = await made.fetchone()
        assert evaluation is not None
        await ticket_events.append(
            conn,
            ticket_events.NewEvent(
                ticket_id,
                "quality_evaluated",
                at,
                queue_id=queue_id,
                # The score as text keeps its two decimals exactly; the metrics service reads it.
                data={"score": str(evaluation.score), "evaluation_id": evaluation.id},
            ),
        )
    return evaluation
