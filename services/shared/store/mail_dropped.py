"""SQL for mail_dropped: how many inbound mails were dropped as written by no person, per reason."""

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection, Connection


async def count(conn: AsyncConnection[Any], reason: str, at: datetime) -> None:
    await conn.execute(
        """INSERT INTO mail_dropped (reason, total, last_at) VALUES (%s, 1, %s)
           ON CONFLICT (reason) DO UPDATE SET total = mail_dropped.total + 1,
               last_at = greatest(mail_dropped.last_at, excluded.last_at)""",
        (reason, at),
    )


def totals_sync(conn: Connection[Any]) -> list[tuple[str, int]]:
    return [(r[0], int(r[1])) for r in conn.execute("SELECT reason, total FROM mail_dropped ORDER BY reason")]
