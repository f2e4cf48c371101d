"""Occupancy: time handling ÷ time available, per agent, queue and channel (pure).

- Available time: the agent's `available` presence intervals (agent_presence_intervals), clipped to
  the period (and to now). Away and offline time is not available.
- Handling time: the union of the agent's handling intervals, clipped to their available time. A
  handling interval runs from the agent's `answered` to the segment's end (`resolved`,
  `transferred`, `escalated`, `released`; still open: until now), then their wrap-up (from
  `wrap_up_started` to `wrap_up_ended`, never beyond its limit; still open: until the earlier of
  now and the limit). The union means an agent with two chats at once is busy once, not twice.
- Per queue: the handling of the queue's tickets (the queue a ticket is in now) ÷ the available time
  of the agents serving the queue; per channel likewise, over the agents with capacity on it; overall
  and per agent over all their tickets. A ratio with no available time is None.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

Span = tuple[datetime, datetime]

SEGMENT_ENDS = frozenset({"resolved", "transferred", "escalated", "released"})


@dataclass(frozen=True)
class HandlingEvent:
    id: int
    type: str
    occurred_at: datetime
    agent_id: int | None
    # A `wrap_up_started` event's limit (s).
    limit_s: float | None = None


@dataclass(frozen=True)
class Handling:
    """One agent's handling of one ticket, from when to when."""

    agent_id: int
    queue: str
    channel: str
    start: datetime
    end: datetime


