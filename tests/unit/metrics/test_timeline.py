"""A ticket's timeline from scripted event lists (services/metrics/timeline.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from services.metrics.timeline import Event, timeline

T0 = datetime(2024, 3, 10, 9, 0, tzinfo=UTC)
CARDS, GENERAL = 2, 9


def script(*steps: tuple) -> list[Event]:
    """Events from (seconds after T0, type[, agent_id[, queue_id]]) tuples, ids in order."""
    events = []
    for n, (seconds, kind, *rest) in enumerate(steps, start=1):
        agent = rest[0] if rest else None
        queue = rest[1] if len(rest) > 1 else None
        events.append(Event(n, kind, T0 + timedelta(seconds=seconds), agent, queue))
    return events


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_answered_and_resolved():
    line = timeline(
        script(
            (0, "created"),
            (0, "routed", None, CARDS),
            (5, "claimed", 7, CARDS),
            (12, "answered", 7, CARDS),
            (250, "resolved", 7, CARDS),
            (260, "survey_sent"),
        )
    )
    assert (line.queued_at, line.answered_at, line.abandoned_at, line.resolved_at) == (
        at(0),
        at(12),
        None,
        at(250),
    )
    assert (line.wait_s, line.handle_s, line.segments) == (12.0, 238.0, 1)
    assert (line.answered_by, line.resolved_by, line.queue_id) == (7, 7, CARDS)
    assert (line.transfers, line.escalations, line.reopens) == (0, 0, 0)
    assert not line.faq_answered and not line.self_served
    assert line.last_event_id == 6


def test_abandoned_while_queued_and_while_claimed():
    queued = timeline(script((0, "created"), (0, "routed", None, CARDS), (12, "abandoned", None, CARDS)))
    assert (queued.abandoned_at, queued.answered_at, queued.wait_s) == (at(12), None, 12.0)
    assert (queued.segments, queued.handle_s, queued.resolved_at) == (0, None, None)

    claimed = timeline(
        script((0, "routed", None, CARDS), (4, "claimed", 7), (9, "released", 7), (30, "abandoned"))
    )
    assert (claimed.abandoned_at, claimed.wait_s, claimed.segments) == (at(30), 30.0, 0)


def test_transfer_gives_two_segments_the_second_from_the_next_agents_answer():
    line = timeline(
        script(
            (100, "routed", None, CARDS),
            (120, "claimed", 7, CARDS),
            (130, "answered", 7, CARDS),
            (190, "transferred", 7, GENERAL),
            (200, "claimed", 8, GENERAL),
            (215, "answered", 8, GENERAL),
            (335, "resolved", 8, GENERAL),
        )
    )
    assert (line.answered_at, line.answered_by, line.wait_s) == (at(130), 7, 30.0)
    # 130..190 for agent 7, then 215..335 for agent 8 (200..215 is the customer waiting again).
    assert (line.segments, line.handle_s, line.transfers) == (2, 60.0 + 120.0, 1)
    assert (line.queue_id, line.resolved_by) == (GENERAL, 8)


def test_overflow_of_a_waiting_ticket_is_no_transfer_against_first_contact_resolution():
    line = timeline(
        script(
            (0, "routed", None, CARDS),
            (300, "transferred", None, GENERAL),  # the router's overflow: nobody had answered
            (310, "claimed", 8, GENERAL),
            (320, "answered", 8, GENERAL),
            (400, "resolved", 8, GENERAL),
        )
    )
    assert (line.segments, line.transfers, line.wait_s, line.queue_id) == (1, 0, 320.0, GENERAL)


def test_escalated_while_waiting_counts_but_ends_no_segment():
    line = timeline(
        script(
            (0, "routed", None, GENERAL),
            (130, "escalated", None, GENERAL),
            (140, "claimed", 7),
            (150, "answered", 7),
            (300, "resolved", 7),
        )
    )
    assert (line.escalations, line.segments, line.handle_s, line.wait_s) == (1, 1, 150.0, 150.0)


def test_escalation_during_handling_ends_the_segment():
    line = timeline(
        script(
            (0, "routed", None, CARDS),
            (10, "answered", 7),
            (40, "escalated", None, GENERAL),
            (90, "answered", 8),
        )
    )
    # The second segment has not ended: it is not counted yet.
    assert (line.segments, line.handle_s, line.queue_id) == (1, 30.0, GENERAL)


def test_reopened_ticket_sums_both_handlings_and_keeps_the_last_resolution():
    events = script(
        (0, "routed", None, GENERAL),
        (140, "claimed", 7),
        (150, "answered", 7),
        (300, "resolved", 7),
        (1000, "reopened", None, GENERAL),
        (1010, "claimed", 8),
        (1020, "answered", 8),
        (1080, "resolved", 8),
    )
    reopened_now = timeline(events[:5])
    assert (reopened_now.resolved_at, reopened_now.reopens, reopened_now.handle_s) == (None, 1, 150.0)

    line = timeline(events)
    assert (line.answered_at, line.wait_s) == (at(150), 150.0)
    assert (line.resolved_at, line.resolved_by, line.reopens) == (at(1080), 8, 1)
    assert (line.segments, line.handle_s) == (2, 150.0 + 60.0)


def test_self_served_is_never_queued():
    line = timeline(script((0, "created"), (0, "routed", None, GENERAL), (0, "self_served", None, GENERAL)))
    assert line.faq_answered and line.self_served
    assert (line.queued_at, line.wait_s, line.queue_id) == (None, None, GENERAL)


def test_self_served_then_human_is_queued_when_asked():
    line = timeline(
        script(
            (20, "created"),
            (20, "routed", None, CARDS),
            (20, "self_served"),
            (600, "human_requested", None, GENERAL),
            (700, "claimed", 7),
            (4000, "answered", 7),
            (4100, "resolved", 7),
        )
    )
    assert line.faq_answered and not line.self_served
    assert (line.queued_at, line.wait_s, line.handle_s, line.queue_id) == (at(600), 3400.0, 100.0, GENERAL)


def test_still_waiting_and_still_in_handling():
    waiting = timeline(script((0, "routed", None, CARDS)))
    assert (waiting.queued_at, waiting.wait_s, waiting.handle_s) == (at(0), None, None)
    handling = timeline(script((0, "routed", None, CARDS), (3, "claimed", 7), (8, "answered", 7)))
    assert (handling.wait_s, handling.segments, handling.handle_s) == (8.0, 0, None)


def test_events_are_taken_in_id_order_and_waits_never_negative():
    shuffled = list(reversed(script((10, "routed", None, CARDS), (4, "answered", 7), (20, "resolved", 7))))
    line = timeline(shuffled)
    # The answer was reported with a clock behind the router's: clamped at 0, not negative.
    assert (line.wait_s, line.handle_s, line.last_event_id) == (0.0, 16.0, 3)


def test_an_answer_after_an_abandonment_does_not_make_it_answered():
    line = timeline(script((0, "routed"), (5, "abandoned"), (9, "answered", 7)))
    assert (line.abandoned_at, line.answered_at, line.wait_s) == (at(5), None, 5.0)


def test_no_events_is_an_error():
    with pytest.raises(ValueError):
        timeline([])


def test_survey_quality_opening_queue_and_unknown_kinds():
    events = script(
        (0, "created"),
        (0, "routed", None, CARDS),
        (1, "offered", 7, CARDS),  # a kind this module does not know: ignored
        (5, "claimed", 7, CARDS),
        (12, "answered", 7, CARDS),
        (30, "customer_message"),
        (40, "transferred", 7, GENERAL),
        (50, "claimed", 8),
        (60, "answered", 8),
        (90, "resolved", 8),
    )
    events += [
        Event(20, "survey_answered", at(200), score=4),
        Event(21, "survey_answered", at(300), score=1),  # a second reply does not count
        Event(22, "quality_evaluated", at(400), score=88.4),
        Event(23, "quality_evaluated", at(500), score=70),
    ]
    line = timeline(events)
    assert (line.opened_queue_id, line.queue_id) == (CARDS, GENERAL)
    assert (line.survey_score, line.surveyed_at) == (4, at(200))
    assert line.quality == ((at(400), 88.4), (at(500), 70.0))
    assert (line.wait_us, line.handle_us, line.segments) == (12_000_000, 58_000_000, 2)


def test_a_fallback_ticket_routed_again_opens_in_its_classified_queue_without_a_transfer():
    triage = 99
    events = script(
        (0, "created"),
        (0, "routed", None, triage),
        (3, "routed", None, CARDS),  # the re-routing sweep: the classifier answered again
        (20, "claimed", 7, CARDS),
        (25, "answered", 7, CARDS),
        (60, "resolved", 7, CARDS),
    )
    line = timeline(events)
    assert (line.opened_queue_id, line.queue_id) == (CARDS, CARDS)
    assert (line.transfers, line.segments, line.escalations) == (0, 1, 0)
    # The customer has waited since the first routing.
    assert line.queued_at == at(0) and line.wait_us == 25_000_000


def _wrap_up(n: int, seconds: float, agent: int, limit_s: float) -> Event:
    return Event(n, "wrap_up_started", at(seconds), agent, CARDS, limit_s=limit_s)


def test_wrap_up_counts_in_handling_until_ended_and_never_beyond_its_limit():
    talk = script(
        (0, "created"), (0, "routed", None, CARDS), (5, "claimed", 7, CARDS),
        (10, "answered", 7, CARDS), (190, "resolved", 7, CARDS),
    )  # fmt: skip
    # Ended by the agent 25 s after the resolution: 180 s talk + 25 s wrap-up = 205 s.
    ended = timeline([*talk, _wrap_up(6, 190, 7, 60), Event(7, "wrap_up_ended", at(215), 7)])
    assert (ended.handle_s, ended.wrap_up_us, ended.segments) == (205, 25_000_000, 1)
    # Not ended yet: the limit ends it at the latest, so the whole limit counts (180 + 60 = 240 s).
    still_open = timeline([*talk, _wrap_up(6, 190, 7, 60)])
    assert (still_open.handle_s, still_open.wrap_up_us) == (240, 60_000_000)
    # Ended after the limit (a presence change 5 minutes later): the limit is what counts.
    late = timeline([*talk, _wrap_up(6, 190, 7, 60), Event(7, "wrap_up_ended", at(490), 7)])
    assert late.handle_s == 240
    # No wrap-up events: handling is the talk alone, as before.
    assert timeline(talk).handle_s == 180


def test_each_segments_wrap_up_adds_to_the_handling():
    # Agent 7 talks 50 s, transfers and wraps up 10 s (ended by the next wrap-up of nobody: its own
    # end event); agent 8 answers the transfer, talks 100 s, resolves, wraps up 60 s (still open).
    line = timeline(
        [
            *script(
                (0, "created"), (0, "routed", None, CARDS), (5, "claimed", 7, CARDS),
                (10, "answered", 7, CARDS), (60, "transferred", 7, GENERAL),
            ),
            _wrap_up(6, 60, 7, 30),
            Event(7, "wrap_up_ended", at(70), 7),
            Event(8, "claimed", at(80), 8, GENERAL),
            Event(9, "answered", at(90), 8, GENERAL),
            Event(10, "resolved", at(190), 8, GENERAL),
            _wrap_up(11, 190, 8, 60),
        ]
    )  # fmt: skip
    assert (line.segments, line.wrap_up_us, line.handle_s) == (2, 70_000_000, 50 + 10 + 100 + 60)
