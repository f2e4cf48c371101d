"""Staffing advice per queue: the inputs measured here, the Erlang maths in services/shared/erlang.py.

Measured inputs, per queue:
- arrival rate: tickets queued for a human in the last ARRIVAL_WINDOW_S (30 minutes), per hour;
- handling time: today's AHT on the centre's clock from the metrics service (talk and after-contact
  work, docs/kpis.md), when at least MIN_RESOLVED tickets were resolved today; else the mean
  answer-to-resolution time of the queue's last 200 resolved tickets; else DEFAULT_HANDLE_S;
- agents signed in: active agents serving the queue whose presence is available (busy or not);
  away and offline agents take no work, so they are not counted.
Each agent is counted as one server, as Erlang C and A assume (one contact at a time).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from ticketing.v1 import metrics_pb2

from gateway.actions.waits import DEFAULT_HANDLE_S
from gateway.http.deps import Deps
from services.shared import centre_clock
from services.shared.erlang import Load, Prediction, agents_needed, predict
from services.shared.store import agents, queues, tickets

# Arrivals are counted over the last 30 minutes: short enough to follow the day's peaks, long
# enough that a quiet queue's rate is not one ticket's chance.
ARRIVAL_WINDOW_S = 1800.0
# Today's AHT is trusted from this many resolved tickets; fewer fall back to the queue's history.
MIN_RESOLVED = 5


@dataclass(frozen=True)
class Measured:
    queue: str
    arrivals_per_s: float
    aht_s: float
    # Where aht_s came from: "today", "recent" (the last 200 resolved) or "default".
    aht_basis: str
    agents_signed_in: int


@dataclass(frozen=True)
class Advice:
    measured: Measured
    # None when no staff up to the maths' bound meets the targets.
    agents_needed: int | None
    predicted: Prediction


def advise(
    m: Measured, target_sl: float, target_s: float, patience_s: float | None, target_asa_s: float | None
) -> Advice:
    """Agents needed for the targets and the prediction with the agents signed in (pure)."""
    load = Load(m.arrivals_per_s, m.aht_s, patience_s)
    needed = agents_needed(load, target_s, service_level=target_sl, asa_s=target_asa_s)
    return Advice(m, needed, predict(m.agents_signed_in, load, target_s))


def handle_time(today: tuple[float | None, int] | None, recent_s: float | None) -> tuple[float, str]:
    """(AHT, basis) from today's (aht_s, resolved) when enough, the recent mean, or the default."""
    if today is not None and today[0] is not None and today[1] >= MIN_RESOLVED:
        return today[0], "today"
    if recent_s is not None and recent_s > 0:
        return recent_s, "recent"
    return DEFAULT_HANDLE_S, "default"


async def _today_aht(deps: Deps, now: datetime) -> dict[str, tuple[float | None, int]]:
    """Today's AHT and resolved count per queue; empty when the metrics service does not answer."""
    zone = deps.settings.centre_zone
    start = centre_clock.day_start(centre_clock.local_day(now, zone), zone)
    request = metrics_pb2.GetKpisRequest()
    getattr(request, "from").CopyFrom(_timestamp(start))
    request.to.CopyFrom(_timestamp(now))
    try:
        reply = await deps.metrics.GetKpis(request, timeout=deps.settings.metrics_timeout_s)
    except grpc.aio.AioRpcError:
        # The advice still comes, from the queues' history: staffing is no reason to fail.
        return {}
    return {
        name: (f.aht_s if f.HasField("aht_s") else None, f.resolved) for name, f in reply.by_queue.items()
    }


def _timestamp(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


class UnknownQueue(LookupError):
    pass


async def measure(deps: Deps, queue: str | None) -> list[Measured]:
    """The inputs of every queue (or of one; UnknownQueue when there is none by that name)."""
    now = datetime.now(UTC)
    today = await _today_aht(deps, now)
    async with deps.pool.connection() as conn:
        names = dict(await queues.names(conn))
        if queue is not None and queue not in names.values():
            raise UnknownQueue(queue)
        arrivals = await tickets.arrivals_by_queue(conn, now - timedelta(seconds=ARRIVAL_WINDOW_S))
        signed_in = await agents.available_by_queue(conn)
        out = []
        for queue_id, name in sorted(names.items(), key=lambda i: i[1]):
            if queue is not None and name != queue:
                continue
            recent = None
            if today.get(name, (None, 0))[1] < MIN_RESOLVED:
                recent = (await tickets.queue_load(conn, queue_id, now, ARRIVAL_WINDOW_S)).handle_s
            aht, basis = handle_time(today.get(name), recent)
            out.append(
                Measured(
                    name, arrivals.get(queue_id, 0) / ARRIVAL_WINDOW_S, aht, basis, signed_in.get(name, 0)
                )
            )
    return out


def as_dict(a: Advice) -> dict[str, Any]:
    p = a.predicted
    return {
        "queue": a.measured.queue,
        "arrival_rate_per_h": round(a.measured.arrivals_per_s * 3600, 3),
        "aht_s": round(a.measured.aht_s, 3),
        "aht_basis": a.measured.aht_basis,
        "agents_signed_in": a.measured.agents_signed_in,
        "agents_needed": a.agents_needed,
        "predicted": {
            "p_wait": _round(p.p_wait),
            "service_level": _round(p.service_level),
            "asa_s": _round(p.asa_s),
            "abandonment": _round(p.abandonment),
        },
    }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
