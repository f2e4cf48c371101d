"""A ticket's timeline and handling times from its events, per docs/kpis.md (pure).

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
  handle = the sum of ended segments plus wrap-up (below); None when no segment has ended.
- Wrap-up (after-contact work): a `wrap_up_started` event (written with the resolution, transfer or
  escalation that ended an agent's segment) opens it, with its limit (`limit_s` of its data); the
  next `wrap_up_ended` or `wrap_up_started` closes it. It lasts until then, never beyond its limit,
  and one still open counts its whole limit (the limit ends it at the latest; an earlier end, when
  its event comes, shortens it). Contact centres count it in handling time (AHT = talk + hold +
  after-contact work); wrap_up is its part of handle.
- queue_id: the queue of the latest routed, transferred, human_requested, reopened or escalated
  event that names one; opened_queue_id: the queue of the last `routed` event (where the customer
  opened the ticket), which first-contact resolution compares a later contact with. A `routed` event
  after the first is a ticket routed by fallback and classified again while it still waited (its data
  says `"rerouted": true`): the queue it belonged in from the start. It is neither a transfer nor a
  segment end, and queued_at and classify_ms stay those of the first.
- survey: the first `survey_answered` event's score (1-5) and time; quality: every
  `quality_evaluated` event's time and score (0-100), in order; classify_ms: the first `routed`
  event's classification time, when the gateway measured one.
- Event kinds not named here (other issues add their own) are ignored, never an error.
- Durations are also kept in whole microseconds (wait_us, handle_us), so sums of them are exact.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

QUEUEING = frozenset({"routed", "transferred", "human_requested", "reopened", "escalated"})
SEGMENT_ENDS = frozenset({"resolved", "transferred", "escalated", "released"})


@dataclass(frozen=True)
class Event:
    id: int
    type: str
    occurred_at: datetime
    agent_id: int | None = None
    queue_id: int | None = None
    # A survey reply's or a quality evaluation's score; None for other events.
    score: float | None = None
    # The `routed` event's classification time (ms), when the gateway recorded one.
    classify_ms: float | None = None
    # A `wrap_up_started` event's limit (s).
    limit_s: float | None = None


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
    opened_queue_id: int | None = None
    wait_us: int | None = None
    handle_us: int | None = None
    survey_score: int | None = None
    surveyed_at: datetime | None = None
    # (evaluated at, score 0-100) of each quality evaluation, in event order.
    quality: tuple[tuple[datetime, float], ...] = ()
    classify_ms: float | None = None
    # The wrap-up part of handle_us.
    wrap_up_us: int = 0


MICROSECOND = timedelta(microseconds=1)


def _micros(start: datetime, end: datetime) -> int:
    return max(0, (end - start) // MICROSECOND)


def timeline(events: Iterable[Event]) -> Timeline:  # noqa: C901 (one branch per event kind, read top to bottom)
    """The timeline of one ticket; `events` must be all of its events (any order), at least one."""
    ordered = sorted(events, key=lambda e: e.id)
    if not ordered:
        raise ValueError("a timeline needs at least one event")
    queue_id = opened_queue_id = routed_at = human_requested_at = None
    survey_score: int | None = None
    surveyed_at: datetime | None = None
    quality: list[tuple[datetime, float]] = []
    classify_ms: float | None = None
    answered_at = abandoned_at = resolved_at = None
    answered_by = resolved_by = None
    faq_answered = False
    segment_start: datetime | None = None
    handle_us = wrap_up_us = 0
    # The open wrap-up: (start, limit in microseconds).
    wrap_up: tuple[datetime, int] | None = None
    segments = transfers = escalations = reopens = 0
    for e in ordered:
        if e.type in QUEUEING and e.queue_id is not None:
            queue_id = e.queue_id
        # A transfer counts against first-contact resolution only when it hands over a ticket an
        # agent was handling; the router's overflow also writes `transferred`, for a ticket nobody
        # had answered yet, and that is not a second contact.
        handed_over = False
        if e.type in SEGMENT_ENDS and segment_start is not None:
            handed_over = True
            segments += 1
            handle_us += _micros(segment_start, e.occurred_at)
            segment_start = None
        if e.type in ("wrap_up_started", "wrap_up_ended") and wrap_up is not None:
            wrap_up_us += min(wrap_up[1], _micros(wrap_up[0], e.occurred_at))
            wrap_up = None
        if e.type == "wrap_up_started":
            wrap_up = (e.occurred_at, round((e.limit_s or 0) * 1e6))
        elif e.type == "routed":
            opened_queue_id = e.queue_id if e.queue_id is not None else opened_queue_id
            if routed_at is None:
                routed_at, classify_ms = e.occurred_at, e.classify_ms
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
            transfers += handed_over
        elif e.type == "escalated":
            escalations += 1
        elif e.type == "survey_answered" and surveyed_at is None and e.score is not None:
            survey_score, surveyed_at = int(e.score), e.occurred_at
        elif e.type == "quality_evaluated" and e.score is not None:
            quality.append((e.occurred_at, float(e.score)))
    if wrap_up is not None:
        wrap_up_us += wrap_up[1]
    handle_us += wrap_up_us
    queued_at = human_requested_at if faq_answered else routed_at
    ended = answered_at or abandoned_at
    wait_us = _micros(queued_at, ended) if queued_at is not None and ended is not None else None
    return Timeline(
        queue_id=queue_id,
        queued_at=queued_at,
        answered_at=answered_at,
        abandoned_at=abandoned_at,
        resolved_at=resolved_at,
        answered_by=answered_by,
        resolved_by=resolved_by,
        wait_s=None if wait_us is None else wait_us / 1e6,
        handle_s=handle_us / 1e6 if segments else None,
        segments=segments,
        transfers=transfers,
        escalations=escalations,
        reopens=reopens,
        faq_answered=faq_answered,
        self_served=faq_answered and human_requested_at is None,
        last_event_id=ordered[-1].id,
        opened_queue_id=opened_queue_id,
        wait_us=wait_us,
        handle_us=handle_us if segments else None,
        survey_score=survey_score,
        surveyed_at=surveyed_at,
        quality=tuple(quality),
        classify_ms=classify_ms,
        wrap_up_us=wrap_up_us,
    )
