"""The workers' queues on the real RabbitMQ are quorum queues, and a delayed task still arrives.

RabbitMQ's management API is off, so the queue type is read the way a client can: declaring a queue
with another type than it has is refused (406 PRECONDITION_FAILED), declaring it with its own type
is accepted.
"""

from typing import Any

import amqp.exceptions
import pytest

from services.workers import escalation
from services.workers.app import FAMILIES
from tests.fixtures.celery_worker import WorkerHandle

pytestmark = pytest.mark.integration


def _declare(worker: WorkerHandle, name: str, arguments: dict[str, Any]) -> None:
    with worker.app.connection_for_write() as conn:
        # A channel of its own: a refused declaration closes the channel it was made on.
        channel = conn.channel()
        try:
            channel.queue_declare(name, durable=True, auto_delete=False, arguments=arguments)
        finally:
            channel.close()


@pytest.mark.parametrize("family", [family.FAMILY for family in FAMILIES])
def test_every_task_queue_is_a_quorum_queue(celery_worker: WorkerHandle, family: str):
    name = celery_worker.settings.queue(family)
    with pytest.raises(amqp.exceptions.PreconditionFailed, match="x-queue-type"):
        _declare(celery_worker, name, {"x-queue-type": "classic"})
    _declare(celery_worker, name, {"x-queue-type": "quorum"})  # the same type: accepted


def test_messages_are_published_with_confirms(celery_worker: WorkerHandle):
    app = celery_worker.app
    with app.producer_or_acquire() as producer:
        app.send_task(escalation.SWEEP, producer=producer).get(timeout=30)
        # The channel went into confirm mode before the message went out, so send_task returned only
        # after RabbitMQ confirmed it.
        assert producer.channel._confirm_selected


def test_a_delayed_task_waits_in_the_broker_and_then_runs(celery_worker: WorkerHandle):
    # What a retry's backoff does: a countdown. On quorum queues it goes through Celery's native
    # delayed delivery (the topic exchange), not into the worker's memory; it still arrives.
    result = celery_worker.app.send_task(escalation.SWEEP, countdown=2)
    assert result.get(timeout=60) == 0
    assert "direct exchange" not in celery_worker.log()
    assert "Failed to setup delayed delivery" not in celery_worker.log()
