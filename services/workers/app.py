"""The Celery app for `celery -A services.workers.app worker` and `... beat`, and its factory."""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from celery import Celery, signals
from kombu import Exchange, Queue

from services.workers import (
    beat_heartbeat,
    escalation,
    mail_delivery,
    messaging_delivery,
    notifications,
    proactive,
    reroutes,
    surveys,
)
from services.workers.database import BeforeCommit, ProcessPool
from services.workers.settings import WorkerSettings, prepare_filesystem_broker

# Named apart from the direct exchange "ticketing" of earlier versions: RabbitMQ refuses to redeclare
# an exchange with another type.
EXCHANGE = "ticketing.tasks"
# BROKER_URL=filesystem:// (make run without RabbitMQ): kombu's filesystem transport, writing and
# taking whole messages only.
FILE_BROKER_TRANSPORT = "services.workers.file_broker:Transport"
FAMILIES = (escalation, surveys, notifications, reroutes, mail_delivery, messaging_delivery, proactive)
# A sweep handles batches of a few hundred rows in well under a second; a sweep still running after
# the soft limit is stuck (a lock, a dead connection) and gives up cleanly, committed batches kept.
# The hard limit kills what ignores the soft one.
SOFT_TIME_LIMIT_S = 50
TIME_LIMIT_S = 60


def create_app(settings: WorkerSettings, before_commit: Mapping[str, BeforeCommit] | None = None) -> Celery:
    """The app; `before_commit` maps a sweep family to a call made inside each of its batch
    transactions, effects written but not committed (tests pause there to kill a worker)."""
    app = Celery("ticketing", set_as_current=False)
    transport_options = settings.broker_transport_options()
    transport = None
    if settings.broker_filesystem_dir is not None:
        prepare_filesystem_broker(transport_options)
        transport = FILE_BROKER_TRANSPORT
    # One exchange for every family, routing by queue: queues of several prefixes share it, so nothing
    # but the queues is left behind when a prefix goes away. A topic exchange, not direct: Celery's
    # native delayed delivery (the backoff of a retried task, on quorum queues) can only reach a queue
    # through a topic exchange (docs/workers.md, "Queues").
    exchange = Exchange(EXCHANGE, type="topic")
    queues = [
        Queue(
            settings.queue(f.FAMILY),
            exchange,
            routing_key=settings.routing_key(f.FAMILY),
            queue_arguments=settings.queue_arguments(),
        )
        for f in FAMILIES
    ]
    app.conf.update(
        broker_url=settings.broker_url,
        broker_transport=transport,
        broker_transport_options=transport_options,
        # Services start in any order: keep trying the broker rather than exit.
        broker_connection_retry_on_startup=True,
        result_backend=settings.result_backend,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        # A task's message is acknowledged after it ran, and given back if its process dies, so a
        # crash means a second run (which the sweeps make harmless), never a lost one.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # After a lost broker connection the unacknowledged message comes back anyway: stop the run.
        worker_cancel_long_running_tasks_on_connection_loss=True,
        # One message at a time: a prefetched sweep would wait behind a slow one. On quorum queues the
        # prefetch is per consumer and fixed (they have no global QoS), which is what Celery does when
        # it detects them (said explicitly: the default may change).
        worker_prefetch_multiplier=1,
        worker_detect_quorum_queues=True,
        # Delayed messages (a retry's backoff) wait in quorum queues too, not in a worker's memory.
        broker_native_delayed_delivery_queue_type="quorum",
        task_soft_time_limit=SOFT_TIME_LIMIT_S,
        task_time_limit=TIME_LIMIT_S,
        task_queues=queues,
        task_default_exchange=exchange.name,
        # A task without a route fails when sent (no such queue) instead of waiting in a queue that
        # no worker consumes.
        task_default_queue=settings.queue("unrouted"),
        task_create_missing_queues=False,
        task_routes={f"{f.FAMILY}.*": {"queue": settings.queue(f.FAMILY)} for f in FAMILIES},
        # Due work lives in PostgreSQL, so beat keeps its schedule in memory: a missed tick is
        # caught up by the next one, and no schedule file is left in the working directory.
        # The in-memory scheduler, touching BEAT_HEARTBEAT_FILE each tick for a liveness probe.
        beat_scheduler="services.workers.beat_heartbeat:HeartbeatScheduler",
        **{beat_heartbeat.CONF_KEY: _optional_str(settings.beat_heartbeat_file)},
        beat_schedule={
            "escalation-sweep": _every(escalation.SWEEP, settings.escalation_sweep_s),
            "survey-sweep": _every(surveys.SWEEP, settings.survey_sweep_s),
            "notification-sweep": _every(notifications.SWEEP, settings.notification_sweep_s),
            "proactive-sweep": _every(proactive.SWEEP, settings.channels.proactive.sweep_s),
            # Only with a relay to send through (SMTP_RELAY_URL); without one the e-mail outbox waits
            # for an integration to poll it.
            **(
                {"mail-sweep": _every(mail_delivery.SWEEP, settings.notification_sweep_s)}
                if settings.channels.email.relay is not None
                else {}
            ),
            # Only with a Twilio account or a WhatsApp Cloud token to send with.
            **(
                {"messaging-sweep": _every(messaging_delivery.SWEEP, settings.notification_sweep_s)}
                if messaging_delivery.enabled(settings)
                else {}
            ),
            **(
                {"reroute-sweep": _every(reroutes.SWEEP, settings.reroute_sweep_s)}
                if settings.internal_grpc is not None
                else {}
            ),
        },
    )
    db = ProcessPool(settings.database_url, name="worker")
    hooks = before_commit or {}
    escalation.register(app, settings, db, hooks.get(escalation.FAMILY))
    surveys.register(app, settings, db, hooks.get(surveys.FAMILY))
    notifications.register(app, settings, db)
    reroutes.register(app, settings, db)
    mail_delivery.register(app, settings, db)
    messaging_delivery.register(app, settings, db)
    proactive.register(app, settings, db, hooks.get(proactive.FAMILY))
    _close_on_shutdown(app, db)
    return app


def _optional_str(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def _every(task: str, seconds: float) -> dict[str, Any]:
    # A tick that waited longer than the interval is stale: the next tick does the same work, so a
    # worker back from an outage runs one sweep instead of working through a pile of them.
    return {"task": task, "schedule": seconds, "options": {"expires": seconds}}


def _close_on_shutdown(app: Celery, db: ProcessPool) -> None:
    def close(**_: Any) -> None:
        db.close()

    # A prefork child closes its own pool as it exits; the solo and threads pools close in the main
    # process. Signals hold their receivers weakly, so the app keeps this one alive, and no longer.
    app.close_database = close  # type: ignore[attr-defined]
    signals.worker_process_shutdown.connect(close)
    signals.worker_shutdown.connect(close)


def __getattr__(name: str) -> Celery:
    # Built on first access, not at import, so create_app can be imported without the process's
    # environment (by tests and the stack runner); `celery -A` and `from ... import app` both land here.
    if name != "app":
        raise AttributeError(name)
    app = create_app(WorkerSettings.from_env(os.environ))
    globals()["app"] = app
    return app
