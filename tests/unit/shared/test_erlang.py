"""Erlang C and Erlang A staffing maths against published and hand-computed figures (pure)."""

import math

import numpy as np
import pytest
from scipy.linalg import expm

from services.shared.erlang import Load, agents_needed, erlang_b, predict

# The textbook example: 100 calls per 30 minutes, 180 s handling (10 erlangs), a 20 s target.
EXAMPLE = Load(arrivals_per_s=100 / 1800, aht_s=180)


def test_erlang_c_matches_the_published_worked_example() -> None:
    got = predict(14, EXAMPLE, 20)
    assert got.p_wait == pytest.approx(0.1741, abs=5e-4)
    assert got.service_level == pytest.approx(0.8883, abs=5e-4)
    assert got.asa_s == pytest.approx(7.8, abs=0.05)
    assert got.abandonment is None
    # By hand from C(13, 10) = 0.2853: SL = 1 - 0.2853 e^(-3/180*20) = 0.7956, ASA = 0.2853 * 180/3
    # = 17.1 s; C(12, 10) = 0.4494 gives 1 - 0.4494 e^(-2/180*20) = 0.6402.
    assert predict(13, EXAMPLE, 20).service_level == pytest.approx(0.7956, abs=1e-3)
    assert predict(13, EXAMPLE, 20).asa_s == pytest.approx(17.1, abs=0.05)
    assert predict(12, EXAMPLE, 20).service_level == pytest.approx(0.6402, abs=1e-3)
    assert agents_needed(EXAMPLE, 20, service_level=0.8) == 14
    assert agents_needed(EXAMPLE, 20, service_level=0.7) == 13
    # An ASA target: 13 agents answer in 17.1 s on average, 14 in 7.8 s.
    assert agents_needed(EXAMPLE, 20, asa_s=10) == 14
    # Both targets: C(15, 10) = 0.1020 answers in 0.1020 * 180/5 = 3.7 s on average, so 16 for 3 s.
    assert agents_needed(EXAMPLE, 20, service_level=0.8, asa_s=3) == 16


def test_erlang_c_at_and_beyond_saturation_and_with_no_calls() -> None:
    assert predict(10, EXAMPLE, 20).service_level is None  # 10 erlangs on 10 agents never keeps up
    assert predict(10, EXAMPLE, 20).p_wait == 1
    idle = predict(3, Load(0, 180), 20)
    assert (idle.p_wait, idle.service_level, idle.asa_s) == (0, 1, 0)
    assert agents_needed(Load(0, 180), 20, service_level=0.8) == 0


def test_stable_for_large_centres() -> None:
    # 950 erlangs: factorials of 1000 overflow a float; the recursion does not.
    big = Load(arrivals_per_s=950 / 180, aht_s=180)
    n = agents_needed(big, 20, service_level=0.8)
    assert n is not None and 950 < n < 1000
    sl = predict(n, big, 20).service_level
    assert sl is not None and sl >= 0.8
    assert 0 <= erlang_b(5000, 4000) <= 1
    patient = predict(n, Load(big.arrivals_per_s, 180, patience_s=120), 20)
    assert 0 <= patient.p_wait <= 1 and patient.abandonment is not None
    # Overloaded, with patient callers: thousands of waiting states, no overflow.
    over = predict(10, Load(arrivals_per_s=20 / 180, aht_s=180, patience_s=3600), 20)
    assert over.abandonment == pytest.approx(0.5, abs=0.01)  # half the calls cannot be served
    # Far more agents than traffic: nobody waits.
    assert predict(3000, Load(1 / 180, 180, patience_s=60), 20).p_wait == 0


def test_erlang_a_by_hand_one_agent_equal_rates() -> None:
    # M/M/1+M with arrival = service = abandonment rate = 1/s. Relative to "busy, nobody waiting"
    # (weight 1), idle weighs mu/lambda = 1 and k waiting weigh 1/(k+1)!; the total is e.
    # P(wait) = (e - 1)/e. A caller finding k waiting is answered with probability c/(c+k+1), c = 1,
    # so abandonment = sum_k 1/(k+1)! * (k+1)/(k+2) / e = (1/e) * integral_0^1 x e^x dx = 1/e,
    # which the flow balance confirms: served = mu * P(busy) = 1 - 1/e.
    got = predict(1, Load(arrivals_per_s=1, aht_s=1, patience_s=1), 20)
    assert got.p_wait == pytest.approx((math.e - 1) / math.e)
    assert got.abandonment == pytest.approx(1 / math.e)


def _erlang_a_independently(n: int, lam: float, aht: float, patience: float, t: float) -> tuple[float, ...]:
    """The same queue solved another way: the stationary distribution from the generator matrix of
    a truncated birth-death chain, and each waiting caller's chance of an answer within t from the
    matrix exponential of its own position chain (no beta function, no closed forms)."""
    mu, theta, size = 1 / aht, 1 / patience, n + 80
    q = np.zeros((size, size))
    for s in range(size):
        if s + 1 < size:
            q[s, s + 1] = lam
        if s > 0:
            q[s, s - 1] = min(s, n) * mu + max(0, s - n) * theta
        q[s, s] = -q[s].sum()
    a = np.vstack([q.T, np.ones(size)])
    pi = np.linalg.lstsq(a, np.append(np.zeros(size), 1), rcond=None)[0]
    p_wait = pi[n:].sum()
    in_time = pi[:n].sum()
    abandoned = 0.0
    for k in range(size - n - 1):
        # Positions k+1 (k ahead) .. 1, then "answered" and "gave up" as absorbing states.
        m = k + 1
        g = np.zeros((m + 2, m + 2))
        for pos in range(m):  # index pos: (m - pos) - 1 callers ahead
            ahead = m - pos - 1
            g[pos, pos + 1 if pos + 1 < m else m] = n * mu + ahead * theta
            g[pos, m + 1] = theta
            g[pos, pos] = -(n * mu + ahead * theta + theta)
        start = np.zeros(m + 2)
        start[0] = 1
        in_time += pi[n + k] * (start @ expm(g * t))[m]
        abandoned += pi[n + k] * (start @ expm(g * 1e6))[m + 1]
    return p_wait, in_time, abandoned


def test_erlang_a_against_an_independent_numerical_solution() -> None:
    load = Load(arrivals_per_s=100 / 1800, aht_s=180, patience_s=120)
    got = predict(11, load, 20)
    p_wait, in_time, abandoned = _erlang_a_independently(11, 100 / 1800, 180, 120, 20)
    assert got.p_wait == pytest.approx(p_wait, rel=1e-6)
    assert got.service_level == pytest.approx(in_time, rel=1e-6)
    assert got.abandonment == pytest.approx(abandoned, rel=1e-6)
    # Impatient callers leave the queue shorter: fewer agents reach 80 % than Erlang C says.
    needed_a = agents_needed(load, 20, service_level=0.8)
    assert needed_a is not None and needed_a <= 14
    # Very patient callers behave as in Erlang C.
    patient = predict(14, Load(100 / 1800, 180, patience_s=1e7), 20)
    assert patient.p_wait == pytest.approx(0.1741, abs=5e-4)
    assert patient.service_level == pytest.approx(0.8883, abs=5e-4)
    assert patient.asa_s == pytest.approx(7.8, abs=0.05)
