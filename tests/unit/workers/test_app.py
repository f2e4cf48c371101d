"""The Celery app's configuration (services/workers/app.py): built without touching a broker."""

from pathlib import Path

import pytest
from celery import Celery
from celery.exceptions import QueueNotFound

from services.workers import escalation, file_broker, notifications, surveys
from services.workers.app import create_app
from services.workers.settings import WorkerSettings

REQUIRED = {"DATABASE_URL": "postgresql://db/x", "BROKER_URL": "amqp://guest:guest@rabbit:5672//"}


@pytest.fixture
def app() -> Celery:
    return create_app(
        WorkerSettings.from_env(REQUIRED | {"CELERY_QUEUE_PREFIX": "t1.", "ESCALATION_SWEEP_S": "3"})
    )


def test_json_only_late_acks_and_one_message_at_a_time(app: Celery):
    conf = app.conf
    assert (conf.task_serializer, conf.result_serializer) == ("json", "json")
    assert list(conf.accept_content) == ["json"]
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit


@pytest.mark.parametrize(
    ("task", "queue"), [(escalation.SWEEP, "t1.escalations"), (surveys.SWEEP, "t1.surveys")]
)
def test_each_task_family_has_its_own_prefixed_queue(app: Celery, task: str, queue: str):
    assert task in app.tasks
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_an_unrouted_task_is_refused_rather_than_lost(app: Celery):
    with pytest.raises(QueueNotFound):
        app.amqp.router.route({}, "misc.task")
    with pytest.raises(QueueNotFound):
        app.amqp.router.route({"queue": "nowhere"}, "misc.task")


def test_beat_starts_both_sweeps_and_drops_stale_ticks(app: Celery):
    schedule = app.conf.beat_schedule
    assert schedule["escalation-sweep"] == {
        "task": escalation.SWEEP,
        "schedule": 3.0,
        "options": {"expires": 3.0},
    }
    assert schedule["survey-sweep"]["task"] == surveys.SWEEP
    assert schedule["notification-sweep"]["task"] == notifications.SWEEP
    assert app.conf.beat_scheduler == "services.workers.beat_heartbeat:HeartbeatScheduler"


def test_the_filesystem_broker_gets_its_folders_and_options(tmp_path: Path):
    app = create_app(
        WorkerSettings.from_env(
            REQUIRED | {"BROKER_URL": "filesystem://", "BROKER_FILESYSTEM_DIR": str(tmp_path)}
        )
    )
    assert app.conf.broker_transport_options["data_folder_in"] == str(tmp_path.resolve() / "messages")
    assert (tmp_path / "messages").is_dir() and (tmp_path / "processed").is_dir()


def test_tasks_retry_transient_database_and_broker_errors_with_backoff(app: Celery):
    import psycopg

    for name in (escalation.SWEEP, surveys.SWEEP, notifications.SWEEP):
        task = app.tasks[name]
        assert psycopg.OperationalError in task.autoretry_for
        assert task.retry_backoff and task.retry_jitter and task.max_retries == 5


def test_beat_touches_its_heartbeat_file_each_tick(tmp_path: Path):
    from services.workers.beat_heartbeat import HeartbeatScheduler

    path = tmp_path / "beat.alive"
    app = create_app(WorkerSettings.from_env(REQUIRED | {"BEAT_HEARTBEAT_FILE": str(path)}))
    app.conf.beat_schedule = {}  # nothing due: the tick publishes nothing
    scheduler = HeartbeatScheduler(app=app, lazy=True)
    scheduler.tick()
    assert path.exists()


def test_rabbitmq_queues_are_quorum_queues_on_a_topic_exchange(app: Celery):
    queue = app.amqp.queues["t1.escalations"]
    assert queue.queue_arguments == {"x-queue-type": "quorum"}
    assert (queue.exchange.name, queue.exchange.type) == ("ticketing.tasks", "topic")
    # No '.' in the key: delayed delivery's "#.<key>" binding must not match another prefix's queue.
    assert queue.routing_key == "t1:escalations"
    assert app.conf.worker_detect_quorum_queues
    assert app.conf.broker_transport_options == {"confirm_publish": True}


def test_the_filesystem_broker_has_plain_queues(tmp_path: Path):
    app = create_app(
        WorkerSettings.from_env(
            REQUIRED | {"BROKER_URL": "filesystem://", "BROKER_FILESYSTEM_DIR": str(tmp_path)}
        )
    )
    assert all(not queue.queue_arguments for queue in app.amqp.queues.values())


def test_the_filesystem_broker_writes_and_takes_whole_messages(tmp_path: Path):
    settings = WorkerSettings.from_env(
        {**REQUIRED, "BROKER_URL": "filesystem://", "BROKER_FILESYSTEM_DIR": str(tmp_path)}
    )
    app = create_app(settings)
    with app.connection_for_write() as connection:
        assert type(connection.transport) is file_broker.Transport
    # RabbitMQ keeps kombu's own transport.
    assert create_app(WorkerSettings.from_env(REQUIRED)).conf.broker_transport is None
