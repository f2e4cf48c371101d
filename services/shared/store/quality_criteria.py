"""SQL for quality_criteria (scorecards: weighted criteria per queue or channel) and the per-criterion
scores of an evaluation (quality_evaluation_scores)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row


@dataclass(frozen=True)
class Criterion:
    id: int
    # The card it belongs to: a queue's, a channel's, or the default (both None).
    queue: str | None
    channel: str | None
    key: str
    name_ar: str
    name_en: str
    weight: Decimal
    position: int


CRITERIA = """
SELECT c.id, q.name AS queue, c.channel, c.key, c.name_ar, c.name_en, c.weight, c.position
FROM quality_criteria c LEFT JOIN queues q ON q.id = c.queue_id
WHERE c.active
ORDER BY q.name NULLS FIRST, c.channel NULLS FIRST, c.position, c.id
"""


async def active(conn: AsyncConnection[Any]) -> list[Criterion]:
    """Every active criterion, card by card (the default card first)."""
    async with conn.cursor(row_factory=class_row(Criterion)) as cur:
        await cur.execute(CRITERIA)
        return await cur.fetchall()


def card_for(criteria: list[Criterion], queue: str, channel: str) -> list[Criterion]:
    """The card that applies to a ticket: its queue's, else its channel's, else the default (pure)."""
    for fits in (
        lambda c: c.queue == queue,
        lambda c: c.queue is None and c.channel == channel,
        lambda c: c.queue is None and c.channel is None,
    ):
        card = [c for c in criteria if fits(c)]
        if card:
            return card
    return []


def weighted_total(card: list[Criterion], scores: dict[str, Decimal]) -> Decimal:
    """The evaluation's score: the criteria's scores weighted, over the sum of weights, to two
    decimals (pure). `scores` must name every criterion of the card and nothing else."""
    keys = {c.key for c in card}
    if not card:
        raise ValueError("no scorecard applies to this ticket")
    if set(scores) != keys:
        missing, unknown = sorted(keys - set(scores)), sorted(set(scores) - keys)
        raise ValueError(f"score every criterion of the card: missing {missing}, unknown {unknown}")
    weights = sum(c.weight for c in card)
    total = sum(c.weight * scores[c.key] for c in card) / weights
    return Decimal(total).quantize(Decimal("0.01"))


async def record_scores(
    conn: AsyncConnection[Any], evaluation_id: int, card: list[Criterion], scores: dict[str, Decimal]
) -> None:
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO quality_evaluation_scores (evaluation_id, criterion_id, score) VALUES (%s, %s, %s)",
            [(evaluation_id, c.id, scores[c.key]) for c in card],
        )


@dataclass(frozen=True)
class Sampled:
    ticket_id: int
    queue: str
    channel: str
    subject: str
    excerpt: str
    resolved_by: int | None
    resolved_at: Any


# Resolved tickets an agent answered and nobody evaluated yet, in a random order fixed by the seed
# (md5 of id and seed), so the same seed draws the same sample while the tickets stay unevaluated.
SAMPLE = """
SELECT t.id AS ticket_id, q.name AS queue, t.channel, t.subject, left(t.body, 280) AS excerpt,
       t.assigned_agent_id AS resolved_by, t.resolved_at
FROM tickets t JOIN queues q ON q.id = t.queue_id
WHERE t.status = 'resolved' AND t.answered_at IS NOT NULL
  AND (%(queue)s::text IS NULL OR q.name = %(queue)s)
  AND NOT EXISTS (SELECT 1 FROM quality_evaluations e WHERE e.ticket_id = t.id)
ORDER BY md5(t.id::text || ':' || %(seed)s), t.id
LIMIT %(n)s
"""


async def sample(conn: AsyncConnection[Any], queue: str | None, n: int, seed: str) -> list[Sampled]:
    async with conn.cursor(row_factory=class_row(Sampled)) as cur:
        await cur.execute(SAMPLE, {"queue": queue, "n": n, "seed": seed})
        return await cur.fetchall()
