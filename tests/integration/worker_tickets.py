"""Rows for the worker tests: customers and tickets with every column the schema requires."""

import hashlib
import uuid
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

# A status that names an agent must have one (see the tickets CHECK constraints).
HELD = {"claimed", "answered", "resolved"}


def db_now(db: psycopg.Connection[Any]) -> datetime:
    """The database's clock, which the sweeps compare deadlines with."""
    row = db.execute("SELECT now()").fetchone()
    assert row is not None
    return row[0]


def insert_customer(
    db: psycopg.Connection[Any], *, language: str | None = None, identities: dict[str, str] | None = None
) -> int:
    row = db.execute("INSERT INTO customers (language) VALUES (%s) RETURNING id", (language,)).fetchone()
    assert row is not None
    for kind, value in (identities or {}).items():
        db.execute(
            # Identities on record that the customer's own channels vouched for.
            "INSERT INTO customer_identities (kind, value, customer_id, verified) VALUES (%s, %s, %s, true)",
            (kind, value, row[0]),
        )
    return int(row[0])


def _agent(db: psycopg.Connection[Any]) -> int:
    row = db.execute("INSERT INTO agents (name) VALUES ('Test Agent') RETURNING id").fetchone()
    assert row is not None
    return int(row[0])


def insert_ticket(
    db: psycopg.Connection[Any],
    *,
    customer_id: int,
    queued_at: datetime,
    channel: str = "phone",
    status: str = "queued",
    priority: int = 2,
    language: str = "und",
    queue: str = "general",
    escalation_level: int = 0,
    escalate_at: datetime | None = None,
    survey_due_at: datetime | None = None,
) -> int:
    external_id = uuid.uuid4().hex
    agent_id = _agent(db) if status in HELD else None
    answered_at = queued_at if status in {"answered", "resolved"} else None
    resolved_at = queued_at if status == "resolved" else None
    row = db.execute(
        """INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status, priority,
                  language, body, routed_by, assigned_agent_id, created_at, queued_at, answered_at,
                  resolved_at, last_event_at, escalation_level, escalate_at, survey_due_at)
           VALUES (%s, %s, %s, %s, (SELECT id FROM queues WHERE name = %s), %s, %s,
                   %s, 'Where is my card?', 'classifier', %s, %s, %s, %s,
                   %s, %s, %s, %s, %s)
           RETURNING id""",
        (
            channel,
            external_id,
            hashlib.sha256(external_id.encode()).digest(),
            customer_id,
            queue,
            status,
            priority,
            language,
            agent_id,
            queued_at,
            queued_at,
            answered_at,
            resolved_at,
            queued_at,
            escalation_level,
            escalate_at,
            survey_due_at,
        ),
    ).fetchone()
    assert row is not None
    return int(row[0])


def ticket(db: psycopg.Connection[Any], ticket_id: int) -> dict[str, Any]:
    with db.cursor(row_factory=dict_row) as cur:
        found = cur.execute("SELECT * FROM tickets WHERE id = %s", (ticket_id,)).fetchone()
    assert found is not None
    return found


def events(db: psycopg.Connection[Any], ticket_id: int, type_: str) -> list[dict[str, Any]]:
    with db.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT * FROM ticket_events WHERE ticket_id = %s AND type = %s ORDER BY id", (ticket_id, type_)
        ).fetchall()


def messages(db: psycopg.Connection[Any], ticket_id: int, kind: str) -> list[dict[str, Any]]:
    with db.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT * FROM outbound_messages WHERE ticket_id = %s AND kind = %s ORDER BY id",
            (ticket_id, kind),
        ).fetchall()


def set_columns(db: psycopg.Connection[Any], ticket_id: int, **columns: Any) -> None:
    """Sets ticket columns the insert does not take (the SLA deadlines, ...)."""
    from psycopg import sql

    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(name), sql.Placeholder(name)) for name in columns
    )
    db.execute(
        sql.SQL("UPDATE tickets SET {} WHERE id = %(id)s").format(assignments), {**columns, "id": ticket_id}
    )


def queue_id(db: psycopg.Connection[Any], name: str) -> int:
    row = db.execute("SELECT id FROM queues WHERE name = %s", (name,)).fetchone()
    assert row is not None
    return int(row[0])


def all_events(db: psycopg.Connection[Any], ticket_id: int) -> list[tuple[str, Any]]:
    """(type, level or target) of the ticket's events, in order."""
    rows = db.execute(
        """SELECT type, coalesce(data ->> 'level', data ->> 'target') FROM ticket_events
           WHERE ticket_id = %s ORDER BY id""",
        (ticket_id,),
    ).fetchall()
    return [(r[0], r[1]) for r in rows]
