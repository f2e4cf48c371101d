"""The classifier process's settings, read once from the environment in __main__."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from services.classifier.faq import DEFAULT_FAQ
from services.classifier.faq import MIN_CONFIDENCE as FAQ_MIN_CONFIDENCE
from services.classifier.keyword_table import DEFAULT_TABLE
from services.classifier.serve.learned_router import DEFAULT_THRESHOLD
from services.shared.internal_credential import ServerSecurity
from services.shared.settings import Env, SettingsError

ROUTERS = ("learned", "keywords")
# The default model is trained here at first start and reused after; relative to the working folder.
DEFAULT_MODEL_DIR = Path(".run/models")


@dataclass(frozen=True)
class ModelChoice:
    """Which router is served and from which file: read on its own, since a command that trains the
    model ahead of a classifier (`train --if-missing`, `train` without `--out`) needs it without the
    classifier's secrets."""

    # "learned" (the trained model) or "keywords" (the routing table alone).
    router: str = "learned"
    # A model file to serve; when unset, the default model in model_dir (trained at first start).
    model_path: Path | None = None
    model_dir: Path = DEFAULT_MODEL_DIR

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "ModelChoice":
        env = Env(environ)
        router = env.str("CLASSIFIER_ROUTER", "learned").lower()
        if router not in ROUTERS:
            raise SettingsError(f"CLASSIFIER_ROUTER must be one of {', '.join(ROUTERS)}, not {router!r}")
        model_path = env.optional("MODEL_PATH")
        return cls(
            router=router,
            model_path=Path(model_path) if model_path else None,
            model_dir=Path(env.str("MODEL_DIR", str(DEFAULT_MODEL_DIR))),
        )


@dataclass(frozen=True)
class ClassifierSettings:
    # host:port the gRPC server listens on; port 0 picks a free one (tests). Loopback by default: an
    # internal network's address (or 0.0.0.0 inside a container) only where others must reach it.
    bind: str
    # The internal credential callers must present (INTERNAL_GRPC_TOKEN), TLS and reflection.
    security: ServerSecurity
    # The keyword routing table (YAML); the shipped default unless a deployment supplies its own.
    # Its priority rules serve the learned router too.
    routing_table: Path
    log_level: str
    # Which router is served, and from which file.
    model: ModelChoice = ModelChoice()
    # Queue probability under which an inquiry goes to triage (see learned_router.DEFAULT_THRESHOLD).
    confidence_threshold: float = DEFAULT_THRESHOLD
    # How often the model file is checked for a new version; shorter notices sooner, costs one
    # stat() per poll.
    model_poll_s: float = 5.0
    # The FAQ knowledge base (YAML) answered from; None turns self-service off.
    faq_file: Path | None = DEFAULT_FAQ
    # How sure a FAQ match must be before the customer gets its answer with no human: lower answers
    # more questions at once, higher sends fewer wrong answers.
    faq_min_confidence: float = FAQ_MIN_CONFIDENCE

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "ClassifierSettings":
        env = Env(environ)
        threshold = env.float("CONFIDENCE_THRESHOLD", DEFAULT_THRESHOLD)
        if not 0 <= threshold <= 1:
            raise SettingsError(f"CONFIDENCE_THRESHOLD must be between 0 and 1, not {threshold}")
        poll_s = env.float("MODEL_POLL_S", 5.0)
        if poll_s <= 0:
            raise SettingsError(f"MODEL_POLL_S must be above 0, not {poll_s}")
        faq_file = env.str("FAQ_FILE", str(DEFAULT_FAQ))
        faq_min = env.float("FAQ_MIN_CONFIDENCE", FAQ_MIN_CONFIDENCE)
        if not 0 < faq_min <= 1:
            raise SettingsError(f"FAQ_MIN_CONFIDENCE must be above 0 and at most 1, not {faq_min}")
        return cls(
            bind=env.str("CLASSIFIER_BIND", "127.0.0.1:50051"),
            security=ServerSecurity.from_env(environ),
            routing_table=Path(env.str("ROUTING_TABLE", str(DEFAULT_TABLE))),
            log_level=env.str("LOG_LEVEL", "INFO").upper(),
            model=ModelChoice.from_env(environ),
            confidence_threshold=threshold,
            model_poll_s=poll_s,
            faq_file=None if faq_file.lower() == "off" else Path(faq_file),
            faq_min_confidence=faq_min,
        )
