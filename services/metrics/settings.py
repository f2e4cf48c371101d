"""The metrics process's settings, read once from the environment in __main__."""

from collections.abc import Mapping
from dataclasses import dataclass

from services.shared.settings import Env, SettingsError


@dataclass(frozen=True)
class MetricsSettings:
    database_url: str
    bind: str = "0.0.0.0:50052"
    # Where Prometheus scrapes its text (GET /metrics); empty for none.
    http_bind: str = "0.0.0.0:9102"
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

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "MetricsSettings":
        env = Env(environ)
        settings = cls(
            database_url=env.str("DATABASE_URL"),
            bind=env.str("METRICS_BIND", cls.bind),
            http_bind=env.str("METRICS_HTTP_BIND", cls.http_bind),
            follow_interval_s=env.float("METRICS_FOLLOW_INTERVAL_S", cls.follow_interval_s),
            batch_size=env.int("METRICS_BATCH_SIZE", cls.batch_size),
            follower_stuck_after_s=env.float("METRICS_FOLLOWER_STUCK_AFTER_S", cls.follower_stuck_after_s),
            log_level=env.str("LOG_LEVEL", cls.log_level).upper(),
        )
        if settings.follow_interval_s <= 0:
            raise SettingsError("METRICS_FOLLOW_INTERVAL_S must be more than 0")
        if settings.follower_stuck_after_s <= 0:
            raise SettingsError("METRICS_FOLLOWER_STUCK_AFTER_S must be more than 0")
        if settings.batch_size < 1:
            raise SettingsError("METRICS_BATCH_SIZE must be at least 1")
        return settings
