"""SQL for queue_supervisors: who hears about a queue's SLA warnings, breaches and low survey scores."""

from collections.abc import Sequence
from typing import Any

from psycopg import AsyncConnection, Connection

# Supervisors of a queue with nobody listed read their notifications in the web console.
CONSOLE_CHANNEL = "web"

SELECT = "SELECT queue_id, channel, address FROM queue_supervisors WHERE queue_id = ANY(%s) ORDER BY id"


def console_address(queue_name: str) -> str:
    return f"supervisors:{queue_name}"


def _group(rows: Sequence[Sequence[Any]]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for queue_id, channel, address in rows:
        found.setdefault(int(queue_id), []).append((str(channel), str(address)))
    return found


def for_queues_sync(conn: Connection[Any], queue_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """Each queue's supervisors as (channel, address); queues with none are left out."""
    return _group(conn.execute(SELECT, (list(queue_ids),)).fetchall())


async def for_queues(
    conn: AsyncConnection[Any], queue_ids: Sequence[int]
) -> dict[int, list[tuple[str, str]]]:
    cur = await conn.execute(SELECT, (list(queue_ids),))
    return _group(await cur.fetchall())


def recipients(
    supervisors: dict[int, list[tuple[str, str]]], queue_id: int, queue_name: str
) -> list[tuple[str, str]]:
    """Where a queue's notifications go: its supervisors, or the console when it has none."""
    return supervisors.get(queue_id) or [(CONSOLE_CHANNEL, console_address(queue_name))]


def add_sync(conn: Connection[Any], queue_id: int, channel: str, address: str, name: str = "") -> None:
    conn.execute(
        """INSERT INTO queue_supervisors (queue_id, channel, address, name) VALUES (%s, %s, %s, %s)
           ON CONFLICT (queue_id, channel, address) DO NOTHING""",
        (queue_id, channel, address, name),
    )


def add_by_queue_name_sync(
    conn: Connection[Any], queue: str, channel: str, address: str, name: str = ""
) -> bool:
    """Adds a supervisor to the named queue; False when there is no such queue."""
    row = conn.execute("SELECT id FROM queues WHERE name = %s", (queue,)).fetchone()
    if row is None:
        return False
    add_sync(conn, int(row[0]), channel, address, name)
    return True
