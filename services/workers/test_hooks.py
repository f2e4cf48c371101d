"""A test-only pause inside a sweep's transaction, so a test can kill a worker at a known point.

Set by TEST_SWEEP_PAUSE=<family>:<advisory lock key> (never in production): the sweep of that family,
with its effects written but not committed, waits for a shared advisory lock that the test holds.
"""

import logging
from dataclasses import dataclass
from typing import Any

from psycopg import Connection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hook:
    family: str
    lock_key: int

    @classmethod
    def parse(cls, spec: str | None) -> "Hook | None":
        if not spec:
            return None
        family, sep, key = spec.partition(":")
        if not sep or not key.lstrip("-").isdigit():
            raise ValueError(f"TEST_SWEEP_PAUSE must be <family>:<lock key>, not {spec!r}")
        return cls(family, int(key))

    def pause(self, conn: Connection[Any], family: str) -> None:
        if family != self.family:
            return
        log.warning("test hook: %s sweep waits for advisory lock %d before committing", family, self.lock_key)
        conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", (self.lock_key,))
