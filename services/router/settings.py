"""The router process's settings, read once from the environment in __main__."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from services.shared.routing import policy as routing_policy
from services.shared.routing.policy import Policies
from services.shared.settings import Env, SettingsError


@dataclass(frozen=True)
class RouterSettings:
    database_url: str
    policies: Policies
    # The longest a router sleeps without a notification: offer timeouts and widening steps are
    # found at least this often. Shorter times them out more precisely, at a query per tick.
    tick_s: float = 1.0
    # Waiting tickets read per pass. Larger lets one pass place more; smaller keeps each pass short.
    batch: int = 1000
    # See EngineSettings.reoffer_after_s.
    reoffer_after_s: float = 60.0
    log_level: str = "INFO"
    # Touched after every pass (ROUTER_HEARTBEAT_FILE), for a liveness probe; None writes nothing.
    heartbeat_file: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "RouterSettings":
        env = Env(environ)
        settings = cls(
            database_url=env.str("DATABASE_URL"),
            policies=routing_policy.from_env(env),
            tick_s=env.int("ROUTER_TICK_MS", 1000) / 1000,
            batch=env.int("ROUTER_BATCH", cls.batch),
            reoffer_after_s=env.float("ROUTER_REOFFER_AFTER_S", cls.reoffer_after_s),
            log_level=env.str("LOG_LEVEL", cls.log_level).upper(),
            heartbeat_file=_path(env.optional("ROUTER_HEARTBEAT_FILE")),
        )
        if settings.tick_s <= 0:
            raise SettingsError("ROUTER_TICK_MS must be more than 0")
        if settings.batch < 1:
            raise SettingsError("ROUTER_BATCH must be at least 1")
        return settings


def _path(raw: str | None) -> Path | None:
    return Path(raw) if raw else None
