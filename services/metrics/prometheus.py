"""Prometheus text on the metrics service's HTTP port, read from PostgreSQL at each scrape.

Bound anywhere but loopback, a scrape must carry `Authorization: Bearer <PROMETHEUS_TOKEN>` (the
settings refuse such a bind without one): queue names and volumes are the centre's business.

The counters are the all-time totals the follower keeps in kpi_totals (per channel and the queue a
ticket was opened in, which never changes, so each only grows) rather than counts held in this
process: every copy of the service reports the same numbers, and a restart loses nothing. The
classifier-latency histogram is built the same way from the time the gateway measured around each
classification and put in the `routed` event (classify_ms). Queue depth and longest wait are read
from `tickets` at the scrape, and the event follower's lag and set-aside count from its tables
(services/metrics/follower_status.py): alert on ticketing_metrics_follower_stuck == 1 and on any
increase of ticketing_metrics_events_set_aside_total.
"""

import hmac
import logging
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import make_wsgi_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.registry import Collector, CollectorRegistry
from psycopg_pool import ConnectionPool

from services.metrics import follower_status
from services.metrics.follower_status import FollowerStatus
from services.metrics.rollup import CLASSIFY_BUCKETS_MS
from services.shared.binds import host_of
from services.shared.store import mail_dropped

log = logging.getLogger(__name__)

TOTALS = """
SELECT t.channel, coalesce(q.name, '') AS queue, t.incoming, t.escalations, t.survey_replies, t.survey_happy,
       t.classified, t.classify_us, {buckets}
FROM kpi_totals t LEFT JOIN queues q ON q.id = t.opened_queue_id
ORDER BY 1, 2
""".format(buckets=", ".join(f"t.classify_le_{b}" for b in CLASSIFY_BUCKETS_MS))

DEPTH = """
SELECT q.name, count(t.id), coalesce(extract(epoch FROM now() - min(coalesce(t.queued_at, t.created_at))), 0)
FROM queues q LEFT JOIN tickets t ON t.queue_id = q.id AND t.status = 'queued'
GROUP BY q.name ORDER BY q.name
"""


def follower_families(status: FollowerStatus) -> list[Any]:
    set_aside = CounterMetricFamily(
        "ticketing_metrics_events_set_aside",
        "Events the metrics follower could not process and set aside (listed by GET /v1/metrics/set-aside)",
        value=status.set_aside,
    )
    behind = GaugeMetricFamily(
        "ticketing_metrics_follower_lag_events",
        "Committed ticket events the metrics follower has yet to process",
        value=status.events_behind,
    )
    oldest = GaugeMetricFamily(
        "ticketing_metrics_follower_oldest_unprocessed_seconds",
        "Age of the first ticket event the metrics follower has yet to process (0: none)",
        value=status.oldest_unprocessed_age_s,
    )
    stuck = GaugeMetricFamily(
        "ticketing_metrics_follower_stuck",
        "1 when the first unprocessed event has waited past METRICS_FOLLOWER_STUCK_AFTER_S",
        value=int(status.stuck),
    )
    return [set_aside, behind, oldest, stuck]


