"""The worker and beat settings, read once from the environment."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from services.shared import centre_clock, sla
from services.shared.centre_clock import UTC_ZONE
from services.shared.channels import ChannelSettings
from services.shared.egress import EgressPolicy
from services.shared.internal_credential import TOKEN_VAR, ClientSecurity
from services.shared.settings import Env, SettingsError
from services.shared.sla import SlaPolicies

FILESYSTEM_SCHEME = "filesystem://"
# kombu's names for RabbitMQ: only there do queues have a type.
AMQP_SCHEMES = frozenset({"amqp", "amqps", "pyamqp"})
QUEUE_PREFIX = re.compile(r"^[A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class WorkerSettings:
    database_url: str
    broker_url: str
    # kombu's filesystem transport keeps its messages here; only with BROKER_URL=filesystem://.
    broker_filesystem_dir: Path | None
    sla: SlaPolicies
    # Survey links point here: the gateway as customers reach it.
    public_url: str
    # How often beat starts each sweep. Shorter finds due work sooner; each tick is one message and
    # one indexed query, so a few seconds costs little.
    escalation_sweep_s: float = 5.0
    survey_sweep_s: float = 10.0
    # How long a survey link stays answerable. Longer catches late replies; shorter limits how long
    # a leaked link (in a forwarded e-mail) stays usable.
    survey_expiry_days: int = 7
    # One reminder this long after an unanswered survey went out. Sooner catches the customer while
    # the contact is fresh; later nags fewer people who meant to answer anyway.
    survey_reminder_h: float = 48.0
    # A customer surveyed in this many days gets no other survey: fewer, more honest answers.
    survey_quiet_days: int = 30
    # Resolution codes that mean nobody should be surveyed (nothing was handled for a person).
    survey_suppressed_codes: frozenset[str] = frozenset({"spam", "merged", "duplicate", "self_served"})
    # How often the notifications sweep posts pending messages to channels' callbacks.
    notification_sweep_s: float = 5.0
    # A callback must answer within this; longer tolerates slow receivers, shorter frees the worker.
    callback_timeout_s: float = 10.0
    # Attempts before a callback delivery is given up (the message stays for polling). With the
    # backoff below, 8 attempts span about 20 minutes.
    callback_max_attempts: int = 8
    # First retry after this, doubling each time, at most callback_backoff_max_s.
    callback_backoff_s: float = 10.0
    callback_backoff_max_s: float = 600.0
    # Where callbacks may go (CALLBACK_ALLOW_HTTP, CALLBACK_ALLOWED_NETWORKS): services/shared/egress.py.
    callback_egress: EgressPolicy = field(default_factory=EgressPolicy)
    # Tickets locked and handled per transaction. Larger batches commit less often; smaller ones
    # hold row locks for less time and lose less work to a time limit.
    sweep_batch_size: int = 200
    # Prepended to every queue name, so tests (or two deployments) can share one RabbitMQ.
    queue_prefix: str = ""
    # Off in production (the sweeps' effects are in PostgreSQL); tests use rpc:// to wait for a task.
    result_backend: str | None = None
    # The classifier, for routing fallback tickets again (CLASSIFIER_ADDR, INTERNAL_GRPC_TOKEN,
    # GRPC_TLS_CA). Without the secret the re-routing sweep is off (it says so at start).
    classifier_addr: str = "localhost:50051"
    internal_grpc: ClientSecurity | None = None
    # How often beat starts the re-routing sweep. Shorter moves a fallback ticket out of triage
    # sooner after the classifier is back; each tick is one indexed query on the triage queue (and
    # one failing-fast call while the classifier is away).
    reroute_sweep_s: float = 2.0
    # The channel connectors' settings (services/shared/channels.py): the SMTP relay and sender.
    channels: ChannelSettings = field(default_factory=ChannelSettings)
    # The centre's clock (CENTRE_TIMEZONE): times in the notifications people read.
    centre_zone: ZoneInfo = UTC_ZONE
    # Beat touches this file each tick (BEAT_HEARTBEAT_FILE), for a liveness probe; None: no file.
    beat_heartbeat_file: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "WorkerSettings":
        env = Env(environ)
        broker_url = env.str("BROKER_URL")
        folder = None
        if broker_url.startswith(FILESYSTEM_SCHEME):
            # Required rather than defaulted: worker, beat and every sender must name the same folder,
            # and a default relative to each one's working directory would silently split them.
            folder = Path(env.str("BROKER_FILESYSTEM_DIR")).resolve()
        # The centre's clock: the hours of an SLA calendar that names no zone of its own.
        centre_zone = centre_clock.from_env(environ)
        try:
            policies = sla.load(
                _policies_path(env), env.optional("ESCALATE_AFTER_S"), centre_zone=centre_zone
            )
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        prefix = env.str("CELERY_QUEUE_PREFIX", "")
        if not QUEUE_PREFIX.match(prefix):
            raise SettingsError(
                f"CELERY_QUEUE_PREFIX may hold letters, digits, '_', '.', '-', not {prefix!r}"
            )
        settings = cls(
            database_url=env.str("DATABASE_URL"),
            broker_url=broker_url,
            broker_filesystem_dir=folder,
            sla=policies,
            public_url=env.str("PUBLIC_URL", "http://localhost:8080").rstrip("/"),
            escalation_sweep_s=env.float("ESCALATION_SWEEP_S", cls.escalation_sweep_s),
            survey_sweep_s=env.float("SURVEY_SWEEP_S", cls.survey_sweep_s),
            survey_expiry_days=env.int("SURVEY_EXPIRY_DAYS", cls.survey_expiry_days),
            survey_reminder_h=env.float("SURVEY_REMINDER_H", cls.survey_reminder_h),
            survey_quiet_days=env.int("SURVEY_QUIET_DAYS", cls.survey_quiet_days),
            notification_sweep_s=env.float("NOTIFICATION_SWEEP_S", cls.notification_sweep_s),
            callback_timeout_s=env.float("CALLBACK_TIMEOUT_S", cls.callback_timeout_s),
            callback_max_attempts=env.int("CALLBACK_MAX_ATTEMPTS", cls.callback_max_attempts),
            callback_egress=EgressPolicy.from_env(env),
            sweep_batch_size=env.int("SWEEP_BATCH_SIZE", cls.sweep_batch_size),
            queue_prefix=prefix,
            result_backend=env.optional("CELERY_RESULT_BACKEND"),
            classifier_addr=env.str("CLASSIFIER_ADDR", cls.classifier_addr),
            internal_grpc=ClientSecurity.from_env(environ) if env.optional(TOKEN_VAR) is not None else None,
            reroute_sweep_s=env.float("REROUTE_SWEEP_S", cls.reroute_sweep_s),
            channels=ChannelSettings.from_env(environ),
            centre_zone=centre_zone,
            beat_heartbeat_file=_optional_path(env.optional("BEAT_HEARTBEAT_FILE")),
        )
        for name, value in (
            ("ESCALATION_SWEEP_S", settings.escalation_sweep_s),
            ("SURVEY_SWEEP_S", settings.survey_sweep_s),
            ("SURVEY_EXPIRY_DAYS", settings.survey_expiry_days),
            ("SWEEP_BATCH_SIZE", settings.sweep_batch_size),
            ("SURVEY_REMINDER_H", settings.survey_reminder_h),
            ("NOTIFICATION_SWEEP_S", settings.notification_sweep_s),
            ("REROUTE_SWEEP_S", settings.reroute_sweep_s),
            ("CALLBACK_TIMEOUT_S", settings.callback_timeout_s),
            ("CALLBACK_MAX_ATTEMPTS", settings.callback_max_attempts),
        ):
            if value <= 0:
                raise SettingsError(f"{name} must be above 0, not {value}")
        return settings

    def queue(self, family: str) -> str:
        """The broker queue of a task family (escalations, surveys, notifications)."""
        return f"{self.queue_prefix}{family}"

    def routing_key(self, family: str) -> str:
        """The queue's routing key on the topic exchange: its name with no '.' in it.

        Native delayed delivery binds each queue with "#.<routing key>"; a dotted key "t1.surveys"
        would then also match the binding "#.surveys" of an unprefixed deployment on the same broker.
        ':' may not appear in a prefix, so no two queues share a key.
        """
        return self.queue(family).replace(".", ":")

    def queue_arguments(self) -> dict[str, Any] | None:
        """RabbitMQ quorum queues (replicated, durable, the broker's recommended type); nothing for
        the filesystem transport, which has no queue types."""
        if urlsplit(self.broker_url).scheme in AMQP_SCHEMES:
            return {"x-queue-type": "quorum"}
        return None

    def broker_transport_options(self) -> dict[str, Any]:
        if self.broker_filesystem_dir is None:
            # Publisher confirms: a sweep message is not taken as sent until RabbitMQ has it.
            return {"confirm_publish": True}
        return filesystem_transport_options(self.broker_filesystem_dir)


def _optional_path(raw: str | None) -> Path | None:
    return Path(raw) if raw else None


def _policies_path(env: Env) -> Path | None:
    path = env.optional("SLA_POLICIES_FILE")
    return Path(path) if path else None


def filesystem_transport_options(folder: Path) -> dict[str, Any]:
    """kombu's filesystem transport options for one folder shared by every sender and worker.

    kombu writes to data_folder_out and reads from data_folder_in; processes on one machine must meet
    in the same folder, so both name it.
    """
    messages = str(folder / "messages")
    return {
        "data_folder_in": messages,
        "data_folder_out": messages,
        "processed_folder": str(folder / "processed"),
        # Kept messages would grow without bound; the effects are in PostgreSQL anyway.
        "store_processed": False,
        "control_folder": str(folder / "control"),
        # How often an idle worker looks for new files: sooner pickup against more directory scans.
        "polling_interval": 0.5,
    }


def prepare_filesystem_broker(options: Mapping[str, Any]) -> None:
    """Creates the folders kombu's filesystem transport expects to exist."""
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        Path(options[key]).mkdir(parents=True, exist_ok=True)
