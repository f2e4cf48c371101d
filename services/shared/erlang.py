"""Staffing maths: Erlang C (callers wait forever) and Erlang A (callers give up), pure.

A queue is M/M/N: Poisson arrivals at `arrivals_per_s`, exponential handling of mean `aht_s`, N
agents. Erlang A (M/M/N+M) adds exponential patience of mean `patience_s`: a caller still waiting
after their patience abandons.

Numerics: the states below N come from the Erlang B recursion (no factorials, stable for thousands
of agents); the states above N (callers waiting) are summed in log space until they no longer count,
so an overloaded queue with patient callers neither overflows nor loses precision.

Erlang A per arrival that finds all N agents busy and k callers already waiting (Mandelbaum and
Zeltyn's tagged-caller argument): with c = N/(aht·θ), θ = 1/patience, the caller moves up at rate
Nμ + jθ (j still ahead) and gives up at rate θ, so it is answered with probability c/(c+k+1), and
its time to an answer is the (k+1)-th of c+k+1 exponential(θ) clocks to ring, whence
P(answered within T) = c/(c+k+1) · I_p(k+1, c+1), p = 1 - e^(-θT), I the regularised incomplete beta.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import betainc

# Waiting states whose weight falls below this fraction of the largest are left out of the sums;
# smaller costs more terms for no visible digit, larger would shave the tail of an overloaded queue.
TAIL_CUTOFF = 1e-16
# A bound on the waiting states summed, whatever the inputs (an absurdly patient, overloaded queue).
MAX_WAITING_STATES = 200_000
# The largest staff the search for a target tries: far beyond any one queue of a real centre.
MAX_AGENTS = 10_000


@dataclass(frozen=True)
class Load:
    arrivals_per_s: float
    aht_s: float
    # Mean patience before a waiting caller abandons; None is Erlang C (nobody abandons).
    patience_s: float | None = None

    def __post_init__(self) -> None:
        if self.arrivals_per_s < 0 or self.aht_s <= 0:
            raise ValueError("arrivals must be >= 0 and the handling time > 0")
        if self.patience_s is not None and self.patience_s <= 0:
            raise ValueError("patience must be > 0")

    @property
    def traffic(self) -> float:
        """Offered load in erlangs."""
        return self.arrivals_per_s * self.aht_s


@dataclass(frozen=True)
class Prediction:
    agents: int
    # Probability that an arrival waits at all.
    p_wait: float
    # Fraction of arrivals answered within the target (an abandoned caller is a miss); None when the
    # agents cannot keep up (Erlang C with traffic >= agents: the queue grows without end).
    service_level: float | None
    # Mean wait of the answered callers (seconds); None when the queue grows without end.
    asa_s: float | None
    # Fraction of arrivals that abandon (Erlang A); None for Erlang C.
    abandonment: float | None


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of `agents` servers offered `traffic` erlangs (the stable recursion)."""
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def _inverse_erlang_b(agents: int, traffic: float) -> float:
    """1 / erlang_b, by its own recursion: inf (not a division by an underflowed zero) when huge."""
    inverse = 1.0
    for n in range(1, agents + 1):
        inverse = 1 + inverse * n / traffic
        if math.isinf(inverse):
            break
    return inverse


def predict(agents: int, load: Load, target_s: float) -> Prediction:
    """The queue's figures with `agents` agents; answered within `target_s` counts for service level."""
    if load.patience_s is None:
        return _erlang_c(agents, load, target_s)
    return _erlang_a(agents, load, target_s)


def _erlang_c(agents: int, load: Load, target_s: float) -> Prediction:
    a = load.traffic
    if a == 0:
        return Prediction(agents, 0.0, 1.0, 0.0, None)
    if agents <= a:
        return Prediction(agents, 1.0, None, None, None)
    b = erlang_b(agents, a)
    c = agents * b / (agents - a * (1 - b))
    drain = (agents - a) / load.aht_s
    return Prediction(agents, c, 1 - c * math.exp(-drain * target_s), c / drain, None)


def _erlang_a(agents: int, load: Load, target_s: float) -> Prediction:
    assert load.patience_s is not None
    lam, mu, theta = load.arrivals_per_s, 1 / load.aht_s, 1 / load.patience_s
    if lam == 0:
        return Prediction(agents, 0.0, 1.0, 0.0, 0.0)
    # Weights relative to "all N busy, nobody waiting": below N they sum to 1/B - 1 (Erlang B); the
    # waiting states k >= 0 have log weights sum_{j<=k} log(lambda / (N mu + j theta)).
    below = _inverse_erlang_b(agents, lam / mu) - 1
    if math.isinf(below):
        # So many agents for the traffic that nobody ever waits.
        return Prediction(agents, 0.0, 1.0, 0.0, 0.0)
    logs = [0.0]
    peak = 0.0
    for j in range(1, MAX_WAITING_STATES):
        logs.append(logs[-1] + math.log(lam / (agents * mu + j * theta)))
        peak = max(peak, logs[-1])
        if logs[-1] < logs[-2] and logs[-1] < peak + math.log(TAIL_CUTOFF):
            break
    # Everything scaled by e^-peak, so an overloaded queue's large weights never overflow.
    waiting = [math.exp(x - peak) for x in logs]
    total = below * math.exp(-peak) + math.fsum(waiting)
    c = agents * mu / theta
    p = -math.expm1(-theta * target_s)
    share = np.array(waiting) / total
    k = np.arange(len(waiting), dtype=float)
    served = c / (c + k + 1)
    p_wait = float(share.sum())
    abandoned = float((share * (1 - served)).sum())
    immediately = below * math.exp(-peak) / total
    answered = immediately + float((share * served).sum())
    if c == 0:
        return Prediction(agents, p_wait, immediately, None, abandoned)
    in_time = immediately + float((share * served * betainc(k + 1, c + 1, p)).sum())
    # The k+1 steps up each take 1 / (theta (c + j + 1)) on average, whatever ends them.
    steps = np.cumsum(1 / (theta * (c + k + 1)))
    answered_wait = float((share * served * steps).sum())
    asa = answered_wait / answered if answered > 0 else None
    return Prediction(agents, p_wait, in_time, asa, abandoned)


def agents_needed(
    load: Load,
    target_s: float,
    *,
    service_level: float | None = None,
    asa_s: float | None = None,
) -> int | None:
    """The fewest agents whose prediction meets every target given (service level within
    `target_s`, and/or a mean answer time); None when even MAX_AGENTS do not."""
    if load.traffic == 0:
        return 0
    # Erlang C needs more agents than erlangs; Erlang A may be stable below that, so starts low.
    first = math.floor(load.traffic) + 1 if load.patience_s is None else 1
    for n in range(first, MAX_AGENTS + 1):
        got = predict(n, load, target_s)
        sl_ok = service_level is None or (
            got.service_level is not None and got.service_level >= service_level
        )
        asa_ok = asa_s is None or (got.asa_s is not None and got.asa_s <= asa_s)
        if sl_ok and asa_ok:
            return n
    return None
