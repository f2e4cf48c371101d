"""Occupancy's interval arithmetic, worked out by hand (services/metrics/occupancy.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from services.metrics.occupancy import (
    Handling,
    HandlingEvent,
    handling_spans,
    intersect,
    length_s,
    occupancy,
    union,
)

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_union_and_intersection():
    assert union([(m(10), m(20)), (m(0), m(5)), (m(15), m(30)), (m(30), m(31)), (m(40), m(40))]) == [
        (m(0), m(5)),
        (m(10), m(31)),
    ]
    assert intersect([(m(0), m(10)), (m(20), m(30))], [(m(5), m(25))]) == [(m(5), m(10)), (m(20), m(25))]
    assert length_s([(m(0), m(1)), (m(2), m(4))]) == 180


def test_two_chats_at_once_are_busy_once_and_handling_outside_available_time_is_not_counted():
    # Agent 1 is available 08:00-09:00 and 09:30-10:00 (away 09:00-09:30): 90 minutes available.
    # Chat A 08:10-08:40 and chat B 08:20-08:50 overlap: busy 08:10-08:50, 40 minutes, not 60.
    # Phone C 08:55-09:40 counts only within available time: 08:55-09:00 and 09:30-09:40, 15 minutes.
    # Busy 55 of 90 minutes: 0.6111. Agent 2 is available 60 minutes and handles nothing: 0.
    available = {1: [(m(0), m(60)), (m(90), m(120))], 2: [(m(0), m(60))]}
    handling = [
        Handling(1, "cards", "chat", m(10), m(40)),
        Handling(1, "loans", "chat", m(20), m(50)),
        Handling(1, "cards", "phone", m(55), m(100)),
    ]
    got = occupancy(
        available,
        handling,
        (m(0), m(120)),
        queues_of={1: ["cards", "loans"], 2: ["cards"]},
        channels_of={1: ["chat", "phone"], 2: ["chat", "phone"]},
    )
    assert got.by_agent[1].occupancy == pytest.approx(55 / 90)
    assert got.by_agent[2].occupancy == 0
    assert got.overall.occupancy == pytest.approx(55 / 150)
    # cards: agent 1's cards handling (A 08:10-08:40 and C's 15 min) = 45 min, over both agents'
    # 150 minutes; loans: B's 30 min over agent 1's 90.
    assert got.by_queue["cards"].occupancy == pytest.approx(45 / 150)
    assert got.by_queue["loans"].occupancy == pytest.approx(30 / 90)
    # chat: A and B merged, 40 minutes, over 150; phone: 15 minutes over 150.
    assert got.by_channel["chat"].occupancy == pytest.approx(40 / 150)
    assert got.by_channel["phone"].occupancy == pytest.approx(15 / 150)


def test_the_period_clips_and_no_available_time_is_none():
    got = occupancy(
        {1: [(m(-60), m(30))], 2: [(m(200), m(300))]},
        [Handling(1, "cards", "phone", m(-30), m(15))],
        (m(0), m(60)),
        queues_of={1: ["cards"], 2: ["cards"]},
        channels_of={},
    )
    # Available 08:00-08:30 within the period, busy 08:00-08:15: 0.5. Agent 2 is outside it.
    assert got.by_agent[1].occupancy == pytest.approx(0.5)
    assert 2 not in got.by_agent
    assert occupancy({}, [], (m(0), m(60)), {}, {}).overall.occupancy is None


def test_handling_spans_from_events_with_wrap_up():
    events = [
        HandlingEvent(1, "answered", m(0), 7),
        HandlingEvent(2, "resolved", m(10), 7),
        HandlingEvent(3, "wrap_up_started", m(10), 7, limit_s=60),
        HandlingEvent(4, "wrap_up_ended", m(10.5), 7),
    ]
    assert handling_spans(events, m(100)) == [(7, (m(0), m(10))), (7, (m(10), m(10.5)))]
    # An open wrap-up lasts until its limit, or until now when that is sooner.
    assert handling_spans(events[:3], m(100))[-1] == (7, (m(10), m(11)))
    assert handling_spans(events[:3], m(10.25))[-1] == (7, (m(10), m(10.25)))
    # An open segment runs until now.
    assert handling_spans(events[:1], m(4)) == [(7, (m(0), m(4)))]
