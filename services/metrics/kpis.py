"""KPI formulas per KPIS.md: the query, the sums SQL returns per channel, and the figures from them.

PostgreSQL counts and sums ticket_metrics rows per channel (services/metrics/store.py); the
functions here turn those sums into figures, so the overall figures are exact sums over channels.
Formulas (version FORMULA_VERSION), for a period [start, end):

- By queued_at in the period (short abandonments left out, see below):
  offered = tickets queued for a human; answered, abandoned = those of them answered / abandoned
  before an answer; waiting = offered - answered - abandoned;
  asa_s = sum(wait of answered) / answered;
  avg_wait_s = sum(wait of answered and abandoned) / (answered + abandoned);
  service_level = answered with wait <= T / (answered + abandoned), T per channel (or one for all);
  abandonment_rate = abandoned / (answered + abandoned).
- By resolved_at in the period: resolved = tickets resolved (their last resolution);
  aht_s = sum(handle) / resolved tickets with a handling segment.
- By created_at in the period: self_served = tickets answered automatically that never asked for
  a human.
- short_abandon_s > 0 leaves out tickets abandoned with a wait below it (strictly: a 5 s setting
  drops an abandonment after 4.9 s and keeps one after 5 s), from every figure.
- A mean or rate with nothing to average is None (null), never 0.
- The queue filter takes the queue a ticket was last queued in; the channel filter its channel.

Everything here is pure except `compute` at the end, which reads the sums for a query.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

from services.metrics import store
from services.shared.domain import CHANNELS
from services.shared.store import queues

# Named in every report; a change to any formula above gets a new version.
FORMULA_VERSION = "kpis-1"

# Service-level threshold T per channel: an answer within T seconds counts as in time.
DEFAULT_SL_THRESHOLD_S: Mapping[str, float] = {
    "phone": 20,
    "chat": 30,
    "mobile": 3600,
    "web": 3600,
    "email": 14400,
}


@dataclass(frozen=True)
class KpiQuery:
    start: datetime
    end: datetime
    channel: str | None = None
    queue: str | None = None
    sl_threshold_s: float | None = None
    short_abandon_s: float = 0

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("the period's bounds need a time zone")
        if self.start >= self.end:
            raise ValueError("the period is empty: `from` must be before `to`")
        if self.channel is not None and self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")
        if self.sl_threshold_s is not None and self.sl_threshold_s < 0:
            raise ValueError("sl_threshold_s may not be negative")
        if self.short_abandon_s < 0:
            raise ValueError("short_abandon_s may not be negative")

    def thresholds(self) -> dict[str, float]:
        """T for each channel the query covers."""
        channels = [self.channel] if self.channel else list(CHANNELS)
        return {
            c: float(self.sl_threshold_s if self.sl_threshold_s is not None else DEFAULT_SL_THRESHOLD_S[c])
            for c in channels
        }


@dataclass(frozen=True)
class Counts:
    """What SQL counts and sums for one channel; adding two gives the counts of both."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_wait_s: float = 0.0
    abandoned_wait_s: float = 0.0
    answered_in_time: int = 0
    resolved: int = 0
    handled: int = 0
    handle_s: float = 0.0
    self_served: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True)
class Figures:
    offered: int
    answered: int
    abandoned: int
    waiting: int
    self_served: int
    asa_s: float | None
    avg_wait_s: float | None
    service_level: float | None
    abandonment_rate: float | None
    aht_s: float | None
    resolved: int


@dataclass(frozen=True)
class KpiReport:
    overall: Figures
    by_channel: dict[str, Figures]
    formula_version: str
    # Every event committed before this moment is reflected; None before the first catch-up.
    recorded_through: datetime | None


def ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def figures(c: Counts) -> Figures:
    ended = c.answered + c.abandoned
    return Figures(
        offered=c.offered,
        answered=c.answered,
        abandoned=c.abandoned,
        waiting=c.offered - ended,
        self_served=c.self_served,
        asa_s=ratio(c.answered_wait_s, c.answered),
        avg_wait_s=ratio(c.answered_wait_s + c.abandoned_wait_s, ended),
        service_level=ratio(c.answered_in_time, ended),
        abandonment_rate=ratio(c.abandoned, ended),
        aht_s=ratio(c.handle_s, c.handled),
        resolved=c.resolved,
    )


def report(by_channel: Mapping[str, Counts], recorded_through: datetime | None) -> KpiReport:
    overall = sum(by_channel.values(), Counts())
    return KpiReport(
        overall=figures(overall),
        by_channel={channel: figures(counts) for channel, counts in by_channel.items()},
        formula_version=FORMULA_VERSION,
        recorded_through=recorded_through,
    )


async def compute(conn: AsyncConnection[Any], query: KpiQuery) -> KpiReport:
    """The report for `query` from ticket_metrics; store.UnknownQueue when its queue does not exist."""
    queue_id = None
    if query.queue is not None:
        queue_id = await queues.id_by_name(conn, query.queue)
        if queue_id is None:
            raise store.UnknownQueue(query.queue)
    sums = await store.kpi_sums(
        conn,
        start=query.start,
        end=query.end,
        thresholds=query.thresholds(),
        queue_id=queue_id,
        short_abandon_s=query.short_abandon_s,
    )
    return report({channel: Counts(**row) for channel, row in sums.items()}, await store.caught_up_at(conn))
