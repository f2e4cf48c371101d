"""SQL for agents and the queues each one serves."""

from typing import Any

from psycopg import Connection


def create(conn: Connection[Any], name: str, email: str | None, queue_names: list[str]) -> int:
    """Creates an agent serving the named queues; raises LookupError naming any unknown queue."""
    with conn.transaction():
        found = dict(
            conn.execute("SELECT name, id FROM queues WHERE name = ANY(%s)", (queue_names,)).fetchall()
        )
        missing = sorted(set(queue_names) - set(found))
        if missing:
            raise LookupError(f"unknown queue(s): {', '.join(missing)}")
        row = conn.execute(
            "INSERT INTO agents (name, email) VALUES (%s, %s) RETURNING id", (name, email)
        ).fetchone()
        assert row is not None
        agent_id = int(row[0])
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO agent_queues (agent_id, queue_id) VALUES (%s, %s)",
                [(agent_id, found[q]) for q in queue_names],
            )
    return agent_id


def list_all(conn: Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute(
        """SELECT a.id, a.name, coalesce(a.email, ''),
                  coalesce(string_agg(q.name, ',' ORDER BY q.name), '')
           FROM agents a
           LEFT JOIN agent_queues aq ON aq.agent_id = a.id
           LEFT JOIN queues q ON q.id = aq.queue_id
           GROUP BY a.id ORDER BY a.id"""
    ).fetchall()
