"""Staffing: Erlang C's agents per hour and the shifts that cover them."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.shared import erlang
from services.simulate import staffing
from services.simulate.staffing import Need

T0 = datetime(2024, 1, 1, 4, tzinfo=UTC)


def test_an_hour_is_staffed_for_the_target_with_erlang_c() -> None:
    # The textbook case: 100 calls in 30 minutes, 180 s each, 80 % in 20 s needs 14 agents.
    rate = 100 / 1800
    assert staffing.agents_for(rate, 180, 20, 0.8, capacity=1, factor=1.0) == 14
    got = erlang.predict(14, erlang.Load(rate, 180), 20)
    assert got.service_level is not None and got.service_level >= 0.8
    # Three chats at once: a third of the servers, in whole agents; shrinkage adds its share.
    assert staffing.agents_for(rate, 180, 20, 0.8, capacity=3, factor=1.0) == 5
    assert staffing.agents_for(rate, 180, 20, 0.8, capacity=1, factor=1.3) == 19
    # An open hour with nobody expected still has someone in.
    assert staffing.agents_for(0.0, 180, 20, 0.8, capacity=1, factor=1.0) == 1


def test_shifts_cover_every_hours_need_and_stop_at_the_close() -> None:
    needs = [
        Need(T0 + timedelta(hours=h), T0 + timedelta(hours=h + 1), n)
        for h, n in enumerate([1, 3, 3, 2, 1, 1, 1, 1, 1, 4, 2])
    ]
    shifts = staffing.shifts_of_day(needs)
    close = needs[-1].end
    for need in needs:
        on = sum(1 for begin, end in shifts if begin <= need.start < end)
        assert on >= need.agents
    assert all(end - begin <= staffing.SHIFT and end <= close for begin, end in shifts)
    # Two more come in at the second hour; the evening peak of four comes after every shift ended.
    assert [b.hour - T0.hour for b, _ in shifts] == [0, 1, 1, 9, 9, 9, 9]


def test_a_roster_gives_agent_k_the_kth_shift_of_each_day() -> None:
    zone = ZoneInfo("Asia/Dubai")
    day2 = T0 + timedelta(days=1)
    needs = [Need(T0, T0 + timedelta(hours=1), 2), Need(day2, day2 + timedelta(hours=1), 1)]
    team = staffing.roster("phone", needs, zone, capacity=1, english_share=0.5, first_id=10)
    assert [a.id for a in team] == [10, 11]
    assert len(team[0].shifts) == 2 and len(team[1].shifts) == 1
    # The first agent of every team speaks English too.
    assert team[0].languages == {"ar", "en"} and team[1].languages == {"ar"}
