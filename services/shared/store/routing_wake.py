"""The routers' wake-up (`NOTIFY routing`), sent by a writer itself after its commit.

The `routing_wake` trigger (0005_routing.sql) notifies inside the writing transaction unless the
session set SETTING (0020_routing_wake_after_commit.sql); a session that sets it sends `wake` once
its transaction committed, on a connection that writes nothing, so its commit waits for no other.
"""

from typing import Any

from psycopg import AsyncConnection

# Listened to by the routers (services/router/loop.py WAKE_CHANNEL).
CHANNEL = "routing"
SETTING = "ticketing.wake_after_commit"
# The libpq `options` of a connection whose writer wakes the routers after its commits: set at
# connect, so it costs no round trip.
AFTER_COMMIT_OPTIONS = f"-c {SETTING}=on"


async def wake(conn: AsyncConnection[Any]) -> None:
    """Wakes every router; on an autocommit connection, so it commits at once and writes nothing."""
    await conn.execute("SELECT pg_notify(%s, '')", (CHANNEL,))
