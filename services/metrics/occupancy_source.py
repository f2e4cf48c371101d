"""Occupancy of a period read from PostgreSQL: presence intervals, handling events, who serves what."""

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from psycopg import AsyncConnection

from services.metrics import event_source
from services.metrics.occupancy import AgentShare, Handling, Occupancy, agent_shares, assemble, handling_spans
from services.shared.store import agent_presence_intervals, agents

# Handling events are looked for this far before the period, so a segment that began before it
# and ends inside or after it is found. Only a segment longer than this that neither starts nor
# ends in the period (nor is open now) is missed; a longer lookback reads more events per report.
LOOKBACK = timedelta(days=1)


def _back(start: datetime) -> datetime:
    """LOOKBACK before `start`, or the earliest moment when that is before year 1."""
    try:
        return start - LOOKBACK
    except OverflowError:
        return datetime.min.replace(tzinfo=start.tzinfo)


async def shares(
    conn: AsyncConnection[Any], start: datetime, end: datetime, now: datetime
) -> dict[int, AgentShare]:
    """Each agent's share of [start, end), open intervals running until `now` (never beyond `end`)."""
    until = min(end, now)
    available: dict[int, list[tuple[datetime, datetime]]] = {}
    for i in await agent_presence_intervals.overlapping(conn, start, until):
        if i.presence == "available":
            available.setdefault(i.agent_id, []).append((i.started_at, i.ended_at or until))
    handling = []
    for queue, channel, events in (await event_source.handling_events(conn, _back(start), until)).values():
        for agent_id, (a, b) in handling_spans(events, until):
            handling.append(Handling(agent_id, queue, channel, a, b))
    return agent_shares(available, handling, (start, until))


async def named(conn: AsyncConnection[Any], parts: list[dict[int, AgentShare]]) -> Occupancy:
    """Occupancy from the shares of disjoint windows, by who serves what now, with agents' names."""
    views = await agents.routing_views(conn)
    queues_of = {a.id: a.queues for a in views}
    channels_of = {a.id: [c for c, n in a.capacity.items() if n > 0] for a in views}
    return replace(assemble(parts, queues_of, channels_of), names={a.id: a.name for a in views})


async def read(conn: AsyncConnection[Any], start: datetime, end: datetime, now: datetime) -> Occupancy:
    """Occupancy over [start, end), open intervals running until `now` (never beyond `end`)."""
    return await named(conn, [await shares(conn, start, end, now)])
