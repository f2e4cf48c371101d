"""Erlang C and the estimated wait (pure)."""

import math

import pytest

from services.shared.routing.erlang import WaitInputs, erlang_c, erlang_c_wait_s, estimated_wait_s


def test_erlang_c_matches_published_values() -> None:
    # 10 erlangs: the textbook formula (factorials) gives 0.6821 on 11 agents, 0.4494 on 12, 0.2853 on 13.
    assert erlang_c(11, 10) == pytest.approx(0.6821, abs=1e-4)
    assert erlang_c(12, 10) == pytest.approx(0.4494, abs=1e-4)
    assert erlang_c(13, 10) == pytest.approx(0.2853, abs=1e-4)
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert erlang_c(5, 0) == 0.0
    assert erlang_c(5, 5) == 1.0


def test_mean_wait_of_an_mm1_queue() -> None:
    # M/M/1 with rho = 0.5 and a 120 s service: Wq = rho / (mu - lambda) = 0.5 / (1/120 - 1/240) = 120 s.
    assert erlang_c_wait_s(1, 1 / 240, 120) == pytest.approx(120)
    assert math.isinf(erlang_c_wait_s(2, 1 / 60, 120))  # 2 erlangs on 2 agents never keeps up
    # Stable for hundreds of agents, where factorials would overflow.
    assert 0 <= erlang_c(400, 380) <= 1


def test_the_estimate_uses_free_slots_backlog_and_erlang_c() -> None:
    assert estimated_wait_s(WaitInputs(1, slots=0, free_slots=0, handle_s=300, arrivals_per_s=0)) is None
    assert estimated_wait_s(WaitInputs(2, slots=4, free_slots=2, handle_s=300, arrivals_per_s=0)) == 0
    # Four ahead beyond the free slots, drained by four slots of 300 s each: 300 s.
    backlog = estimated_wait_s(WaitInputs(6, slots=4, free_slots=2, handle_s=300, arrivals_per_s=0.001))
    assert backlog == pytest.approx(300)
    # Near saturation Erlang C's mean wait exceeds the short backlog and wins.
    busy = estimated_wait_s(WaitInputs(1, slots=4, free_slots=0, handle_s=300, arrivals_per_s=3.8 / 300))
    assert busy == pytest.approx(erlang_c_wait_s(4, 3.8 / 300, 300))
    assert busy > 75
    # Overloaded: only the backlog means something.
    over = estimated_wait_s(WaitInputs(3, slots=2, free_slots=0, handle_s=100, arrivals_per_s=1))
    assert over == pytest.approx(150)
