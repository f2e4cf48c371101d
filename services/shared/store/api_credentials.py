"""SQL for api_credentials: bearer tokens kept as SHA-256 digests, looked up by digest."""

from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row


@dataclass(frozen=True)
class Credential:
    id: int
    name: str
    role: str
    channel: str | None
    agent_id: int | None


# The ids of credentials that still work, for SQL in other modules that must stop with them (a
# channel's callback posts only while the credential that registered it is active). Keep it in step
# with find_active: a further condition (an expiry) is added here, once, for every such query.
ACTIVE_IDS = "SELECT id FROM api_credentials WHERE revoked_at IS NULL"


async def find_active(conn: AsyncConnection[Any], token_hash: bytes) -> Credential | None:
    async with conn.cursor(row_factory=class_row(Credential)) as cur:
        await cur.execute(
            """SELECT id, name, role, channel, agent_id FROM api_credentials
               WHERE token_hash = %s AND revoked_at IS NULL""",
            (token_hash,),
        )
        return await cur.fetchone()


def create(
    conn: Connection[Any],
    *,
    name: str,
    role: str,
    token_hash: bytes,
    channel: str | None = None,
    agent_id: int | None = None,
) -> int:
    row = conn.execute(
        """INSERT INTO api_credentials (name, role, channel, agent_id, token_hash)
           VALUES (%s, %s, %s, %s, %s) RETURNING id""",
        (name, role, channel, agent_id, token_hash),
    ).fetchone()
    assert row is not None
    return int(row[0])


def revoke(conn: Connection[Any], credential_id: int) -> bool:
    cur = conn.execute(
        "UPDATE api_credentials SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL",
        (credential_id,),
    )
    return cur.rowcount == 1


def list_all(conn: Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute(
        """SELECT id, name, role, coalesce(channel, ''), coalesce(agent_id::text, ''),
                  created_at, revoked_at IS NOT NULL
           FROM api_credentials ORDER BY id"""
    ).fetchall()
