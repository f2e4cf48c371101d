"""SQL for ticket_metrics and metrics_cursor: the follower's position, per-ticket rows, KPI sums."""

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.types.range import Range

from services.metrics.rollup import TicketFigures
from services.metrics.timeline import Timeline

# The cursor row of the ticket_metrics follower (inserted by migration 0003).
CURSOR = "ticket_metrics"


class UnknownQueue(LookupError):
    """A filter names a queue that does not exist."""


@dataclass(frozen=True, order=True)
class Position:
    """A place in ticket_events' (tx, id) order; tx is the xid8 as decimal text."""

    tx: int
    id: int


START = Position(0, 0)


async def lock_cursor(conn: AsyncConnection[Any], *, wait: bool, name: str = CURSOR) -> Position | None:
    """Locks the cursor row until the transaction ends; None when another process holds it (wait=False)."""
    skip = "" if wait else " SKIP LOCKED"
    cur = await conn.execute(
        f"SELECT last_tx::text, last_id FROM metrics_cursor WHERE name = %s FOR UPDATE{skip}", (name,)
    )
    row = await cur.fetchone()
    return None if row is None else Position(int(row[0]), row[1])


async def move_cursor(
    conn: AsyncConnection[Any], to: Position, *, caught_up_at: datetime | None, name: str = CURSOR
) -> None:
    """Moves the cursor; caught_up_at None leaves the previous catch-up time."""
    await conn.execute(
        """UPDATE metrics_cursor
           SET last_tx = %s::text::xid8, last_id = %s, caught_up_at = coalesce(%s, caught_up_at),
               updated_at = now()
           WHERE name = %s""",
        (str(to.tx), to.id, caught_up_at, name),
    )


async def caught_up_at(conn: AsyncConnection[Any], name: str = CURSOR) -> datetime | None:
    cur = await conn.execute("SELECT caught_up_at FROM metrics_cursor WHERE name = %s", (name,))
    row = await cur.fetchone()
    return None if row is None else row[0]


async def rollup_zone(conn: AsyncConnection[Any], name: str = CURSOR) -> str:
    """The IANA zone the rollups were cut in (recorded with the cursor; UTC before any was chosen)."""
    cur = await conn.execute("SELECT rollup_zone FROM metrics_cursor WHERE name = %s", (name,))
    row = await cur.fetchone()
    return "UTC" if row is None else str(row[0])


async def set_rollup_zone(conn: AsyncConnection[Any], zone: str, name: str = CURSOR) -> None:
    await conn.execute("UPDATE metrics_cursor SET rollup_zone = %s WHERE name = %s", (zone, name))


@dataclass(frozen=True)
class MetricsRow:
    ticket_id: int
    channel: str
    customer_id: int
    created_at: datetime
    timeline: Timeline


UPSERT = """
INSERT INTO ticket_metrics (ticket_id, channel, queue_id, customer_id, created_at, queued_at,
    answered_at, abandoned_at, resolved_at, answered_by, resolved_by, wait_s, handle_s, segments,
    transfers, escalations, reopens, faq_answered, self_served, last_event_id, opened_queue_id,
    survey_score, surveyed_at, quality_at, quality_scores, quality_span, classify_ms, recomputed_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
    %s, %s, %s::tstzrange, %s, now())
ON CONFLICT (ticket_id) DO UPDATE SET
    channel = EXCLUDED.channel, queue_id = EXCLUDED.queue_id, customer_id = EXCLUDED.customer_id,
    created_at = EXCLUDED.created_at, queued_at = EXCLUDED.queued_at,
    answered_at = EXCLUDED.answered_at, abandoned_at = EXCLUDED.abandoned_at,
    resolved_at = EXCLUDED.resolved_at, answered_by = EXCLUDED.answered_by,
    resolved_by = EXCLUDED.resolved_by, wait_s = EXCLUDED.wait_s, handle_s = EXCLUDED.handle_s,
    segments = EXCLUDED.segments, transfers = EXCLUDED.transfers,
    escalations = EXCLUDED.escalations, reopens = EXCLUDED.reopens,
    faq_answered = EXCLUDED.faq_answered, self_served = EXCLUDED.self_served,
    last_event_id = EXCLUDED.last_event_id, opened_queue_id = EXCLUDED.opened_queue_id,
    survey_score = EXCLUDED.survey_score, surveyed_at = EXCLUDED.surveyed_at,
    quality_at = EXCLUDED.quality_at, quality_scores = EXCLUDED.quality_scores,
    quality_span = EXCLUDED.quality_span, classify_ms = EXCLUDED.classify_ms,
    recomputed_at = EXCLUDED.recomputed_at
"""


