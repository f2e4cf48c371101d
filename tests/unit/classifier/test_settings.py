"""The classifier's settings from environment variables."""

from pathlib import Path

from services.classifier.keyword_table import DEFAULT_TABLE
from services.classifier.settings import ClassifierSettings


def test_defaults() -> None:
    settings = ClassifierSettings.from_env({})
    assert settings == ClassifierSettings(bind="0.0.0.0:50051", routing_table=DEFAULT_TABLE, log_level="INFO")
    assert DEFAULT_TABLE.is_file()


def test_environment_overrides() -> None:
    settings = ClassifierSettings.from_env(
        {"CLASSIFIER_BIND": "127.0.0.1:0", "ROUTING_TABLE": "/etc/routing.yaml", "LOG_LEVEL": "debug"}
    )
    assert settings == ClassifierSettings(
        bind="127.0.0.1:0", routing_table=Path("/etc/routing.yaml"), log_level="DEBUG"
    )
