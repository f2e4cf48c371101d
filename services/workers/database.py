"""One PostgreSQL pool per worker process: opened at first use, closed when the process shuts down."""

import os
import threading
from collections.abc import Callable
from typing import Any

from psycopg import Connection
from psycopg_pool import ConnectionPool

from services.shared.db import open_pool

# A prefork child or the solo pool runs one task at a time; the spare connection covers a task
# that needs a second one. The threads pool would need one per thread.
POOL_MAX_SIZE = 2

# Called inside a sweep's batch transaction, its effects written but not committed: the seam where a
# test pauses a sweep to kill its worker at a known point (create_app's before_commit). None in use.
BeforeCommit = Callable[[Connection[Any]], None]


class ProcessPool:
    """Opens lazily so that a worker starts while PostgreSQL is still away, and after the prefork
    pool has forked: connections must never be shared between a parent and its children."""

    def __init__(self, url: str, name: str):
        self._url = url
        self._name = name
        self._lock = threading.Lock()
        self._pool: ConnectionPool | None = None
        self._pid = 0

    def get(self) -> ConnectionPool:
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                # A pool inherited through fork is dropped, not closed: closing it would end the
                # parent's connections too.
                self._pool = open_pool(self._url, min_size=1, max_size=POOL_MAX_SIZE, name=self._name)
                self._pid = os.getpid()
            return self._pool

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.close()
            self._pool = None
