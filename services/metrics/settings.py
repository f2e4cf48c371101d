"""The metrics process's settings, read once from the environment in __main__."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from services.shared import centre_clock
from services.shared.binds import is_loopback
from services.shared.internal_credential import MIN_TOKEN_CHARS, ServerSecurity
from services.shared.settings import Env, SettingsError

# Zones are immutable and cached by zoneinfo: one shared default is safe.
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class MetricsSettings:
    database_url: str
    # The internal credential gRPC callers must present (INTERNAL_GRPC_TOKEN), TLS and reflection.
    security: ServerSecurity
    # Loopback by default: an internal network's address (0.0.0.0 inside a container) only where the
    # gateway must reach it from elsewhere.
    bind: str = "127.0.0.1:50052"
    # Where Prometheus scrapes its text (GET /metrics); empty for none. Loopback by default; any other
    # bind needs prometheus_token.
    http_bind: str = "127.0.0.1:9102"
    # The bearer token a scraper sends (PROMETHEUS_TOKEN; Prometheus `authorization: credentials`).
    prometheus_token: str | None = field(default=None, repr=False)
    # How often the follower looks for new events when it has caught up. Shorter makes figures
    # fresher; each look is one indexed query, so even 0.1 s costs little, but it never sleeps less.
    follow_interval_s: float = 0.5
    # Events per follower transaction. Larger batches catch up faster after a backlog; smaller ones
    # keep each transaction (and the cursor lock other metrics processes skip over) short.
    batch_size: int = 1000
    # The follower counts as stuck (gRPC GetFollowerStatus, Prometheus, the gateway's /readyz) once
    # the first event it has yet to process has waited this long. Shorter warns sooner but also
    # during a large backlog it is working through (a bulk import); longer hides a stop for longer.
    follower_stuck_after_s: float = 60.0
    log_level: str = "INFO"
    # The centre's clock (CENTRE_TIMEZONE): the zone rollups, periods, the yearly report, the export
    # and "today" are cut in. The rollups remember the zone they were built in; a process started
    # with another zone rebuilds them first (services/metrics/rollup_zone.py).
    centre_zone: ZoneInfo = UTC_ZONE

    def __post_init__(self) -> None:
        if self.follow_interval_s <= 0:
            raise SettingsError("METRICS_FOLLOW_INTERVAL_S must be more than 0")
        if self.follower_stuck_after_s <= 0:
            raise SettingsError("METRICS_FOLLOWER_STUCK_AFTER_S must be more than 0")
        if self.batch_size < 1:
            raise SettingsError("METRICS_BATCH_SIZE must be at least 1")
        if self.prometheus_token is not None and len(self.prometheus_token) < MIN_TOKEN_CHARS:
            raise SettingsError(f"PROMETHEUS_TOKEN must be at least {MIN_TOKEN_CHARS} characters")
        if self.http_bind and self.prometheus_token is None and not is_loopback(self.http_bind):
            raise SettingsError(
                f"METRICS_HTTP_BIND {self.http_bind} is not a loopback address: set PROMETHEUS_TOKEN, "
                "which scrapers then send as a bearer token"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "MetricsSettings":
        env = Env(environ)
        return cls(
            database_url=env.str("DATABASE_URL"),
            security=ServerSecurity.from_env(environ),
            bind=env.str("METRICS_BIND", cls.bind),
            # Set but empty switches Prometheus text off.
            http_bind=environ.get("METRICS_HTTP_BIND", cls.http_bind),
            prometheus_token=env.optional("PROMETHEUS_TOKEN"),
            follow_interval_s=env.float("METRICS_FOLLOW_INTERVAL_S", cls.follow_interval_s),
            batch_size=env.int("METRICS_BATCH_SIZE", cls.batch_size),
            follower_stuck_after_s=env.float("METRICS_FOLLOWER_STUCK_AFTER_S", cls.follower_stuck_after_s),
            log_level=env.str("LOG_LEVEL", cls.log_level).upper(),
            centre_zone=centre_clock.from_env(environ),
        )
