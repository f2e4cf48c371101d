"""KPI formulas per docs/kpis.md: the query, the figures from sums, and reading the sums for a period.

Formulas (version FORMULA_VERSION), for a period [start, end); each figure's family goes by its own
moment (services/metrics/rollup.py says which):

- By queued_at: offered = tickets queued for a human; answered, abandoned = those of them answered
  / abandoned before an answer; waiting = offered - answered - abandoned;
  asa_s = sum(wait of answered) / answered;
  avg_wait_s = sum(wait of answered and abandoned) / (answered + abandoned);
  service_level = answered with wait <= T / (answered + abandoned), T per channel (or one for all);
  abandonment_rate = abandoned / (answered + abandoned).
- By resolved_at: resolved = tickets resolved (their last resolution);
  aht_s = sum(handle) / resolved tickets with a handling segment;
  fcr = resolved at first contact (services/metrics/fcr.py, window 7 days) / resolved.
- By created_at: incoming = tickets opened; self_served = tickets answered automatically that never
  asked for a human; containment_rate = self_served / tickets answered automatically.
  Self-served tickets are never offered, so they are out of ASA, service level and handling time;
  one that asks for a human is offered from that moment (its queued_at).
- By survey reply time: csat = replies scoring 4 or 5 (of 5) / replies.
- By evaluation time: quality = mean evaluation score / 100.
- handle includes wrap-up (after-contact work, services/metrics/timeline.py): AHT = talk + wrap-up.
- Occupancy over the period itself: time handling (answer to segment end, then wrap-up; concurrent
  work counted once) / time available (presence `available`), per services/metrics/occupancy.py.
- short_abandon_s > 0 leaves out tickets abandoned with a wait below it (strictly: a 5 s setting
  drops an abandonment after 4.9 s and keeps one after 5 s), from every figure (incoming too).
- A mean or rate with nothing to average is None (null), never 0.
- The queue filter and breakdown take the queue a ticket was last queued in; the agent filter and
  breakdown take who answered (queued_at figures) or who resolved (the others).

How: whole months come from kpi_monthly, other whole days from kpi_daily (days and months of the
centre's clock, CENTRE_TIMEZONE, the zone the rollups are cut in); a period's partial first and
last days from the ticket_metrics rows dated in them, through the same contributions. The rollups
count answers in time against each channel's default T, so another `sl_threshold_s` recounts them
with an exact scan of the period's answered tickets; `short_abandon_s` takes away the short
abandonments found by a scan of the period's abandoned tickets. Both scans are exact and slower
than the rollups alone. Occupancy reads whole computed days from occupancy_daily and computes the
rest of the period live (services/metrics/occupancy_rollup.py).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import AsyncConnection

from services.metrics import occupancy_rollup, rollup, rollup_store, store
from services.metrics.occupancy import Occupancy, Share
from services.metrics.rollup import Counts
from services.metrics.store import Group
from services.metrics.thresholds import DEFAULT_SL_THRESHOLD_S
from services.shared import centre_clock
from services.shared.domain import CHANNELS
from services.shared.store import queues

# Named in every report; a change to any formula above (or to the FCR window) gets a new version.
FORMULA_VERSION = "kpis-3"

__all__ = ["DEFAULT_SL_THRESHOLD_S", "FORMULA_VERSION", "Figures", "KpiQuery", "KpiReport", "compute"]


@dataclass(frozen=True)
class KpiQuery:
    start: datetime
    end: datetime
    channel: str | None = None
    queue: str | None = None
    agent_id: int | None = None
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

    def channels(self) -> list[str]:
        return [self.channel] if self.channel else list(CHANNELS)

    def thresholds(self) -> dict[str, float]:
        """T for each channel the query covers."""
        return {
            c: float(self.sl_threshold_s if self.sl_threshold_s is not None else DEFAULT_SL_THRESHOLD_S[c])
            for c in self.channels()
        }


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
    fcr: float | None
    csat: float | None
    quality: float | None
    incoming: int
    containment_rate: float | None
    survey_replies: int
    evaluations: int
    # Time handling / time available (services/metrics/occupancy.py); None when not computed or
    # nobody was available.
    occupancy: float | None = None


@dataclass(frozen=True)
class KpiReport:
    overall: Figures
    by_channel: dict[str, Figures]
    by_queue: dict[str, Figures]
    by_agent: dict[int, Figures]
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
        asa_s=ratio(c.answered_wait_us / 1e6, c.answered),
        avg_wait_s=ratio((c.answered_wait_us + c.abandoned_wait_us) / 1e6, ended),
        service_level=ratio(c.answered_in_time, ended),
        abandonment_rate=ratio(c.abandoned, ended),
        aht_s=ratio(c.handle_us / 1e6, c.handled),
        resolved=c.resolved,
        fcr=ratio(c.fcr_resolved, c.resolved),
        csat=ratio(c.survey_happy, c.survey_replies),
        quality=ratio(c.quality_centi / 10_000, c.evaluations),
        incoming=c.incoming,
        containment_rate=ratio(c.self_served, c.faq_answered),
        survey_replies=c.survey_replies,
        evaluations=c.evaluations,
    )


def total(groups: Iterable[Counts]) -> Counts:
    return sum(groups, Counts())


def report(
    groups: Mapping[Group, Counts],
    channels: Iterable[str],
    queue_names: Mapping[int, str],
    recorded_through: datetime | None,
) -> KpiReport:
    """Overall figures and per channel (every channel covered), queue and agent (those with sums)."""
    by_channel: dict[str, Counts] = {c: Counts() for c in channels}
    by_queue: dict[str, Counts] = {}
    by_agent: dict[int, Counts] = {}
    for (channel, queue_id, agent_id), counts in groups.items():
        by_channel[channel] = by_channel.get(channel, Counts()) + counts
        name = queue_names.get(queue_id, "") if queue_id else ""
        if name:
            by_queue[name] = by_queue.get(name, Counts()) + counts
        if agent_id:
            by_agent[agent_id] = by_agent.get(agent_id, Counts()) + counts
    return KpiReport(
        overall=figures(total(groups.values())),
        by_channel={c: figures(v) for c, v in by_channel.items()},
        by_queue={q: figures(v) for q, v in sorted(by_queue.items())},
        by_agent={a: figures(v) for a, v in sorted(by_agent.items())},
        formula_version=FORMULA_VERSION,
        recorded_through=recorded_through,
    )


def add_contributions(
    groups: dict[Group, Counts],
    found: Iterable[rollup.Contribution],
    *,
    queue_id: int | None,
    agent_id: int | None,
    sign: int = 1,
) -> None:
    # Plain lists while adding: a partial day of a busy centre is thousands of contributions.
    sums: dict[Group, list[int]] = {}
    for c in found:
        if (queue_id is not None and c.queue_id != queue_id) or (
            agent_id is not None and c.agent_id != agent_id
        ):
            continue
        row = sums.setdefault((c.channel, c.queue_id, c.agent_id), [0] * len(rollup.COLUMNS))
        for name, value in c.values.items():
            row[rollup.INDEX[name]] += sign * value
    for key, row in sums.items():
        groups[key] = groups.get(key, Counts()) + Counts(*row)


async def group_sums(
    conn: AsyncConnection[Any], query: KpiQuery, queue_id: int | None, zone: ZoneInfo
) -> dict[Group, Counts]:
    """The period's sums per (channel, queue, agent), exactly; `zone` is the rollups' clock."""
    channels, thresholds = query.channels(), query.thresholds()
    first, end_day = centre_clock.whole_days(query.start, query.end, zone)
    groups: dict[Group, Counts] = {}
    edges = [(query.start, query.end)]
    if first < end_day:
        day_start, day_end = centre_clock.day_start(first, zone), centre_clock.day_start(end_day, zone)
        edges = [(a, b) for a, b in ((query.start, day_start), (day_end, query.end)) if a < b]
        groups = await rollup_store.daily_sums(
            conn, first, end_day, channels, queue_id=queue_id, agent_id=query.agent_id
        )
        if query.sl_threshold_s is not None:
            in_time = await store.answered_in_time(
                conn, day_start, day_end, thresholds, queue_id=queue_id, agent_id=query.agent_id
            )
            groups = {g: replace(c, answered_in_time=in_time.get(g, 0)) for g, c in groups.items()}
        if query.short_abandon_s > 0:
            short = await store.short_abandons(conn, day_start, day_end, query.short_abandon_s, channels)
            found = rollup.within(short, thresholds, day_start, day_end)
            add_contributions(groups, found, queue_id=queue_id, agent_id=query.agent_id, sign=-1)
    for a, b in edges:
        rows = await store.dated_within(conn, a, b, channels)
        found = rollup.within(rows, thresholds, a, b, short_abandon_s=query.short_abandon_s)
        add_contributions(groups, found, queue_id=queue_id, agent_id=query.agent_id)
    return groups


async def queue_names(conn: AsyncConnection[Any]) -> dict[int, str]:
    return dict(await queues.names(conn))


async def compute(conn: AsyncConnection[Any], query: KpiQuery, zone: ZoneInfo) -> KpiReport:
    """The report for `query`, whole days on the clock `zone`; store.UnknownQueue when its queue
    does not exist."""
    queue_id = None
    if query.queue is not None:
        queue_id = await queues.id_by_name(conn, query.queue)
        if queue_id is None:
            raise store.UnknownQueue(query.queue)
    groups = await group_sums(conn, query, queue_id, zone)
    found = report(groups, query.channels(), await queue_names(conn), await store.caught_up_at(conn))
    occupied = await occupancy_rollup.read(conn, query.start, query.end, datetime.now(UTC), zone)
    return with_occupancy(found, occupied, query)


def with_occupancy(found: KpiReport, occupied: Occupancy, query: KpiQuery) -> KpiReport:
    """The report with each breakdown's occupancy; the overall figure is that of the filter's
    agent, queue or channel when one is given. Queues and agents with available time but no other
    figure are added (their other figures zero or null)."""
    empty = figures(Counts())

    def merged(have: Mapping[Any, Figures], shares: Mapping[Any, Share], only: Any) -> dict[Any, Figures]:
        keys = set(have) | {k for k in shares if only is None or k == only}
        return {
            k: replace(have.get(k, empty), occupancy=shares[k].occupancy if k in shares else None)
            for k in sorted(keys)
        }

    overall = occupied.overall
    if query.agent_id is not None:
        overall = occupied.by_agent.get(query.agent_id, Share())
    elif query.queue is not None:
        overall = occupied.by_queue.get(query.queue, Share())
    elif query.channel is not None:
        overall = occupied.by_channel.get(query.channel, Share())
    return replace(
        found,
        overall=replace(found.overall, occupancy=overall.occupancy),
        by_channel={
            c: replace(f, occupancy=occupied.by_channel.get(c, Share()).occupancy)
            for c, f in found.by_channel.items()
        },
        by_queue=merged(found.by_queue, occupied.by_queue, query.queue),
        by_agent=merged(found.by_agent, occupied.by_agent, query.agent_id),
    )
