"""SQL for api_credentials: bearer tokens kept as SHA-256 digests, looked up by digest."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, Connection
from psycopg.rows import class_row

# NOTIFY channel of revocations: each gateway process LISTENs and drops the token from its cache.
REVOKED_CHANNEL = "api_credentials_revoked"
_COLUMNS = "id, name, role, channel, agent_id, expires_at, backfill"


@dataclass(frozen=True)
class Credential:
    id: int
    name: str
    role: str
    channel: str | None
    agent_id: int | None
    expires_at: datetime | None = None
    # May date occurred_at anywhere after a ticket's last event (made with `create-token --backfill`).
    backfill: bool = False


# The ids of credentials that still work, for SQL in other modules that must stop with them (a
# channel's callback posts only while the credential that registered it is active). Keep it in step
# with find_active: a further condition (an expiry) is added here, once, for every such query.
ACTIVE_IDS = "SELECT id FROM api_credentials WHERE revoked_at IS NULL"


async def find_active(conn: AsyncConnection[Any], token_hash: bytes) -> Credential | None:
    """The unrevoked credential of a digest, expired or not (the caller tells which, and says so)."""
    async with conn.cursor(row_factory=class_row(Credential)) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM api_credentials WHERE token_hash = %s AND revoked_at IS NULL",
            (token_hash,),
        )
        return await cur.fetchone()


async def find_active_by_id(conn: AsyncConnection[Any], credential_id: int) -> Credential | None:
    async with conn.cursor(row_factory=class_row(Credential)) as cur:
        await cur.execute(
            f"SELECT {_COLUMNS} FROM api_credentials WHERE id = %s AND revoked_at IS NULL",
            (credential_id,),
        )
        return await cur.fetchone()


async def touch(conn: AsyncConnection[Any], credential_id: int, at: datetime) -> None:
    """Records a use; callers throttle it (a write per request would cost intake a round trip)."""
    await conn.execute(
        """UPDATE api_credentials SET last_used_at = %s
           WHERE id = %s AND (last_used_at IS NULL OR last_used_at < %s)""",
        (at, credential_id, at),
    )


def create(
    conn: Connection[Any],
    *,
    name: str,
    role: str,
    token_hash: bytes,
    expires_at: datetime,
    channel: str | None = None,
    agent_id: int | None = None,
    backfill: bool = False,
) -> int:
    row = conn.execute(
        """INSERT INTO api_credentials (name, role, channel, agent_id, token_hash, expires_at, backfill)
           VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id""",
        (name, role, channel, agent_id, token_hash, expires_at, backfill),
    ).fetchone()
    assert row is not None
    return int(row[0])


def revoke(conn: Connection[Any], credential_id: int) -> bool:
    """Revokes and, in the same statement (so in the same commit), tells every gateway process."""
    cur = conn.execute(
        f"""WITH revoked AS (
                UPDATE api_credentials SET revoked_at = now()
                WHERE id = %s AND revoked_at IS NULL RETURNING id
            )
            SELECT pg_notify('{REVOKED_CHANNEL}', id::text) FROM revoked""",
        (credential_id,),
    )
    return len(cur.fetchall()) == 1


def list_all(conn: Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute(
        """SELECT id, name, role, coalesce(channel, ''), coalesce(agent_id::text, ''),
                  created_at, expires_at, coalesce(last_used_at::text, 'never'),
                  CASE WHEN backfill THEN 'backfill' ELSE '' END,
                  CASE WHEN revoked_at IS NOT NULL THEN 'revoked'
                       WHEN expires_at <= now() THEN 'expired' ELSE 'active' END
           FROM api_credentials ORDER BY id"""
    ).fetchall()
