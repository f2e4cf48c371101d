"""SQL for agents and the queues each one serves."""

from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg import AsyncConnection, Connection
from psycopg.rows import kwargs_row

from services.shared.routing.eligibility import AgentView
from services.shared.store import ticket_events, ticket_offers


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


PRESENCES = ("available", "away", "offline")


# An agent as routing sees them, one column per field of AgentView (decoded by name):
# queues, skills, languages, and load and capacity per channel.
ROUTING_VIEW = """
SELECT a.id, a.name, a.presence, a.presence_since, a.last_assigned_at,
  coalesce((SELECT array_agg(q.name ORDER BY q.name) FROM agent_queues aq JOIN queues q ON q.id = aq.queue_id
            WHERE aq.agent_id = a.id), '{}') AS queues,
  coalesce((SELECT jsonb_object_agg(skill, proficiency) FROM agent_skills WHERE agent_id = a.id), '{}')
    AS skills,
  coalesce((SELECT array_agg(language ORDER BY language) FROM agent_languages WHERE agent_id = a.id), '{}')
    AS languages,
  (SELECT jsonb_object_agg(d.channel, coalesce(c.max_concurrent, d.max_concurrent))
   FROM default_capacity d LEFT JOIN agent_capacity c ON c.agent_id = a.id AND c.channel = d.channel)
    AS capacity,
  coalesce((SELECT jsonb_object_agg(channel, n) FROM (
      SELECT channel, count(*) AS n FROM (
          SELECT channel FROM tickets WHERE assigned_agent_id = a.id AND status IN ('claimed', 'answered')
          UNION ALL
          SELECT channel FROM ticket_offers WHERE agent_id = a.id AND outcome IS NULL) held
      GROUP BY channel) per_channel), '{}') AS load,
  a.wrap_up_until
FROM agents a
WHERE a.active AND (%(presence)s::text IS NULL OR a.presence = %(presence)s)
  AND (%(agent)s::integer IS NULL OR a.id = %(agent)s)
ORDER BY a.id
"""


def _agent_view(*, queues: list[str], languages: list[str], **rest: Any) -> AgentView:
    # Sets, as the rules test membership in them; the rest by name as read.
    return AgentView(queues=frozenset(queues), languages=frozenset(languages), **rest)


async def routing_views(
    conn: AsyncConnection[Any], *, presence: str | None = None, agent_id: int | None = None
) -> list[AgentView]:
    async with conn.cursor(row_factory=kwargs_row(_agent_view)) as cur:
        await cur.execute(ROUTING_VIEW, {"presence": presence, "agent": agent_id})
        return await cur.fetchall()


async def set_presence(conn: AsyncConnection[Any], agent_id: int, presence: str) -> str | None:
    """Sets the agent's presence; returns the previous one (None: no such agent).

    Leaving `available` withdraws the agent's pending offers and gives back tickets reserved for
    them, at once. Run in the caller's transaction: the presence UPDATE waits for any router holding
    the agent's row, and the withdrawal, a later statement, then sees the offer that router made.
    """
    cur = await conn.execute(
        """UPDATE agents a SET presence = %s FROM agents old
           WHERE a.id = %s AND old.id = a.id RETURNING old.presence""",
        (presence, agent_id),
    )
    row = await cur.fetchone()
    if row is None:
        return None
    # Changing presence is the agent at their desk again (or gone): an open wrap-up ends with it.
    await end_wrap_up(conn, agent_id, datetime.now(UTC), "presence")
    if presence != "available":
        await ticket_offers.withdraw_for_agent(conn, agent_id, datetime.now(UTC))
        await conn.execute(
            "UPDATE tickets SET reserved_agent_id = NULL WHERE reserved_agent_id = %s AND status = 'queued'",
            (agent_id,),
        )
    return str(row[0])


PRESENCE_OF = "SELECT presence FROM agents WHERE id = %s"
PRESENCE_OF_ACTIVE = "SELECT presence FROM agents WHERE id = %s AND active"