def _params(row: MetricsRow) -> tuple[Any, ...]:
    t = row.timeline
    quality_at = [at for at, _ in t.quality]
    span = Range(quality_at[0], quality_at[-1], "[]") if quality_at else None
    return (
        row.ticket_id, row.channel, t.queue_id, row.customer_id, row.created_at, t.queued_at,
        t.answered_at, t.abandoned_at, t.resolved_at, t.answered_by, t.resolved_by, t.wait_s,
        t.handle_s, t.segments, t.transfers, t.escalations, t.reopens, t.faq_answered,
        t.self_served, t.last_event_id, t.opened_queue_id, t.survey_score, t.surveyed_at,
        quality_at, [score for _, score in t.quality], span, t.classify_ms,
    )  # fmt: skip


async def upsert(conn: AsyncConnection[Any], rows: Sequence[MetricsRow]) -> None:
    """Writes the rows' timelines; leaves `fcr` as it was (set_fcr sets it once all rows are in)."""
    if rows:
        async with conn.cursor() as cur:
            await cur.executemany(UPSERT, [_params(r) for r in rows])


# What the sums read of a ticket_metrics row (rollup.TicketFigures), as SQL and back.
FIGURES = """
m.ticket_id, m.channel, m.queue_id, m.created_at, m.queued_at, m.answered_at, m.abandoned_at,
m.resolved_at, m.answered_by, m.resolved_by, m.wait_s, m.handle_s, m.faq_answered, m.self_served,
m.escalations, m.segments, m.transfers, m.reopens, m.fcr, m.opened_queue_id, m.survey_score,
m.surveyed_at, m.quality_at, m.quality_scores, m.classify_ms
"""


def _figures(row: Sequence[Any]) -> TicketFigures:
    wait_s, handle_s = row[10], row[11]
    quality_at, quality_scores, classify_ms = row[22:]
    values = [
        *row[:10],
        None if wait_s is None else round(wait_s * 1_000_000),
        None if handle_s is None else round(handle_s * 1_000_000),
        *row[12:22],
        tuple(zip(quality_at, quality_scores, strict=True)),
        classify_ms,
    ]
    return TicketFigures(*values)


async def figures_of(conn: AsyncConnection[Any], ticket_ids: Sequence[int]) -> dict[int, TicketFigures]:
    cur = await conn.execute(
        f"SELECT {FIGURES} FROM ticket_metrics m WHERE m.ticket_id = ANY(%s)", (list(ticket_ids),)
    )
    return {row[0]: _figures(row) for row in await cur.fetchall()}


async def earlier_resolved(
    conn: AsyncConnection[Any], customer_ids: Sequence[int], since: datetime, exclude: Sequence[int]
) -> list[int]:
    """Tickets of these customers resolved at or after `since`, but for `exclude`."""
    cur = await conn.execute(
        """SELECT ticket_id FROM ticket_metrics
           WHERE customer_id = ANY(%s) AND resolved_at >= %s AND NOT ticket_id = ANY(%s)""",
        (list(customer_ids), since, list(exclude)),
    )
    return [row[0] for row in await cur.fetchall()]


