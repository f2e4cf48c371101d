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


async def names(conn: AsyncConnection[Any]) -> list[tuple[int, str]]:
    """(id, name) of every queue."""
    cur = await conn.execute("SELECT id, name FROM queues ORDER BY id")
    return [(int(i), str(n)) for i, n in await cur.fetchall()]


def set_escalation_queue(conn: Connection[Any], name: str, target: str | None) -> bool:
    """Where `name`'s tickets go at an SLA breach (None: they stay); False when a queue is unknown."""
    row = conn.execute(
        """UPDATE queues SET escalation_queue_id = (SELECT id FROM queues WHERE name = %(target)s)
           WHERE name = %(name)s
             AND (%(target)s::text IS NULL OR EXISTS (SELECT 1 FROM queues WHERE name = %(target)s))
           RETURNING id""",
        {"name": name, "target": target},
    ).fetchone()
    return row is not None


async def escalation_target(conn: AsyncConnection[Any], queue_id: int) -> int | None:
    """The queue a ticket of `queue_id` is escalated to; None: it stays in its own."""
    cur = await conn.execute("SELECT escalation_queue_id FROM queues WHERE id = %s", (queue_id,))
    row = await cur.fetchone()
    return None if row is None or row[0] is None else int(row[0])


async def display_names(conn: AsyncConnection[Any]) -> dict[str, dict[str, str]]:
    """Each queue's display names by language, keyed by its name (a language not given: the name)."""
    cur = await conn.execute("SELECT name, display_names FROM queues")
    return {
        str(n): {"ar": d.get("ar") or str(n), "en": d.get("en") or str(n)} for n, d in await cur.fetchall()
    }


def set_display_names(conn: Connection[Any], name: str, arabic: str, english: str) -> bool:
    """False when there is no such queue."""
    row = conn.execute(
        "UPDATE queues SET display_names = jsonb_build_object('ar', %s::text, 'en', %s::text) "
        "WHERE name = %s RETURNING id",
        (arabic, english, name),
    ).fetchone()
    return row is not None
