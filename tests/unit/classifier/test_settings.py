"""The classifier's settings from environment variables."""

from pathlib import Path

import pytest

from services.classifier.keyword_table import DEFAULT_TABLE
from services.classifier.learned_router import DEFAULT_THRESHOLD
from services.classifier.settings import DEFAULT_MODEL_DIR, ClassifierSettings
from services.shared.settings import SettingsError


def test_defaults() -> None:
    settings = ClassifierSettings.from_env({})
    assert settings == ClassifierSettings(
        bind="0.0.0.0:50051",
        routing_table=DEFAULT_TABLE,
        log_level="INFO",
        router="learned",
        model_path=None,
        model_dir=DEFAULT_MODEL_DIR,
        confidence_threshold=DEFAULT_THRESHOLD,
        model_poll_s=5.0,
    )
    assert DEFAULT_TABLE.is_file()


def test_environment_overrides() -> None:
    settings = ClassifierSettings.from_env(
        {
            "CLASSIFIER_BIND": "127.0.0.1:0",
            "ROUTING_TABLE": "/etc/routing.yaml",
            "LOG_LEVEL": "debug",
            "CLASSIFIER_ROUTER": "Keywords",
            "MODEL_PATH": "/srv/router.npz",
            "MODEL_DIR": "/var/cache/models",
            "CONFIDENCE_THRESHOLD": "0.7",
            "MODEL_POLL_S": "0.5",
        }
    )
    assert settings == ClassifierSettings(
        bind="127.0.0.1:0",
        routing_table=Path("/etc/routing.yaml"),
        log_level="DEBUG",
        router="keywords",
        model_path=Path("/srv/router.npz"),
        model_dir=Path("/var/cache/models"),
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
    ],
)
def test_bad_values_are_refused_by_name(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        ClassifierSettings.from_env(environ)
    assert str(caught.value) == message
