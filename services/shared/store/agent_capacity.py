"""SQL for agent_capacity and default_capacity: how many tickets per channel an agent holds at once."""

from typing import Any

from psycopg import AsyncConnection, Connection

UPSERT = """
INSERT INTO agent_capacity (agent_id, channel, max_concurrent) VALUES (%s, %s, %s)
ON CONFLICT (agent_id, channel) DO UPDATE SET max_concurrent = EXCLUDED.max_concurrent
"""

# Every channel, the agent's own number where set, else the deployment's default.
EFFECTIVE = """
SELECT d.channel, coalesce(a.max_concurrent, d.max_concurrent)
FROM default_capacity d
LEFT JOIN agent_capacity a ON a.channel = d.channel AND a.agent_id = %s
ORDER BY d.channel
"""


def set_sync(conn: Connection[Any], agent_id: int, capacity: dict[str, int]) -> None:
    with conn.cursor() as cur:
        cur.executemany(UPSERT, [(agent_id, channel, n) for channel, n in capacity.items()])


async def set(conn: AsyncConnection[Any], agent_id: int, capacity: dict[str, int]) -> None:
    async with conn.cursor() as cur:
        await cur.executemany(UPSERT, [(agent_id, channel, n) for channel, n in capacity.items()])


async def effective(conn: AsyncConnection[Any], agent_id: int) -> dict[str, int]:
    cur = await conn.execute(EFFECTIVE, (agent_id,))
    return {channel: int(n) for channel, n in await cur.fetchall()}
