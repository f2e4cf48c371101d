"""Connection pools for PostgreSQL: opened explicitly, checked on checkout, closed on exit."""

from psycopg_pool import AsyncConnectionPool, ConnectionPool


async def open_async_pool(
    url: str, *, min_size: int = 2, max_size: int = 10, name: str, autocommit: bool = False
) -> AsyncConnectionPool:
    """Opens a pool and waits for its first connections, so a bad URL fails at start, not later.

    With autocommit, a single statement commits in one round trip; `conn.transaction()` still
    groups several statements into one transaction.
    """
    pool = AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        name=name,
        open=False,
        # A connection killed by a server restart is found before use, not by the caller's query.
        check=AsyncConnectionPool.check_connection,
        kwargs={"application_name": name, "autocommit": autocommit},
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
