"""Live figures for the wallboard: queue depth and longest wait now, agents by state, and today's
queue figures (the day on the centre's clock, from the rollups, so exact and as fresh as the
follower)."""

import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import AsyncConnection

from services.metrics import kpis, occupancy_source, rollup_store
from services.metrics.kpis import Figures
from services.metrics.occupancy import Occupancy, Share
from services.metrics.rollup import Counts
from services.shared import centre_clock
from services.shared.domain import CHANNELS

# Waiting tickets per queue and channel, and the oldest wait, from the claim index's rows.
WAITING = """
SELECT q.name, t.channel, count(t.id), extract(epoch FROM now() - min(coalesce(t.queued_at, t.created_at)))
FROM queues q LEFT JOIN tickets t ON t.queue_id = q.id AND t.status = 'queued'
GROUP BY q.name, t.channel
"""

# Each active agent's state: busy while holding a ticket, else their presence; per queue they
# serve (queue NULL: every agent once).
AGENTS = """
WITH state AS (
    SELECT a.id,
           CASE WHEN EXISTS (SELECT 1 FROM tickets t
                             WHERE t.assigned_agent_id = a.id AND t.status IN ('claimed', 'answered'))
                THEN 'busy' ELSE a.presence END AS state
    FROM agents a WHERE a.active
)
SELECT q.name, s.state, count(*) FROM state s
JOIN agent_queues aq ON aq.agent_id = s.id JOIN queues q ON q.id = aq.queue_id
GROUP BY q.name, s.state
UNION ALL
SELECT NULL, s.state, count(*) FROM state s GROUP BY s.state
"""


@dataclass(frozen=True)
class AgentStates:
    available: int = 0
    busy: int = 0
    away: int = 0
    offline: int = 0


@dataclass(frozen=True)
class Place:
    """A queue or a channel: what waits now, and today's figures."""

    name: str
    waiting: int
    longest_wait_s: float | None
    today: Figures
    agents: AgentStates | None = None


@dataclass(frozen=True)
class AgentOccupancy:
    agent_id: int
    name: str
    occupancy: float | None
    available_s: float
    handling_s: float


@dataclass(frozen=True)
class Live:
    as_of: datetime
    queues: list[Place]
    channels: list[Place]
    agents: AgentStates
    today: Figures
    # The centre's clock whose day `today` is (IANA name).
    time_zone: str = "UTC"
    # Today's occupancy per agent (those with available or handling time today).
    agent_occupancy: list[AgentOccupancy] = field(default_factory=list)


class OccupancyCache:
    """Today's occupancy, worked out at most every REFRESH_S per metrics process: it reads the day's
    handling events, too many to read on every look (twice a second per stream). Longer costs less
    and shows occupancy later; it moves slowly anyway."""

    REFRESH_S = 10.0

    def __init__(self) -> None:
        self._found: tuple[float, date, Occupancy] | None = None

    async def get(self, conn: AsyncConnection[Any], today: date, zone: ZoneInfo, now: datetime) -> Occupancy:
        if self._found is not None and self._found[1] == today and time.monotonic() < self._found[0]:
            return self._found[2]
        start = centre_clock.day_start(today, zone)
        end = centre_clock.day_start(today + timedelta(days=1), zone)
        found = await occupancy_source.read(conn, start, end, now)
        self._found = (time.monotonic() + self.REFRESH_S, today, found)
        return found


def _occupied(f: Figures, share: Share | None) -> Figures:
    # Rounded: the wallboard shows percent, and a steadily moving ratio must not count as a change
    # on every look.
    value = None if share is None or share.occupancy is None else round(share.occupancy, 3)
    return replace(f, occupancy=value)


def _states(counts: dict[str, int]) -> AgentStates:
    return AgentStates(**{k: v for k, v in counts.items() if k in AgentStates.__dataclass_fields__})


async def read(conn: AsyncConnection[Any], zone: ZoneInfo, cache: OccupancyCache | None = None) -> Live:
    """The figures now; "today" is the current day on the centre's clock `zone`."""
    cur = await conn.execute("SELECT now()")
    row = await cur.fetchone()
    assert row is not None
    as_of = row[0]
    today = centre_clock.local_day(as_of, zone)
    waiting_q: dict[str, tuple[int, float | None]] = {}
    waiting_c: dict[str, tuple[int, float | None]] = {}
    cur = await conn.execute(WAITING)
    for queue, channel, count, longest in await cur.fetchall():
        _merge(waiting_q, queue, count, longest)
        if channel is not None:
            _merge(waiting_c, channel, count, longest)
    agents: dict[str | None, dict[str, int]] = {}
    cur = await conn.execute(AGENTS)
    for queue, state, count in await cur.fetchall():
        agents.setdefault(queue, {})[state] = count
    figures = await _today(conn, today)
    occ = await (cache or OccupancyCache()).get(conn, today, zone, as_of)
    queues = [
        Place(
            name,
            n,
            longest,
            _occupied(figures.by_queue.get(name, _empty()), occ.by_queue.get(name, Share())),
            _states(agents.get(name, {})),
        )
        for name, (n, longest) in sorted(waiting_q.items())
    ]
    channels = [
        Place(
            c,
            *waiting_c.get(c, (0, None)),
            _occupied(figures.by_channel.get(c, _empty()), occ.by_channel.get(c, Share())),
        )
        for c in CHANNELS
    ]
    per_agent = [
        AgentOccupancy(
            a,
            occ.names.get(a, ""),
            None if s.occupancy is None else round(s.occupancy, 3),
            round(s.available_s),
            round(s.handling_s),
        )
        for a, s in sorted(occ.by_agent.items())
    ]
    today_figures = _occupied(figures.overall, occ.overall)
    return Live(as_of, queues, channels, _states(agents.get(None, {})), today_figures, zone.key, per_agent)


def _merge(into: dict[str, tuple[int, float | None]], key: str, count: int, longest: float | None) -> None:
    n, worst = into.get(key, (0, None))
    # An integration's clock may run a little ahead: a wait is never shown below zero.
    longest = None if longest is None else max(0.0, float(longest))
    into[key] = (n + count, worst if longest is None else longest if worst is None else max(worst, longest))


def _empty() -> Figures:
    return kpis.figures(Counts())


async def _today(conn: AsyncConnection[Any], today: date) -> kpis.KpiReport:
    groups = await rollup_store.daily_sums(conn, today, today + timedelta(days=1), CHANNELS)
    return kpis.report(groups, CHANNELS, await kpis.queue_names(conn), None)
