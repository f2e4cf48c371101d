"""The classifier process's settings, read once from the environment in __main__."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from services.classifier.keyword_table import DEFAULT_TABLE
from services.shared.settings import Env


@dataclass(frozen=True)
class ClassifierSettings:
    # host:port the gRPC server listens on; port 0 picks a free one (tests).
    bind: str
    # The keyword routing table (YAML); the shipped default unless a deployment supplies its own.
    routing_table: Path
    log_level: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "ClassifierSettings":
        env = Env(environ)
        return cls(
            bind=env.str("CLASSIFIER_BIND", "0.0.0.0:50051"),
            routing_table=Path(env.str("ROUTING_TABLE", str(DEFAULT_TABLE))),
            log_level=env.str("LOG_LEVEL", "INFO").upper(),
        )