async def with_later_contact(
    conn: AsyncConnection[Any], ticket_ids: Sequence[int], window: timedelta
) -> set[int]:
    """Those resolved tickets whose customer opened a ticket in their queue within `window` after."""
    cur = await conn.execute(
        """SELECT t.ticket_id FROM ticket_metrics t
           WHERE t.ticket_id = ANY(%s) AND t.resolved_at IS NOT NULL AND EXISTS (
               SELECT 1 FROM ticket_metrics u
               WHERE u.customer_id = t.customer_id AND u.opened_queue_id = t.queue_id
                 AND u.created_at > t.resolved_at AND u.created_at <= t.resolved_at + %s
                 AND u.ticket_id <> t.ticket_id)""",
        (list(ticket_ids), window),
    )
    return {row[0] for row in await cur.fetchall()}


async def set_fcr(conn: AsyncConnection[Any], flags: Mapping[int, bool | None]) -> None:
    if flags:
        await conn.execute(
            """UPDATE ticket_metrics m SET fcr = f.fcr
               FROM unnest(%s::bigint[], %s::boolean[]) AS f (ticket_id, fcr)
               WHERE m.ticket_id = f.ticket_id AND m.fcr IS DISTINCT FROM f.fcr""",
            (list(flags), list(flags.values())),
        )


async def row_count(conn: AsyncConnection[Any]) -> int:
    cur = await conn.execute("SELECT count(*) FROM ticket_metrics")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def delete_all(conn: AsyncConnection[Any]) -> None:
    # DELETE, not TRUNCATE: readers keep seeing the old rows until a rebuild commits.
    await conn.execute("DELETE FROM ticket_metrics")


Group = tuple[str, int, int]


def filters(queue_id: int | None, agent_id: int | None, *, agent_column: str) -> sql.Composable:
    # Optional filters are added to the text rather than written as "(%s IS NULL OR ...)", so the
    # planner sees plain conditions it can match to indexes.
    parts = []
    if queue_id is not None:
        parts.append(sql.SQL("AND coalesce(m.queue_id, 0) = {}").format(sql.Literal(queue_id)))
    if agent_id is not None:
        parts.append(sql.SQL("AND {} = {}").format(sql.SQL(agent_column), sql.Literal(agent_id)))
    return sql.SQL(" ").join(parts)


async def dated_within(
    conn: AsyncConnection[Any], start: datetime, end: datetime, channels: Sequence[str]
) -> list[TicketFigures]:
    """Rows with any figure's moment in [start, end): for a period's partial first and last days."""
    cur = await conn.execute(
        f"""SELECT {FIGURES} FROM ticket_metrics m WHERE m.channel = ANY(%(channels)s) AND m.ticket_id IN (
                SELECT ticket_id FROM ticket_metrics WHERE queued_at >= %(a)s AND queued_at < %(b)s
                UNION SELECT ticket_id FROM ticket_metrics WHERE resolved_at >= %(a)s AND resolved_at < %(b)s
                UNION SELECT ticket_id FROM ticket_metrics WHERE created_at >= %(a)s AND created_at < %(b)s
                UNION SELECT ticket_id FROM ticket_metrics WHERE surveyed_at >= %(a)s AND surveyed_at < %(b)s
                UNION SELECT ticket_id FROM ticket_metrics
                      WHERE quality_span && tstzrange(%(a)s, %(b)s, '[)'))""",
        {"a": start, "b": end, "channels": list(channels)},
    )
    return [_figures(row) for row in await cur.fetchall()]


async def short_abandons(
    conn: AsyncConnection[Any],
    start: datetime,
    end: datetime,
    short_abandon_s: float,
    channels: Sequence[str],
) -> list[TicketFigures]:
    """Tickets abandoned within `short_abandon_s`, queued or created in [start, end)."""
    cur = await conn.execute(
        f"""SELECT {FIGURES} FROM ticket_metrics m
            WHERE m.abandoned_at IS NOT NULL AND round(m.wait_s * 1e6) < %(limit_us)s
              AND m.channel = ANY(%(channels)s)
              AND (m.queued_at >= %(a)s AND m.queued_at < %(b)s
                   OR m.created_at >= %(a)s AND m.created_at < %(b)s)""",
        {"a": start, "b": end, "limit_us": short_abandon_s * 1e6, "channels": list(channels)},
    )
    return [_figures(row) for row in await cur.fetchall()]


