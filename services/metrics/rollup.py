"""What one ticket adds to the KPI sums, and on which moment (pure): the rollups are sums of these.

A ticket contributes to up to five families, each dated by its own moment (docs/kpis.md's period
membership): queued_at (offered, answered, abandoned, waits, answered in time), resolved_at
(resolved, handling, first-contact resolution), created_at (incoming, self-service, escalations,
classification time), the survey reply, and each quality evaluation. The agent is the one who
answered (queued family) or who resolved (the others); 0 stands for none, as does queue 0.

Durations are whole microseconds and quality scores hundredths of a point, so every sum is an
integer: adding and taking away contributions in any order gives exactly the sum a rebuild gives.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, tzinfo
from typing import Any

# Upper bounds (ms) of the classification-time histogram's buckets (Prometheus `le`).
CLASSIFY_BUCKETS_MS = (5, 10, 25, 50, 100, 250, 500, 1000)
# A survey reply scoring at least this (of 5) counts as a happy customer.
HAPPY_SCORE = 4


@dataclass(frozen=True)
class Counts:
    """Sums over tickets; the rollup table's columns. Adding two gives the sums of both."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_wait_us: int = 0
    abandoned_wait_us: int = 0
    answered_in_time: int = 0
    resolved: int = 0
    handled: int = 0
    handle_us: int = 0
    fcr_resolved: int = 0
    incoming: int = 0
    faq_answered: int = 0
    self_served: int = 0
    escalations: int = 0
    classified: int = 0
    classify_us: int = 0
    classify_le_5: int = 0
    classify_le_10: int = 0
    classify_le_25: int = 0
    classify_le_50: int = 0
    classify_le_100: int = 0
    classify_le_250: int = 0
    classify_le_500: int = 0
    classify_le_1000: int = 0
    survey_replies: int = 0
    survey_happy: int = 0
    evaluations: int = 0
    quality_centi: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __sub__(self, other: "Counts") -> "Counts":
        return Counts(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))

    def is_zero(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


COLUMNS = tuple(f.name for f in fields(Counts))
QUEUED_COLUMNS = COLUMNS[: COLUMNS.index("resolved")]


@dataclass(frozen=True)
class TicketFigures:
    """What a ticket_metrics row holds that the sums read."""

    ticket_id: int
    channel: str
    queue_id: int | None
    created_at: datetime
    queued_at: datetime | None
    answered_at: datetime | None
    abandoned_at: datetime | None
    resolved_at: datetime | None
    answered_by: int | None
    resolved_by: int | None
    wait_us: int | None
    handle_us: int | None
    faq_answered: bool
    self_served: bool
    escalations: int
    segments: int
    transfers: int
    reopens: int
    fcr: bool | None
    opened_queue_id: int | None
    survey_score: int | None
    surveyed_at: datetime | None
    quality: tuple[tuple[datetime, float], ...]
    classify_ms: float | None


@dataclass(frozen=True)
class Contribution:
    at: datetime
    channel: str
    queue_id: int
    agent_id: int
    # The non-zero sums, by Counts field name (plain dicts: the follower adds up millions of them).
    values: Mapping[str, int]

    @property
    def counts(self) -> Counts:
        return Counts(**self.values)


def queued_values(t: TicketFigures, threshold_s: float) -> dict[str, int]:
    """The queued-at family: the ticket as offered to a human, with answers in time within T."""
    wait = t.wait_us or 0
    if t.answered_at is not None:
        in_time = int(wait <= threshold_s * 1_000_000)
        return {"offered": 1, "answered": 1, "answered_wait_us": wait, "answered_in_time": in_time}
    if t.abandoned_at is not None:
        return {"offered": 1, "abandoned": 1, "abandoned_wait_us": wait}
    return {"offered": 1}


def _classify(ms: float | None) -> dict[str, int]:
    if ms is None:
        return {}
    found = {"classified": 1, "classify_us": round(ms * 1000)}
    found.update({f"classify_le_{b}": int(ms <= b) for b in CLASSIFY_BUCKETS_MS})
    return found


def contributions(t: TicketFigures, thresholds: Mapping[str, float]) -> Iterator[Contribution]:
    """Each family's sums of this ticket with its moment; `thresholds` is T per channel."""
    queue = t.queue_id or 0
    resolver = t.resolved_by or 0
    if t.queued_at is not None:
        yield Contribution(
            t.queued_at, t.channel, queue, t.answered_by or 0, queued_values(t, thresholds[t.channel])
        )
    if t.resolved_at is not None:
        resolved = {"resolved": 1, "handled": int(t.handle_us is not None), "handle_us": t.handle_us or 0,
                    "fcr_resolved": int(bool(t.fcr))}  # fmt: skip
        yield Contribution(t.resolved_at, t.channel, queue, resolver, resolved)
    created = {"incoming": 1, "faq_answered": int(t.faq_answered), "self_served": int(t.self_served),
               "escalations": t.escalations, **_classify(t.classify_ms)}  # fmt: skip
    yield Contribution(t.created_at, t.channel, queue, 0, created)
    if t.surveyed_at is not None and t.survey_score is not None:
        survey = {"survey_replies": 1, "survey_happy": int(t.survey_score >= HAPPY_SCORE)}
        yield Contribution(t.surveyed_at, t.channel, queue, resolver, survey)
    for at, score in t.quality:
        yield Contribution(
            at, t.channel, queue, resolver, {"evaluations": 1, "quality_centi": round(score * 100)}
        )


Key = tuple[date, str, int, int]
TotalsKey = tuple[str, int]
# A row of sums in COLUMNS order.
Row = tuple[int, ...]
INDEX = {name: i for i, name in enumerate(COLUMNS)}


def _add(into: dict[Any, list[int]], key: Any, values: Mapping[str, int], sign: int) -> None:
    row = into.get(key)
    if row is None:
        row = into[key] = [0] * len(COLUMNS)
    for name, value in values.items():
        row[INDEX[name]] += sign * value


def _changed(found: dict[Any, list[int]]) -> dict[Any, Row]:
    return {key: tuple(row) for key, row in found.items() if any(row)}


def delta(
    old: Iterable[TicketFigures],
    new: Iterable[TicketFigures],
    thresholds: Mapping[str, float],
    zone: tzinfo = UTC,
) -> dict[Key, Row]:
    """What changes in the daily sums (per day of the centre's clock `zone`, channel, queue, agent)
    when `old` rows become `new` ones; unchanged keys left out."""
    found: dict[Any, list[int]] = {}
    for sign, tickets in ((-1, old), (1, new)):
        for t in tickets:
            for c in contributions(t, thresholds):
                _add(found, (c.at.astimezone(zone).date(), c.channel, c.queue_id, c.agent_id), c.values, sign)
    return _changed(found)


def by_month(daily: Mapping[Key, Row]) -> dict[Key, Row]:
    """Daily changes summed per calendar month of the same clock (keyed by its first day)."""
    found: dict[Key, list[int]] = {}
    for (day, channel, queue, agent), row in daily.items():
        into = found.setdefault((day.replace(day=1), channel, queue, agent), [0] * len(COLUMNS))
        for i, value in enumerate(row):
            into[i] += value
    return _changed(found)


def totals_delta(old: Iterable[TicketFigures], new: Iterable[TicketFigures]) -> dict[TotalsKey, Row]:
    """The change in all-time totals per (channel, opened queue): intake, escalations, classification
    times and survey replies, the families whose key never moves (for counters that only grow)."""
    found: dict[Any, list[int]] = {}
    for sign, tickets in ((-1, old), (1, new)):
        for t in tickets:
            surveyed = t.surveyed_at is not None
            values = {"incoming": 1, "escalations": t.escalations, "survey_replies": int(surveyed),
                      "survey_happy": int(surveyed and (t.survey_score or 0) >= HAPPY_SCORE),
                      **_classify(t.classify_ms)}  # fmt: skip
            _add(found, (t.channel, t.opened_queue_id or 0), values, sign)
    return _changed(found)


def within(
    tickets: Iterable[TicketFigures],
    thresholds: Mapping[str, float],
    start: datetime,
    end: datetime,
    *,
    short_abandon_s: float = 0,
) -> Iterator[Contribution]:
    """The contributions dated in [start, end), short abandonments left out (for partial days)."""
    for t in tickets:
        if short_abandon_s > 0 and is_short_abandon(t, short_abandon_s):
            continue
        for c in contributions(t, thresholds):
            if start <= c.at < end:
                yield c


def is_short_abandon(t: TicketFigures, short_abandon_s: float) -> bool:
    """Abandoned with a wait below `short_abandon_s` (strictly: 5 s drops 4.9 s, keeps 5 s)."""
    return t.abandoned_at is not None and (t.wait_us or 0) < short_abandon_s * 1_000_000


def as_dict(counts: Counts) -> dict[str, Any]:
    return {name: getattr(counts, name) for name in COLUMNS}
