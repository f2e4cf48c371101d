"""A ticket's timeline and handling times from its events, per KPIS.md (pure).

Rules, for events taken in id order (the order they were written under the ticket's row lock):

- queued_at: the first `routed` event. A ticket answered automatically at intake (it has a
  `self_served` event) is never offered to a human unless the customer asks for one; then it is
  queued from its first `human_requested` event, whatever `routed` said at intake.
- answered_at: the first `answered` event; abandoned_at: the first `abandoned` event, counted only
  when no answer came before it (the first of the two wins, so no ticket is both).
- resolved_at: the last `resolved` event; None again after a `reopened` that no later resolution
  followed, since the ticket is open.
- wait = (answered_at or abandoned_at) - queued_at, never below 0 (integrations report their own
  clocks), None when the ticket was never queued or is still waiting.
- Handling segments: a segment starts at an `answered` event, any agent's, and ends at the next
  `resolved`, `transferred`, `escalated` or `released`. After a transfer the ticket waits again, the
  next agent claims it and must answer it (claimed -> answered) before resolving, so that agent's
  segment starts at their own answer: the time between a claim and its answer is the customer
  waiting, not handling. An `answered` while a segment is open does not start a second one, and a
  segment with no end yet (the ticket is being handled now) is not counted until it ends.
  handle = the sum of ended segments; None when no segment has ended.
- queue_id: the queue of the latest routed, transferred, human_requested, reopened or escalated
  event that names one.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

QUEUEING = frozenset({"routed", "transferred", "human_requested", "reopened", "escalated"})
SEGMENT_ENDS = frozenset({"resolved", "transferred", "escalated", "released"})


@dataclass(frozen=True)
class Event:
    id: int
    type: str
    occurred_at: datetime
    agent_id: int | None = None
    queue_id: int | None = None


@dataclass(frozen=True)
class Timeline:
    queue_id: int | None
    queued_at: datetime | None
    answered_at: datetime | None
    abandoned_at: datetime | None
    resolved_at: datetime | None
    answered_by: int | None
    resolved_by: int | None
    wait_s: float | None
    handle_s: float | None
    segments: int
    transfers: int
    escalations: int
    reopens: int
    # Answered automatically at intake; self_served: and the customer never asked for a human.
    faq_answered: bool
    self_served: bool
    last_event_id: int


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def timeline(events: Iterable[Event]) -> Timeline:
    """The timeline of one ticket; `events` must be all of its events (any order), at least one."""
    ordered = sorted(events, key=lambda e: e.id)
    if not ordered:
        raise ValueError("a timeline needs at least one event")
    queue_id = routed_at = human_requested_at = None
    answered_at = abandoned_at = resolved_at = None
    answered_by = resolved_by = None
    faq_answered = False
    segment_start: datetime | None = None
    handle_s = 0.0
    segments = transfers = escalations = reopens = 0
    for e in ordered:
        if e.type in QUEUEING and e.queue_id is not None:
            queue_id = e.queue_id
        if e.type in SEGMENT_ENDS and segment_start is not None:
            segments += 1
            handle_s += _seconds(segment_start, e.occurred_at)
            segment_start = None
        if e.type == "routed" and routed_at is None:
            routed_at = e.occurred_at
        elif e.type == "self_served":
            faq_answered = True
        elif e.type == "human_requested" and human_requested_at is None:
            human_requested_at = e.occurred_at
        elif e.type == "answered":
            if answered_at is None and abandoned_at is None:
                answered_at, answered_by = e.occurred_at, e.agent_id
            if segment_start is None:
                segment_start = e.occurred_at
        elif e.type == "abandoned" and answered_at is None and abandoned_at is None:
            abandoned_at = e.occurred_at
        elif e.type == "resolved":
            resolved_at, resolved_by = e.occurred_at, e.agent_id
        elif e.type == "reopened":
            resolved_at = resolved_by = None
            reopens += 1
        elif e.type == "transferred":
            transfers += 1
        elif e.type == "escalated":
            escalations += 1
    queued_at = human_requested_at if faq_answered else routed_at
    ended = answered_at or abandoned_at
    wait_s = _seconds(queued_at, ended) if queued_at is not None and ended is not None else None
    return Timeline(
        queue_id=queue_id,
        queued_at=queued_at,
        answered_at=answered_at,
        abandoned_at=abandoned_at,
        resolved_at=resolved_at,
        answered_by=answered_by,
        resolved_by=resolved_by,
        wait_s=wait_s,
        handle_s=handle_s if segments else None,
        segments=segments,
        transfers=transfers,
        escalations=escalations,
        reopens=reopens,
        faq_answered=faq_answered,
        self_served=faq_answered and human_requested_at is None,
        last_event_id=ordered[-1].id,
    )
