"""Agents and waiting tickets for the router tests, written straight into the test's database."""

import uuid
from datetime import datetime
from typing import Any

import psycopg

from services.shared.store import agent_capacity, agent_languages, agent_skills


def agent(
    db: psycopg.Connection[Any],
    queues: list[str],
    *,
    presence: str = "available",
    skills: dict[str, int] | None = None,
    languages: list[str] | None = None,
    capacity: dict[str, int] | None = None,
    name: str = "Agent",
) -> int:
    row = db.execute("INSERT INTO agents (name) VALUES (%s) RETURNING id", (name,)).fetchone()
    assert row is not None
    agent_id = int(row[0])
    db.execute(
        "INSERT INTO agent_queues (agent_id, queue_id) SELECT %s, id FROM queues WHERE name = ANY(%s)",
        (agent_id, queues),
    )
    agent_skills.set_all_sync(db, agent_id, skills or {})
    agent_languages.set_all_sync(db, agent_id, languages or [])
    agent_capacity.set_sync(db, agent_id, capacity or {})
    if presence != "offline":
        db.execute("UPDATE agents SET presence = %s WHERE id = %s", (presence, agent_id))
    return agent_id


def tickets(
    db: psycopg.Connection[Any],
    count: int,
    *,
    queued_at: datetime,
    queue: str = "general",
    channel: str = "email",
    language: str = "en",
    priority: int = 2,
) -> list[int]:
    """`count` waiting tickets of one new customer, in one statement."""
    row = db.execute("INSERT INTO customers DEFAULT VALUES RETURNING id").fetchone()
    assert row is not None
    prefix = uuid.uuid4().hex
    rows = db.execute(
        """INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status, priority,
               language, body, routed_by, created_at, queued_at, last_event_at)
           SELECT %(channel)s, %(prefix)s || n, '\\x00', %(customer)s,
                  (SELECT id FROM queues WHERE name = %(queue)s), 'queued', %(priority)s, %(language)s,
                  'help', 'classifier', %(at)s, %(at)s, %(at)s
           FROM generate_series(1, %(count)s) AS n
           RETURNING id""",
        {
            "channel": channel,
            "prefix": prefix,
            "customer": row[0],
            "queue": queue,
            "priority": priority,
            "language": language,
            "at": queued_at,
            "count": count,
        },
    ).fetchall()
    return [int(r[0]) for r in rows]
