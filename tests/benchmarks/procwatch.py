"""CPU per process during a benchmark figure: which process ran out of a core first.

Each role (gateway, classifier, postgres, the load generator...) names its processes by a call
made at each reading, so children (uvicorn's workers) and pooled PostgreSQL backends are found as
they are. A role's figure is its processes' CPU time over the wall time, in percent of one core:
a role near 100 % per process (or the machine's cores in total) is what limits the figure.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psutil
import psycopg

Pids = Callable[[], list[int]]


def with_children(*pids: int) -> Pids:
    """The processes and all their descendants, read afresh each time."""

    def read() -> list[int]:
        found = []
        for pid in pids:
            try:
                process = psutil.Process(pid)
                found += [pid, *(c.pid for c in process.children(recursive=True))]
            except psutil.Error:
                continue
        return found

    return read


def _cpu(pids: list[int]) -> dict[int, float]:
    times = {}
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        times[pid] = t.user + t.system
    return times


@dataclass
class Watch:
    roles: dict[str, Pids]
    percent: dict[str, float] = field(default_factory=dict)
    # The busiest single process of each role (percent of one core): a role of several processes
    # saturates when the machine's cores are spent, a single process when it reaches one core.
    busiest: dict[str, float] = field(default_factory=dict)
    # Every process of the machine, other users' included (the machine is shared while measuring).
    machine: float = 0.0

    def saturates(self) -> str:
        """What ran out first: a single process at a full core, else the machine's cores when they
        were all busy (naming the role that used most of them), else nothing (latency-bound)."""
        if not self.percent:
            return ""
        role = max(self.percent, key=lambda r: self.percent[r])
        used = f"{role} {self.percent[role]:.0f} %"
        single = max(self.busiest, key=lambda r: self.busiest[r])
        if self.busiest[single] >= SATURATED:
            return f"one {single} process at {self.busiest[single]:.0f} % of a core ({used})"
        cores = psutil.cpu_count() or 1
        if self.machine >= SATURATED * cores:
            return f"all {cores} cores ({self.machine:.0f} %; most: {used})"
        return f"none: waiting, not computing (machine {self.machine:.0f} %, most: {used})"


# Percent of a core (or of all cores) from which a process (or the machine) counts as saturated.
SATURATED = 90.0


@contextmanager
def watch(roles: dict[str, Pids]) -> Iterator[Watch]:
    result = Watch(roles)
    before = {role: _cpu(read()) for role, read in roles.items()}
    started = time.monotonic()
    machine_before = psutil.cpu_times()
    yield result
    elapsed = max(time.monotonic() - started, 1e-6)
    for role, read in roles.items():
        after = _cpu(read())
        # A process that started during the figure counts from zero; one that ended is lost (rare:
        # the processes watched live for the whole figure).
        used = {pid: t - before[role].get(pid, 0.0) for pid, t in after.items()}
        result.percent[role] = round(100 * sum(used.values()) / elapsed, 1)
        result.busiest[role] = round(100 * max(used.values(), default=0.0) / elapsed, 1)
    machine_after = psutil.cpu_times()
    # guest time is counted in user already; idle and iowait are not work.
    busy = sum(
        getattr(machine_after, k, 0) - getattr(machine_before, k, 0)
        for k in ("user", "nice", "system", "irq", "softirq", "steal")
    )
    result.machine = round(100 * busy / elapsed, 1)


def postgres_backends(conn: "psycopg.Connection[Any]", dbname: str) -> Pids:
    """The server processes serving one database (its connections), read from pg_stat_activity over
    `conn` (autocommit, opened before the load: a busy server may have no connection left later)."""

    def read() -> list[int]:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (dbname,)
        ).fetchall()
        return [pid for (pid,) in rows]

    return read
