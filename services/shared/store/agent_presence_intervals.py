"""SQL for agent_presence_intervals: every presence state of every agent, from when to when.

Rows are written by the agents table's trigger whenever presence changes (see 0005_routing.sql);
this module reads them, for occupancy.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row


@dataclass(frozen=True)
class Interval:
    agent_id: int
    presence: str
    started_at: datetime
    # None while the state lasts.
    ended_at: datetime | None


async def overlapping(
    conn: AsyncConnection[Any], start: datetime, end: datetime, agent_id: int | None = None
) -> list[Interval]:
    """The intervals that overlap [start, end), oldest first."""
    async with conn.cursor(row_factory=class_row(Interval)) as cur:
        await cur.execute(
            """SELECT agent_id, presence, started_at, ended_at FROM agent_presence_intervals
               WHERE started_at < %(end)s AND (ended_at IS NULL OR ended_at > %(start)s)
                 AND (%(agent)s::integer IS NULL OR agent_id = %(agent)s)
               ORDER BY started_at, id""",
            {"start": start, "end": end, "agent": agent_id},
        )
        return await cur.fetchall()