def union(spans: Iterable[Span]) -> list[Span]:
    """The spans merged where they overlap or touch, in order; empty spans dropped."""
    merged: list[Span] = []
    for start, end in sorted(s for s in spans if s[0] < s[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def intersect(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """The overlap of two sorted, disjoint span lists (as `union` gives)."""
    out: list[Span] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def length_s(spans: Iterable[Span]) -> float:
    return sum((e - s).total_seconds() for s, e in spans)


def handling_spans(events: Iterable[HandlingEvent], now: datetime) -> list[tuple[int, Span]]:
    """(agent, span) of each handling segment and wrap-up of one ticket, from its events (any order)."""
    out: list[tuple[int, Span]] = []
    segment: tuple[int | None, datetime] | None = None
    wrap: tuple[int | None, datetime, datetime] | None = None

    def close_wrap(at: datetime) -> None:
        nonlocal wrap
        if wrap is not None and wrap[0] is not None:
            out.append((wrap[0], (wrap[1], min(at, wrap[2]))))
        wrap = None

    for e in sorted(events, key=lambda e: e.id):
        if e.type in SEGMENT_ENDS and segment is not None:
            if segment[0] is not None:
                out.append((segment[0], (segment[1], e.occurred_at)))
            segment = None
        elif e.type == "answered" and segment is None:
            segment = (e.agent_id, e.occurred_at)
        if e.type in ("wrap_up_started", "wrap_up_ended"):
            close_wrap(e.occurred_at)
        if e.type == "wrap_up_started":
            wrap = (e.agent_id, e.occurred_at, e.occurred_at + timedelta(seconds=e.limit_s or 0))
    if segment is not None and segment[0] is not None:
        out.append((segment[0], (segment[1], now)))
    close_wrap(now)
    return [(a, s) for a, s in out if s[0] < s[1]]


@dataclass
class Share:
    handling_s: float = 0.0
    available_s: float = 0.0

    @property
    def occupancy(self) -> float | None:
        return None if self.available_s <= 0 else min(1.0, self.handling_s / self.available_s)


@dataclass(frozen=True)
class Occupancy:
    overall: Share
    by_agent: dict[int, Share]
    by_queue: dict[str, Share]
    by_channel: dict[str, Share]
    # Agents' names, for the wallboard (filled by the reader).
    names: dict[int, str] = field(default_factory=dict)


@dataclass
class AgentShare:
    """One agent's available and handling time in a window, and their handling per queue and
    channel (of every ticket they handled, whoever serves the queue now): what occupancy is summed
    from, so windows (a day each, say) add up to their union."""

    available_s: float = 0.0
    handling_s: float = 0.0
    by_queue: dict[str, float] = field(default_factory=dict)
    by_channel: dict[str, float] = field(default_factory=dict)

    def add(self, other: "AgentShare") -> None:
        self.available_s += other.available_s
        self.handling_s += other.handling_s
        for q, s in other.by_queue.items():
            self.by_queue[q] = self.by_queue.get(q, 0.0) + s
        for c, s in other.by_channel.items():
            self.by_channel[c] = self.by_channel.get(c, 0.0) + s


def agent_shares(
    available: Mapping[int, Iterable[Span]], handling: Iterable[Handling], window: Span
) -> dict[int, AgentShare]:
    """Each agent's share of `window`: their available spans clipped to it, and the union of their
    handling (all, per queue, per channel) clipped to that. Time is additive across disjoint
    windows, since clipping a union to a window is the union of the clipped spans."""
    clip = [window] if window[0] < window[1] else []
    free = {a: intersect(union(spans), clip) for a, spans in available.items()}
    per_agent: dict[int, list[Span]] = {}
    per_queue: dict[int, dict[str, list[Span]]] = {}
    per_channel: dict[int, dict[str, list[Span]]] = {}
    for h in handling:
        span = (h.start, h.end)
        per_agent.setdefault(h.agent_id, []).append(span)
        per_queue.setdefault(h.agent_id, {}).setdefault(h.queue, []).append(span)
        per_channel.setdefault(h.agent_id, {}).setdefault(h.channel, []).append(span)

    def busy(spans: list[Span], agent: int) -> float:
        return length_s(intersect(union(spans), free.get(agent, [])))

    found: dict[int, AgentShare] = {}
    for agent, spans in free.items():
        share = AgentShare(length_s(spans), busy(per_agent.get(agent, []), agent))
        if share.available_s > 0 or share.handling_s > 0:
            share.by_queue = {q: busy(s, agent) for q, s in per_queue.get(agent, {}).items()}
            share.by_channel = {c: busy(s, agent) for c, s in per_channel.get(agent, {}).items()}
            found[agent] = share
    return found


def assemble(
    parts: Iterable[Mapping[int, AgentShare]],
    queues_of: Mapping[int, Iterable[str]],
    channels_of: Mapping[int, Iterable[str]],
) -> Occupancy:
    """Occupancy from agents' shares of disjoint windows: per agent their sum; per queue the agents
    serving it now (`queues_of`: their available time, their handling of the queue's tickets); per
    channel likewise (agents with capacity on it, `channels_of`)."""
    total: dict[int, AgentShare] = {}
    for part in parts:
        for agent, share in part.items():
            total.setdefault(agent, AgentShare()).add(share)
    overall = Share()
    by_agent: dict[int, Share] = {}
    by_queue: dict[str, Share] = {}
    by_channel: dict[str, Share] = {}
    for agent, share in sorted(total.items()):
        by_agent[agent] = Share(share.handling_s, share.available_s)
        overall.handling_s += share.handling_s
        overall.available_s += share.available_s
        for queue in queues_of.get(agent, ()):
            q = by_queue.setdefault(queue, Share())
            q.available_s += share.available_s
            q.handling_s += share.by_queue.get(queue, 0.0)
        for channel in channels_of.get(agent, ()):
            c = by_channel.setdefault(channel, Share())
            c.available_s += share.available_s
            c.handling_s += share.by_channel.get(channel, 0.0)
    return Occupancy(overall, by_agent, by_queue, by_channel)


def occupancy(
    available: Mapping[int, Iterable[Span]],
    handling: Iterable[Handling],
    period: Span,
    queues_of: Mapping[int, Iterable[str]],
    channels_of: Mapping[int, Iterable[str]],
) -> Occupancy:
    """Occupancy over `period` from each agent's available spans and handling, per agent, queue
    (agents serving it, `queues_of`) and channel (agents with capacity on it, `channels_of`)."""
    return assemble([agent_shares(available, handling, period)], queues_of, channels_of)
