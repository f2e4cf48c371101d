"""The launcher's settings: where to keep local run data, which servers to use, where children listen."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from services.shared.settings import Env


@dataclass(frozen=True)
class StackSettings:
    run_dir: Path
    # None means "start an embedded PostgreSQL" / "use the filesystem broker in run_dir".
    database_url: str | None
    broker_url: str | None
    broker_dir: Path | None
    gateway_host: str
    gateway_port: int
    classifier_bind: str
    metrics_bind: str
    log_level: str
    # The SMTP listener runs when it has addresses to take mail for and a token to hand it over with
    # (MAIL_ADDRESSES, MAIL_INTAKE_TOKEN); it listens on SMTP_BIND.
    mail: bool = False
    smtp_bind: str = "127.0.0.1:2525"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "StackSettings":
        env = Env(environ)
        broker_dir = env.optional("BROKER_FILESYSTEM_DIR")
        return cls(
            run_dir=Path(env.str("STACK_RUN_DIR", ".run")).resolve(),
            database_url=env.optional("DATABASE_URL"),
            broker_url=env.optional("BROKER_URL"),
            broker_dir=Path(broker_dir).resolve() if broker_dir else None,
            gateway_host=env.str("GATEWAY_HOST", "0.0.0.0"),
            gateway_port=env.int("GATEWAY_PORT", 8080),
            classifier_bind=env.str("CLASSIFIER_BIND", "127.0.0.1:50051"),
            metrics_bind=env.str("METRICS_BIND", "127.0.0.1:50052"),
            log_level=env.str("LOG_LEVEL", "INFO").upper(),
            mail=bool(env.optional("MAIL_ADDRESSES") and env.optional("MAIL_INTAKE_TOKEN")),
            smtp_bind=env.str("SMTP_BIND", "127.0.0.1:2525"),
        )
