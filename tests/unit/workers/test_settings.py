"""Worker settings from the environment and the filesystem broker options (services/workers/settings.py)."""

from datetime import timedelta
from pathlib import Path

import pytest

from services.shared.settings import SettingsError
from services.workers.settings import WorkerSettings, filesystem_transport_options, prepare_filesystem_broker

REQUIRED = {"DATABASE_URL": "postgresql://db/x", "BROKER_URL": "amqp://guest:guest@rabbit:5672//"}


def test_defaults():
    s = WorkerSettings.from_env(REQUIRED)
    assert (s.database_url, s.broker_url, s.broker_filesystem_dir) == (
        "postgresql://db/x",
        "amqp://guest:guest@rabbit:5672//",
        None,
    )
    assert (s.public_url, s.queue_prefix, s.result_backend) == ("http://localhost:8080", "", None)
    assert (s.escalation_sweep_s, s.survey_sweep_s, s.survey_expiry_days, s.sweep_batch_size) == (
        5.0,
        10.0,
        7,
        200,
    )
    assert s.sla.first_response_time("phone", 2) == timedelta(seconds=60)
    assert (s.survey_reminder_h, s.survey_quiet_days) == (48.0, 30)
    assert s.queue("escalations") == "escalations"
    assert s.broker_transport_options() == {"confirm_publish": True}


def test_overrides():
    s = WorkerSettings.from_env(
        REQUIRED
        | {
            "ESCALATE_AFTER_S": "phone=30",
            "PUBLIC_URL": "https://help.example.com/",
            "ESCALATION_SWEEP_S": "2.5",
            "SURVEY_SWEEP_S": "30",
            "SURVEY_EXPIRY_DAYS": "3",
            "SWEEP_BATCH_SIZE": "50",
            "CELERY_QUEUE_PREFIX": "test_ab12.",
            "CELERY_RESULT_BACKEND": "rpc://",
        }
    )
    assert s.sla.first_response_time("phone", 4) == timedelta(seconds=30)
    assert s.public_url == "https://help.example.com"
    assert (s.escalation_sweep_s, s.survey_sweep_s, s.survey_expiry_days, s.sweep_batch_size) == (
        2.5,
        30,
        3,
        50,
    )
    assert s.queue("surveys") == "test_ab12.surveys"
    assert s.result_backend == "rpc://"


@pytest.mark.parametrize(
    ("environ", "name"),
    [
        ({"BROKER_URL": "amqp://x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "x"}, "BROKER_URL"),
        ({"DATABASE_URL": "x", "BROKER_URL": "filesystem://"}, "BROKER_FILESYSTEM_DIR"),
        (REQUIRED | {"ESCALATE_AFTER_S": "fax=10"}, "ESCALATE_AFTER_S"),
        (REQUIRED | {"ESCALATION_SWEEP_S": "0"}, "ESCALATION_SWEEP_S"),
        (REQUIRED | {"SURVEY_SWEEP_S": "soon"}, "SURVEY_SWEEP_S"),
        (REQUIRED | {"SURVEY_EXPIRY_DAYS": "-1"}, "SURVEY_EXPIRY_DAYS"),
        (REQUIRED | {"SWEEP_BATCH_SIZE": "0"}, "SWEEP_BATCH_SIZE"),
        (REQUIRED | {"CELERY_QUEUE_PREFIX": "a b"}, "CELERY_QUEUE_PREFIX"),
        (REQUIRED | {"SLA_POLICIES_FILE": "/nonexistent/sla.yaml"}, "sla.yaml"),
        (REQUIRED | {"CALLBACK_MAX_ATTEMPTS": "0"}, "CALLBACK_MAX_ATTEMPTS"),
        (REQUIRED | {"CENTRE_TIMEZONE": "Dubai"}, "CENTRE_TIMEZONE"),
    ],
)
def test_a_bad_or_missing_setting_is_named(environ, name):
    with pytest.raises(SettingsError, match=name):
        WorkerSettings.from_env(environ)


def test_the_filesystem_broker_reads_and_writes_one_folder(tmp_path: Path):
    s = WorkerSettings.from_env(
        REQUIRED | {"BROKER_URL": "filesystem://", "BROKER_FILESYSTEM_DIR": str(tmp_path)}
    )
    options = s.broker_transport_options()

    assert s.broker_filesystem_dir == tmp_path.resolve()
    assert options == filesystem_transport_options(tmp_path.resolve())
    # Senders write to data_folder_out and workers read data_folder_in: they must meet.
    assert options["data_folder_in"] == options["data_folder_out"] == str(tmp_path.resolve() / "messages")
    assert options["store_processed"] is False


def test_preparing_the_filesystem_broker_creates_its_folders(tmp_path: Path):
    options = filesystem_transport_options(tmp_path / "broker")

    prepare_filesystem_broker(options)
    prepare_filesystem_broker(options)  # again: nothing to do, no error

    assert sorted(p.name for p in (tmp_path / "broker").iterdir()) == ["control", "messages", "processed"]


def test_the_product_reads_no_test_variable():
    # Test-only seams go in by injection (tests/fixtures/paused_worker.py), never by a setting.
    s = WorkerSettings.from_env(REQUIRED | {"TEST_SWEEP_PAUSE": "escalations:42"})
    assert s == WorkerSettings.from_env(REQUIRED)


def test_sla_calendars_without_a_zone_keep_the_centres_clock(tmp_path: Path):
    policies = tmp_path / "sla.yaml"
    policies.write_text(
        "calendars: {office: {hours: {mon: ['09:00-17:00']}}}\n"
        "policies: {'*': {first_response: 1h, resolution: 1d, calendar: office}}\n"
    )
    environ = REQUIRED | {"SLA_POLICIES_FILE": str(policies)}
    office = WorkerSettings.from_env(environ | {"CENTRE_TIMEZONE": "Asia/Dubai"}).sla.targets_for("web", 2)
    assert office.calendar.timezone.key == "Asia/Dubai"
    assert WorkerSettings.from_env(environ).sla.targets_for("web", 2).calendar.timezone.key == "UTC"
    # The shipped calendars name their zone (Asia/Riyadh): the centre's clock leaves them be.
    shipped = WorkerSettings.from_env(REQUIRED | {"CENTRE_TIMEZONE": "Asia/Dubai"}).sla.targets_for("web", 2)
    assert shipped.calendar.timezone.key == "Asia/Riyadh"