class TicketingCollector(Collector):
    def __init__(self, pool: ConnectionPool, stuck_after_s: float) -> None:
        self._pool = pool
        self._stuck_after_s = stuck_after_s

    def collect(self) -> Iterator[Any]:
        try:
            with self._pool.connection(timeout=5) as conn:
                totals = conn.execute(TOTALS).fetchall()
                depth = conn.execute(DEPTH).fetchall()
                status = follower_status.read_sync(conn, self._stuck_after_s)
                dropped = mail_dropped.totals_sync(conn)
        except Exception as exc:
            # A scrape while PostgreSQL is away shows no ticket figures rather than failing.
            log.warning("prometheus: figures unavailable (%s)", exc)
            return
        labels = ["channel", "queue"]
        created = CounterMetricFamily("ticketing_tickets_created", "Tickets opened (intake)", labels=labels)
        escalations = CounterMetricFamily("ticketing_escalations", "Escalations of tickets", labels=labels)
        replies = CounterMetricFamily("ticketing_survey_replies", "Survey replies", labels=labels)
        happy = CounterMetricFamily(
            "ticketing_survey_replies_happy", "Survey replies scoring 4 or 5", labels=labels
        )
        latency = HistogramMetricFamily(
            "ticketing_classifier_latency_seconds",
            "Time the gateway spent classifying an inquiry (timeouts included)",
            labels=["channel"],
        )
        per_channel: dict[str, list[float]] = {}
        for channel, queue, incoming, escalated, replied, pleased, classified, micros, *buckets in totals:
            created.add_metric([channel, queue], incoming)
            escalations.add_metric([channel, queue], escalated)
            replies.add_metric([channel, queue], replied)
            happy.add_metric([channel, queue], pleased)
            sums = per_channel.setdefault(channel, [0.0] * (len(CLASSIFY_BUCKETS_MS) + 2))
            for i, value in enumerate([*buckets, classified, micros]):
                sums[i] += value
        for channel, sums in per_channel.items():
            *cumulative, count, micros = sums
            buckets = [(str(b / 1000), n) for b, n in zip(CLASSIFY_BUCKETS_MS, cumulative, strict=True)]
            latency.add_metric([channel], [*buckets, ("+Inf", count)], sum_value=micros / 1e6)
        waiting = GaugeMetricFamily(
            "ticketing_queue_depth", "Tickets waiting in the queue now", labels=["queue"]
        )
        longest = GaugeMetricFamily(
            "ticketing_queue_longest_wait_seconds",
            "Wait of the longest-waiting ticket (0: none)",
            labels=["queue"],
        )
        for queue, count, seconds in depth:
            waiting.add_metric([queue], count)
            longest.add_metric([queue], max(0.0, float(seconds)))
        robots = CounterMetricFamily(
            "ticketing_mail_dropped",
            "Inbound mail dropped as written by no person (auto-reply, bounce, list, loop), by reason",
            labels=["reason"],
        )
        for reason, total in dropped:
            robots.add_metric([reason], total)
        yield from (created, escalations, replies, happy, latency, waiting, longest, robots)
        yield from follower_families(status)


Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def require_bearer(app: Wsgi, token: str) -> Wsgi:
    """`app` behind `Authorization: Bearer <token>`; anything else is answered 401."""
    expected = f"Bearer {token}".encode()

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        given = environ.get("HTTP_AUTHORIZATION", "").encode("latin-1", "replace")
        if hmac.compare_digest(given, expected):
            return app(environ, start_response)
        start_response(
            "401 Unauthorized",
            [("Content-Type", "text/plain"), ("WWW-Authenticate", 'Bearer realm="metrics"')],
        )
        return [b"a bearer token is required\n"]

    return guarded


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes every few seconds would flood the log."""


def serve(
    bind: str, database_url: str, token: str | None = None, *, stuck_after_s: float = 60.0
) -> tuple[Any, ConnectionPool]:
    """Starts the HTTP server (its own thread) with a small pool of its own; returns both to close."""
    port = bind.rpartition(":")[2]
    pool = ConnectionPool(database_url, min_size=0, max_size=2, name="metrics-prometheus", open=True,
                          kwargs={"autocommit": True, "application_name": "metrics"})  # fmt: skip
    registry = CollectorRegistry()
    registry.register(TicketingCollector(pool, stuck_after_s))
    app: Wsgi = make_wsgi_app(registry)
    if token is not None:
        app = require_bearer(app, token)
    family, _, _, _, sockaddr = socket.getaddrinfo(
        host_of(bind) or "0.0.0.0", int(port), type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]

    class Server(ThreadingWSGIServer):
        address_family = family

    server = make_server(str(sockaddr[0]), int(port), app, Server, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="prometheus", daemon=True).start()
    return server, pool