async def answered_in_time(
    conn: AsyncConnection[Any],
    start: datetime,
    end: datetime,
    thresholds: Mapping[str, float],
    *,
    queue_id: int | None = None,
    agent_id: int | None = None,
) -> dict[Group, int]:
    """Answered tickets queued in [start, end) with wait <= T of their channel, per group: the
    exact scan for a threshold the rollups do not count (they count each channel's default)."""
    query = sql.SQL(
        """WITH th (channel, threshold_s) AS (
               SELECT * FROM unnest(%s::text[], %s::float8[]))
           SELECT m.channel, coalesce(m.queue_id, 0), coalesce(m.answered_by, 0),
                  count(*) FILTER (WHERE round(m.wait_s * 1e6) <= th.threshold_s * 1e6)
           FROM ticket_metrics m JOIN th ON th.channel = m.channel
           WHERE m.queued_at >= %s AND m.queued_at < %s AND m.answered_at IS NOT NULL {filters}
           GROUP BY 1, 2, 3"""
    ).format(filters=filters(queue_id, agent_id, agent_column="coalesce(m.answered_by, 0)"))
    cur = await conn.execute(query, (list(thresholds), list(thresholds.values()), start, end))
    return {(c, q, a): int(n) for c, q, a, n in await cur.fetchall()}


# One row per ticket for the data lake: the timeline, where and by whom, times, survey, quality.
EXPORT_COLUMNS = (
    "ticket_id", "channel", "queue", "opened_queue", "customer_id", "created_at", "queued_at",
    "answered_at", "abandoned_at", "resolved_at", "answered_by", "resolved_by", "wait_s", "handle_s",
    "segments", "transfers", "escalations", "reopens", "faq_answered", "self_served", "fcr",
    "survey_score", "surveyed_at", "quality_evaluations", "quality_mean", "classify_ms",
    # The classifier's intent and confidence as recorded on the ticket ("" and empty when it had none).
    "intent", "confidence",
)  # fmt: skip
EXPORT = """
SELECT m.ticket_id, m.channel, q.name, oq.name, m.customer_id, m.created_at, m.queued_at,
       m.answered_at, m.abandoned_at, m.resolved_at, m.answered_by, m.resolved_by, m.wait_s,
       m.handle_s, m.segments, m.transfers, m.escalations, m.reopens, m.faq_answered, m.self_served,
       m.fcr, m.survey_score, m.surveyed_at, cardinality(m.quality_scores),
       (SELECT avg(s) FROM unnest(m.quality_scores) AS s), m.classify_ms, t.intent,
       CASE WHEN jsonb_typeof(t.classification -> 'confidence') = 'number'
            THEN (t.classification ->> 'confidence')::float8 END
FROM ticket_metrics m
JOIN tickets t ON t.id = m.ticket_id
LEFT JOIN queues q ON q.id = m.queue_id
LEFT JOIN queues oq ON oq.id = m.opened_queue_id
WHERE m.created_at >= %s AND m.created_at < %s
ORDER BY m.created_at, m.ticket_id
"""


async def export_rows(
    conn: AsyncConnection[Any], start: datetime, end: datetime, batch: int
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """Rows of tickets created in [start, end), `batch` at a time, from a server-side cursor (the
    caller holds a transaction open on `conn`), so a year's export never sits in memory whole."""
    async with conn.cursor(name="ticket_export") as cur:
        await cur.execute(EXPORT, (start, end))
        while rows := await cur.fetchmany(batch):
            yield rows
