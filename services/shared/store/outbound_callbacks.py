"""SQL for outbound_callbacks: the URL (and signing secret) a channel's messages are posted to."""

from typing import Any

from psycopg import AsyncConnection

UPSERT = """
INSERT INTO outbound_callbacks (channel, url, secret, credential_id) VALUES (%s, %s, %s, %s)
ON CONFLICT (channel) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret,
    credential_id = EXCLUDED.credential_id, created_at = now()
"""


async def put(conn: AsyncConnection[Any], channel: str, url: str, secret: str, credential_id: int) -> None:
    """Sets the channel's callback, replacing any before it (a new secret takes effect at once)."""
    await conn.execute(UPSERT, (channel, url, secret, credential_id))


async def delete(conn: AsyncConnection[Any], channel: str) -> bool:
    """Removes the channel's callback; its messages wait for polling again. False when there was none."""
    cur = await conn.execute(
        "DELETE FROM outbound_callbacks WHERE channel = %s RETURNING channel", (channel,)
    )
    return await cur.fetchone() is not None


async def url_of(conn: AsyncConnection[Any], channel: str) -> str | None:
    cur = await conn.execute("SELECT url FROM outbound_callbacks WHERE channel = %s", (channel,))
    row = await cur.fetchone()
    return None if row is None else str(row[0])
