"""SQL for provider_events: each webhook event of a telephony or messaging provider, taken once."""

from typing import Any

from psycopg import AsyncConnection


async def seen(conn: AsyncConnection[Any], provider: str, event_id: str) -> bool:
    cur = await conn.execute(
        "SELECT 1 FROM provider_events WHERE provider = %s AND event_id = %s", (provider, event_id)
    )
    return await cur.fetchone() is not None


async def claim(conn: AsyncConnection[Any], provider: str, event_id: str, ticket_id: int | None) -> bool:
    """Records the event; False when it was recorded already (a provider's retry or a replay). Run it
    in the transaction of the change the event makes, so the two commit together or not at all."""
    cur = await conn.execute(
        """INSERT INTO provider_events (provider, event_id, ticket_id) VALUES (%s, %s, %s)
           ON CONFLICT DO NOTHING RETURNING 1""",
        (provider, event_id[:300], ticket_id),
    )
    return await cur.fetchone() is not None
