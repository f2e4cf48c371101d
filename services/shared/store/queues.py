"""SQL for queues."""

from typing import Any

from psycopg import AsyncConnection, Connection


def create(conn: Connection[Any], name: str, description: str = "") -> int:
    row = conn.execute(
        """INSERT INTO queues (name, description) VALUES (%s, %s)
           ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description
           RETURNING id""",
        (name, description),
    ).fetchone()
    assert row is not None
    return int(row[0])


def list_all(conn: Connection[Any]) -> list[tuple[int, str, str]]:
    return conn.execute("SELECT id, name, description FROM queues ORDER BY name").fetchall()


async def id_by_name(conn: AsyncConnection[Any], name: str) -> int | None:
    cur = await conn.execute("SELECT id FROM queues WHERE name = %s", (name,))
    row = await cur.fetchone()
    return None if row is None else int(row[0])
