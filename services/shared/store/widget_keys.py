"""SQL for widget_keys: the public keys of the web chat widget and contact form, each tied to a chat or
web integration credential and the page origins allowed to use it."""

from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row

from services.shared.store import api_credentials


@dataclass(frozen=True)
class WidgetKey:
    id: int
    public_key: str
    credential_id: int
    allowed_origins: list[str]


_COLUMNS = "id, public_key, credential_id, allowed_origins"


def create_sync(conn: Connection[Any], public_key: str, credential_id: int, origins: list[str]) -> int:
    row = conn.execute(
        """INSERT INTO widget_keys (public_key, credential_id, allowed_origins)
           VALUES (%s, %s, %s) RETURNING id""",
        (public_key, credential_id, origins),
    ).fetchone()
    assert row is not None
    return int(row[0])


async def find_active(conn: AsyncConnection[Any], public_key: str) -> WidgetKey | None:
    """The key while its credential is unrevoked (the caller checks the credential's expiry)."""
    async with conn.cursor(row_factory=class_row(WidgetKey)) as cur:
        await cur.execute(
            f"""SELECT {_COLUMNS} FROM widget_keys
                WHERE public_key = %s AND credential_id IN ({api_credentials.ACTIVE_IDS})""",
            (public_key,),
        )
        return await cur.fetchone()


async def active_origins(conn: AsyncConnection[Any]) -> set[str]:
    """Every origin some active key allows: the only ones a CORS preflight is answered for."""
    cur = await conn.execute(
        f"""SELECT DISTINCT unnest(allowed_origins) FROM widget_keys
            WHERE credential_id IN ({api_credentials.ACTIVE_IDS})"""
    )
    return {row[0] for row in await cur.fetchall()}


def list_all(conn: Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute(
        """SELECT w.id, w.public_key, c.channel, c.id, array_to_string(w.allowed_origins, ' '),
                  CASE WHEN c.revoked_at IS NULL THEN 'active' ELSE 'revoked' END
           FROM widget_keys w JOIN api_credentials c ON c.id = w.credential_id ORDER BY w.id"""
    ).fetchall()
