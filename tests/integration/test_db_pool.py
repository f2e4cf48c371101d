"""The async pools' checkout check: a connection the server ended is replaced before use."""

import asyncio

import psycopg
import pytest

from services.shared.db import open_async_pool

pytestmark = pytest.mark.integration


async def _backend_pids_after_a_restart(database_url: str) -> tuple[set[int], list[int]]:
    pool = await open_async_pool(
        database_url, min_size=2, max_size=2, name="pool_check_test", autocommit=True
    )
    try:
        before = set()
        for _ in range(2):
            async with pool.connection() as conn:
                before.add((await (await conn.execute("SELECT pg_backend_pid()")).fetchone())[0])
        # Every connection of the pool is cut, as when PostgreSQL restarts.
        with psycopg.connect(database_url, autocommit=True) as admin:
            (killed,) = admin.execute(
                """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                   WHERE datname = current_database() AND application_name = 'pool_check_test'"""
            ).fetchone()
        assert killed >= 1
        await asyncio.sleep(0.2)  # the server's goodbye reaches the pool's sockets
        after = []
        for _ in range(4):
            async with pool.connection() as conn:
                after.append((await (await conn.execute("SELECT pg_backend_pid()")).fetchone())[0])
        return before, after
    finally:
        await pool.close()


def test_a_connection_the_server_ended_is_replaced_before_use(database_url: str) -> None:
    before, after = asyncio.run(_backend_pids_after_a_restart(database_url))
    # Every checkout answered, and none on a backend that was terminated.
    assert len(after) == 4 and not before.intersection(after)
