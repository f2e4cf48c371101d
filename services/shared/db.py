"""Connection pools for PostgreSQL: opened explicitly, checked on checkout, closed on exit."""

import select
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg_pool import AsyncConnectionPool, ConnectionPool


async def ping(conn: AsyncConnection[Any]) -> None:
    """One round trip: raises when the server does not answer (readiness checks)."""
    await conn.execute("SELECT 1")


async def listen(conn: AsyncConnection[Any], *channels: str) -> None:
    """Subscribes an autocommit connection to NOTIFY channels (names are constants of the stores)."""
    for channel in channels:
        await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))


async def check_unless_quiet(conn: AsyncConnection[Any]) -> None:
    """The pool's checkout check, its round trip paid only by a connection that may be dead.

    A connection the server ended while it sat in the pool (a restart, `pg_terminate_backend`) has
    data to read: the server's goodbye, or the end of the stream. Only then does the full check run
    (and fail, so the pool replaces the connection); a connection the server said nothing to is
    handed out as it is, saving every request a round trip.
    """
    if not conn.closed:
        poller = select.poll()
        poller.register(conn.fileno(), select.POLLIN)
        if not poller.poll(0):
            return
    await AsyncConnectionPool.check_connection(conn)


async def open_async_pool(
    url: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    name: str,
    autocommit: bool = False,
    options: str | None = None,
) -> AsyncConnectionPool:
    """Opens a pool and waits for its first connections, so a bad URL fails at start, not later.

    With autocommit, a single statement commits in one round trip; `conn.transaction()` still
    groups several statements into one transaction. `options` are libpq's (`-c name=value`
    settings of every session, sent at connect: no extra round trip).
    """
    kwargs: dict[str, Any] = {"application_name": name, "autocommit": autocommit}
    if options is not None:
        kwargs["options"] = options
    pool = AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        name=name,
        open=False,
        # A connection killed by a server restart is found before use, not by the caller's query.
        check=check_unless_quiet,
        kwargs=kwargs,
    )
    await pool.open(wait=True, timeout=30)
    return pool


def open_pool(url: str, *, min_size: int = 1, max_size: int = 4, name: str) -> ConnectionPool:
    pool = ConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        name=name,
        open=False,
        check=ConnectionPool.check_connection,
        kwargs={"application_name": name},
    )
    pool.open(wait=True, timeout=30)
    return pool
