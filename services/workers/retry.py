"""The retry policy every task shares: transient database and broker errors retry with backoff."""

from typing import Any

import kombu.exceptions
import psycopg
import psycopg_pool

# Errors that pass: PostgreSQL restarting or unreachable, the pool out of connections for a while,
# the broker away when a task sends another. A programming error is not among them: it fails once.
TRANSIENT: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,
    psycopg_pool.PoolTimeout,
    kombu.exceptions.OperationalError,
    ConnectionError,
)

# Exponential backoff with jitter, 2 s doubling to at most a minute, five times: about two minutes
# of outage is ridden out by the task; past that the next beat tick does the same work anyway.
TASK_OPTIONS: dict[str, Any] = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}
