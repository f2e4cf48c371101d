"""Estimated waits: Erlang C where it applies, the backlog ahead otherwise (pure)."""

import math
from dataclasses import dataclass


def erlang_c(agents: int, traffic: float) -> float:
    """The probability that an arrival waits (Erlang C), for `agents` servers and `traffic` erlangs.

    Computed through the Erlang B recursion, which stays stable for hundreds of agents where the
    textbook formula's factorials overflow.
    """
    if agents <= 0:
        return 1.0
    if traffic <= 0:
        return 0.0
    if traffic >= agents:
        return 1.0
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return agents * b / (agents - traffic * (1 - b))


def erlang_c_wait_s(agents: int, arrivals_per_s: float, handle_s: float) -> float:
    """Mean wait of an arrival (ASA) in an M/M/N queue; infinite when the agents cannot keep up."""
    traffic = arrivals_per_s * handle_s
    if agents <= 0 or traffic >= agents:
        return math.inf
    return erlang_c(agents, traffic) * handle_s / (agents - traffic)


@dataclass(frozen=True)
class WaitInputs:
    # 1 = next to be offered.
    position: int
    # Slots of eligible signed-in agents (available or away), and how many are free right now.
    slots: int
    free_slots: int
    # Recent mean handling time of the queue, and arrivals per second to it.
    handle_s: float
    arrivals_per_s: float


def estimated_wait_s(w: WaitInputs) -> float | None:
    """Seconds until the ticket at `position` is offered; None when no agent could take it.

    The backlog ahead drains at `slots / handle_s` tickets per second once the free slots are used;
    Erlang C adds the wait random arrivals cause in a queue that keeps up (it is a floor for any
    position). Where the agents cannot keep up (traffic >= slots) only the backlog is meaningful.
    """
    if w.slots <= 0:
        return None
    ahead = max(0, w.position - w.free_slots)
    backlog = ahead * w.handle_s / w.slots
    if ahead == 0:
        return 0.0
    asa = erlang_c_wait_s(w.slots, w.arrivals_per_s, w.handle_s)
    return backlog if math.isinf(asa) else max(backlog, asa)
