"""The classifier's settings from environment variables."""

from pathlib import Path

import pytest

from services.classifier.keyword_table import DEFAULT_TABLE
from services.classifier.serve.learned_router import DEFAULT_THRESHOLD
from services.classifier.settings import DEFAULT_MODEL_DIR, ClassifierSettings, ModelChoice
from services.shared.internal_credential import ServerSecurity
from services.shared.settings import SettingsError

TOKEN = "s" * 32
REQUIRED = {"INTERNAL_GRPC_TOKEN": TOKEN}


def test_defaults() -> None:
    settings = ClassifierSettings.from_env(REQUIRED)
    assert settings == ClassifierSettings(
        # Loopback only unless told otherwise; reflection off; no TLS.
        bind="127.0.0.1:50051",
        security=ServerSecurity(token=TOKEN, tls_cert=None, tls_key=None, reflection=False),
        routing_table=DEFAULT_TABLE,
        log_level="INFO",
        model=ModelChoice(router="learned", model_path=None, model_dir=DEFAULT_MODEL_DIR),
        confidence_threshold=DEFAULT_THRESHOLD,
        model_poll_s=5.0,
    )
    assert DEFAULT_TABLE.is_file()


def test_environment_overrides() -> None:
    settings = ClassifierSettings.from_env(
        {
            **REQUIRED,
            "CLASSIFIER_BIND": "127.0.0.1:0",
            "ROUTING_TABLE": "/etc/routing.yaml",
            "LOG_LEVEL": "debug",
            "CLASSIFIER_ROUTER": "Keywords",
            "MODEL_PATH": "/srv/router.npz",
            "MODEL_DIR": "/var/cache/models",
            "CONFIDENCE_THRESHOLD": "0.7",
            "MODEL_POLL_S": "0.5",
            "GRPC_REFLECTION": "1",
        }
    )
    assert settings == ClassifierSettings(
        bind="127.0.0.1:0",
        security=ServerSecurity(token=TOKEN, reflection=True),
        routing_table=Path("/etc/routing.yaml"),
        log_level="DEBUG",
        model=ModelChoice(
            router="keywords", model_path=Path("/srv/router.npz"), model_dir=Path("/var/cache/models")
        ),
        confidence_threshold=0.7,
        model_poll_s=0.5,
    )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"CLASSIFIER_ROUTER": "magic"}, "CLASSIFIER_ROUTER must be one of learned, keywords, not 'magic'"),
        ({"CONFIDENCE_THRESHOLD": "1.5"}, "CONFIDENCE_THRESHOLD must be between 0 and 1, not 1.5"),
        ({"CONFIDENCE_THRESHOLD": "high"}, "CONFIDENCE_THRESHOLD must be a number, not 'high'"),
        ({"MODEL_POLL_S": "0"}, "MODEL_POLL_S must be above 0, not 0.0"),
        ({"INTERNAL_GRPC_TOKEN": "short"}, "INTERNAL_GRPC_TOKEN must be at least 32 characters, not 5"),
    ],
)
def test_bad_values_are_refused_by_name(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        ClassifierSettings.from_env(REQUIRED | environ)
    assert str(caught.value) == message


def test_the_internal_secret_is_required() -> None:
    with pytest.raises(SettingsError, match="INTERNAL_GRPC_TOKEN is required"):
        ClassifierSettings.from_env({})