async def presence_of(conn: AsyncConnection[Any], agent_id: int, *, active_only: bool = False) -> str | None:
    """The agent's presence; None when there is no such agent (or, with active_only, no active one)."""
    query = PRESENCE_OF_ACTIVE if active_only else PRESENCE_OF
    cur = await conn.execute(query, (agent_id,))
    row = await cur.fetchone()
    return None if row is None else str(row[0])


async def presence_and_wrap_up(conn: AsyncConnection[Any], agent_id: int) -> tuple[str | None, bool]:
    """(presence, whether a wrap-up is open) of the agent; (None, False) when there is no such agent."""
    cur = await conn.execute(
        "SELECT presence, wrap_up_until IS NOT NULL FROM agents WHERE id = %s", (agent_id,)
    )
    row = await cur.fetchone()
    return (None, False) if row is None else (str(row[0]), bool(row[1]))


async def language_of(conn: AsyncConnection[Any], agent_id: int) -> str | None:
    """The language the agent chose for their console (None: not chosen)."""
    cur = await conn.execute("SELECT language FROM agents WHERE id = %s", (agent_id,))
    row = await cur.fetchone()
    return None if row is None or row[0] is None else str(row[0])


async def set_language(conn: AsyncConnection[Any], agent_id: int, language: str) -> bool:
    """False when there is no such agent."""
    cur = await conn.execute(
        "UPDATE agents SET language = %s WHERE id = %s RETURNING id", (language, agent_id)
    )
    return await cur.fetchone() is not None


async def available_by_queue(conn: AsyncConnection[Any]) -> dict[str, int]:
    """Active agents taking work now (presence available, busy or not), per queue they serve."""
    cur = await conn.execute(
        """SELECT q.name, count(a.id) FROM queues q
           JOIN agent_queues aq ON aq.queue_id = q.id
           JOIN agents a ON a.id = aq.agent_id AND a.active AND a.presence = 'available'
           GROUP BY q.name"""
    )
    return {str(q): int(n) for q, n in await cur.fetchall()}


async def start_wrap_up(
    conn: AsyncConnection[Any],
    agent_id: int,
    ticket_id: int,
    queue_id: int | None,
    at: datetime,
    limit_s: float,
) -> None:
    """Puts the agent in wrap-up of `ticket_id` from `at` for at most `limit_s`, with its
    `wrap_up_started` event; one still open for another ticket ends first. In the caller's transaction."""
    await end_wrap_up(conn, agent_id, at, "next")
    await conn.execute(
        "UPDATE agents SET wrap_up_until = %s, wrap_up_ticket_id = %s WHERE id = %s",
        (at + timedelta(seconds=limit_s), ticket_id, agent_id),
    )
    await ticket_events.append(
        conn,
        ticket_events.NewEvent(ticket_id, "wrap_up_started", at, agent_id, queue_id, {"limit_s": limit_s}),
    )


async def end_wrap_up(conn: AsyncConnection[Any], agent_id: int, at: datetime, reason: str) -> bool:
    """Ends the agent's wrap-up; True with a `wrap_up_ended` event when one was open at `at`. One
    whose limit has passed is only cleared: its limit ended it, which the metrics count without an
    event."""
    cur = await conn.execute(
        """UPDATE agents a SET wrap_up_until = NULL, wrap_up_ticket_id = NULL FROM agents old
           WHERE a.id = %s AND old.id = a.id AND old.wrap_up_until IS NOT NULL
           RETURNING old.wrap_up_until, old.wrap_up_ticket_id""",
        (agent_id,),
    )
    row = await cur.fetchone()
    if row is None or row[0] <= at or row[1] is None:
        return False
    await ticket_events.append(
        conn, ticket_events.NewEvent(int(row[1]), "wrap_up_ended", at, agent_id, data={"reason": reason})
    )
    return True


async def wrap_up_of(conn: AsyncConnection[Any], agent_id: int) -> tuple[datetime | None, int | None]:
    """(until, ticket) of the agent's wrap-up, (None, None) when there is none."""
    cur = await conn.execute("SELECT wrap_up_until, wrap_up_ticket_id FROM agents WHERE id = %s", (agent_id,))
    row = await cur.fetchone()
    return (None, None) if row is None else (row[0], row[1])
