"""The gateway's settings, read once from the environment."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from gateway.http.rate_limits import RateLimitSettings
from services.shared import centre_clock, contact_points, kpi_targets, sla
from services.shared.channels import ChannelSettings
from services.shared.domain import CHANNELS
from services.shared.egress import EgressPolicy
from services.shared.internal_credential import ClientSecurity
from services.shared.kpi_targets import DEFAULT_TABLE, TargetTable
from services.shared.routing import policy as routing_policy
from services.shared.routing.policy import Policies
from services.shared.settings import Env, SettingsError
from services.shared.sla import SlaPolicies

# Zones are immutable and cached by zoneinfo: one shared default is safe.
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class DocumentLimits:
    """Bounds on reading PDF attachments; an attachment past them lands with a note, unread."""

    # Worker processes per gateway process, each reading one document at a time (~40 MB each).
    # More read a burst of attachments sooner; fewer keep memory down.
    workers: int
    # Longest a document may take, waiting for a worker included. Longer reads bigger files; shorter
    # bounds the intake's latency (the inquiry lands either way).
    timeout_s: float
    # Larger attachments are stored unread: reading costs time in proportion to size.
    max_bytes: int
    # Pages read from the start of each document; the first pages say what it is.
    max_pages: int
    # Characters kept per document for the agent.
    max_chars: int
    # Characters of all documents together sent to the classifier: enough to tell what they are
    # about, while a long document does not drown the inquiry's own words.
    classifier_chars: int
    # Address space of a worker; a PDF that needs more fails with a note instead of exhausting memory.
    memory_mb: int

    def __post_init__(self) -> None:
        for name in ("workers", "timeout_s", "max_bytes", "max_pages", "max_chars", "classifier_chars"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"document limit {name} must be above 0, not {getattr(self, name)}")

    @classmethod
    def from_env(cls, env: Env) -> "DocumentLimits":
        return cls(
            workers=env.int("DOCUMENT_WORKERS", 2),
            timeout_s=env.int("DOCUMENT_TIMEOUT_MS", 3000) / 1000,
            max_bytes=env.int("DOCUMENT_MAX_BYTES", 768 * 1024),
            max_pages=env.int("DOCUMENT_MAX_PAGES", 10),
            max_chars=env.int("DOCUMENT_MAX_CHARS", 20_000),
            classifier_chars=env.int("DOCUMENT_CLASSIFIER_CHARS", 2000),
            memory_mb=env.int("DOCUMENT_MEMORY_MB", 512),
        )


def _sla_policies(env: Env, centre_zone: ZoneInfo) -> SlaPolicies:
    path = env.optional("SLA_POLICIES_FILE")
    try:
        return sla.load(
            Path(path) if path else None, env.optional("ESCALATE_AFTER_S"), centre_zone=centre_zone
        )
    except ValueError as exc:
        message = str(exc)
        named = message if message.startswith("ESCALATE_AFTER_S") else f"SLA_POLICIES_FILE: {message}"
        raise SettingsError(named) from None


def _wrap_up_limit(env: Env) -> float:
    limit = env.float("WRAP_UP_LIMIT_S", 60.0)
    if not 0 <= limit <= 3600:
        raise SettingsError(f"WRAP_UP_LIMIT_S must be between 0 and 3600 seconds, not {limit}")
    return limit


def _kpi_targets(env: Env) -> TargetTable:
    try:
        return kpi_targets.parse(env.optional("KPI_TARGETS"), CHANNELS)
    except ValueError as exc:
        raise SettingsError(f"KPI_TARGETS: {exc}") from None


@dataclass(frozen=True)
class GatewaySettings:
    database_url: str
    classifier_addr: str
    metrics_addr: str
    host: str
    port: int
    # Processes serving HTTP: one event loop each. Two use a 2-core machine best for intake (about
    # +30% over one, measured with tests/benchmarks/bench_intake.py); each holds its own pools.
    workers: int
    public_url: str
    # The hard deadline of a classification, waiting in line included: past it the inquiry lands in
    # triage by fallback. Longer lets a busy classifier answer; shorter bounds intake latency when it
    # hangs. Chosen with CLASSIFIER_MAX_WAITING from the figures in docs/performance.md.
    classifier_timeout_s: float
    metrics_timeout_s: float
    max_body_bytes: int
    # How far in the future an integration's occurred_at may be, for clocks that run a little ahead.
    max_clock_skew_s: float
    # How long a token stays cached in each process. Revocation reaches every process at once
    # (NOTIFY), so this only bounds edits made by hand in the database; longer saves a query.
    auth_cache_s: float
    db_pool_max: int
    access_log: bool
    log_level: str
    # The SLA policies (SLA_POLICIES_FILE, ESCALATE_AFTER_S): deadlines set at intake and on each change.
    escalation: SlaPolicies
    documents: DocumentLimits
    # The internal gRPC secret (INTERNAL_GRPC_TOKEN) and TLS CA the classifier and metrics require.
    internal_grpc: ClientSecurity
    # KPI targets (KPI_TARGETS, e.g. `fcr=0.92,chat.asa_s=60`) over the defaults of docs/kpis.md.
    kpi_targets: TargetTable = DEFAULT_TABLE
    # Routing policies per queue (ROUTING_POLICIES), for dry runs and estimated waits.
    routing: Policies = field(default_factory=routing_policy.load)
    # Where integrations' callbacks may go (CALLBACK_ALLOW_HTTP, CALLBACK_ALLOWED_NETWORKS).
    callback_egress: EgressPolicy = field(default_factory=EgressPolicy)
    # How far in the past an integration may date occurred_at (its platform's record of when a call
    # was answered). Longer tolerates integrations that queue events while offline; shorter limits
    # how far a key can reach back to jump queues or bend handling times. Back-fill tokens are exempt.
    occurred_at_window_s: float = 24 * 3600.0
    # How long a stream ticket may wait before it is used. Longer tolerates slow page loads; shorter
    # narrows what one leaked from a URL is worth (it is single-use either way).
    stream_ticket_ttl_s: float = 60.0
    # Per credential, per route class and per process (RATE_LIMIT_*, MAX_STREAMS_PER_CREDENTIAL).
    rate_limits: RateLimitSettings = field(default_factory=lambda: RateLimitSettings.from_env(Env({})))
    # At most this many inquiries in line for the classifier per process (waiting and in flight);
    # within it the line follows the classifier's measured rate (gateway/classify_batcher.py). Past
    # the line a classifier that answers is busy: 429 with Retry-After (docs/performance.md). Larger
    # lets a fast classifier absorb bigger bursts; smaller caps the memory and the wait of a burst.
    classifier_max_waiting: int = 256
    # The centre's clock (CENTRE_TIMEZONE): `from`/`to` without an offset, the export's file name, and
    # the hours of SLA calendars that name no zone. The metrics service cuts the figures in its own
    # setting of the same variable; the answers name the zone they used.
    centre_zone: ZoneInfo = UTC_ZONE
    # Where a phone number without a country code is read (ISO 3166 region, DEFAULT_PHONE_REGION):
    # `050 123 4567` is +971501234567 in AE. Every number is stored in E.164, so set it once, before
    # the first customer; changing it later leaves numbers read the old way as they were stored.
    default_phone_region: str = "AE"
    # The channel connectors' settings (services/shared/channels.py): the centre's mail addresses.
    channels: ChannelSettings = field(default_factory=ChannelSettings)

    # Wrap-up (after-contact work) after an agent resolves, transfers or escalates a ticket they
    # answered: at most this long they are offered nothing, unless they end it sooner. Longer gives
    # time for notes and follow-up; shorter keeps agents on the queue. 0 turns wrap-up off.
    wrap_up_limit_s: float = 60.0

    def __post_init__(self) -> None:
        if not contact_points.valid_region(self.default_phone_region):
            raise SettingsError(f"DEFAULT_PHONE_REGION: {self.default_phone_region!r} is not a region code")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "GatewaySettings":
        env = Env(environ)
        centre_zone = centre_clock.from_env(environ)
        return cls(
            database_url=env.str("DATABASE_URL"),
            classifier_addr=env.str("CLASSIFIER_ADDR", "localhost:50051"),
            metrics_addr=env.str("METRICS_ADDR", "localhost:50052"),
            host=env.str("GATEWAY_HOST", "0.0.0.0"),
            port=env.int("GATEWAY_PORT", 8080),
            workers=env.int("GATEWAY_WORKERS", 2),
            public_url=env.str("PUBLIC_URL", "http://localhost:8080").rstrip("/"),
            classifier_timeout_s=env.int("CLASSIFIER_TIMEOUT_MS", 1000) / 1000,
            metrics_timeout_s=env.int("METRICS_TIMEOUT_MS", 10000) / 1000,
            max_body_bytes=env.int("MAX_BODY_BYTES", 1024 * 1024),
            max_clock_skew_s=env.float("MAX_CLOCK_SKEW_S", 10.0),
            auth_cache_s=env.float("AUTH_CACHE_S", 30.0),
            db_pool_max=env.int("DB_POOL_MAX", 20),
            access_log=env.str("ACCESS_LOG", "0") == "1",
            log_level=env.str("LOG_LEVEL", "info").lower(),
            escalation=_sla_policies(env, centre_zone),
            documents=DocumentLimits.from_env(env),
            internal_grpc=ClientSecurity.from_env(environ),
            kpi_targets=_kpi_targets(env),
            routing=routing_policy.from_env(env),
            callback_egress=EgressPolicy.from_env(env),
            occurred_at_window_s=env.float("OCCURRED_AT_WINDOW_S", 24 * 3600.0),
            stream_ticket_ttl_s=env.float("STREAM_TICKET_TTL_S", 60.0),
            rate_limits=RateLimitSettings.from_env(env),
            classifier_max_waiting=env.int("CLASSIFIER_MAX_WAITING", 256),
            centre_zone=centre_zone,
            default_phone_region=env.str("DEFAULT_PHONE_REGION", "AE").upper(),
            channels=ChannelSettings.from_env(environ),
            wrap_up_limit_s=_wrap_up_limit(env),
        )
