"""The launcher's settings: defaults that match the services' own, and errors that name the variable."""

from pathlib import Path

import pytest

from services.shared.settings import SettingsError
from services.stack.settings import StackSettings


def test_defaults_choose_embedded_servers_and_the_documented_ports() -> None:
    settings = StackSettings.from_env({})
    assert settings.database_url is None
    assert settings.broker_url is None
    assert settings.broker_dir is None
    assert settings.run_dir == Path(".run").resolve()
    assert (settings.gateway_host, settings.gateway_port) == ("0.0.0.0", 8080)
    # The internal servers listen on loopback only unless told otherwise.
    assert settings.classifier_bind == "127.0.0.1:50051"
    assert settings.metrics_bind == "127.0.0.1:50052"
    assert settings.log_level == "INFO"


def test_environment_overrides_each_setting(tmp_path: Path) -> None:
    settings = StackSettings.from_env(
        {
            "STACK_RUN_DIR": str(tmp_path / "run"),
            "DATABASE_URL": "postgresql://u:p@db/x",
            "BROKER_URL": "amqp://guest:guest@mq//",
            "BROKER_FILESYSTEM_DIR": str(tmp_path / "box"),
            "GATEWAY_PORT": "9000",
            "CLASSIFIER_BIND": "127.0.0.1:6001",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.run_dir == tmp_path / "run"
    assert settings.database_url == "postgresql://u:p@db/x"
    assert settings.broker_url == "amqp://guest:guest@mq//"
    assert settings.broker_dir == tmp_path / "box"
    assert settings.gateway_port == 9000
    assert settings.classifier_bind == "127.0.0.1:6001"
    assert settings.log_level == "DEBUG"


def test_an_empty_database_url_means_embedded() -> None:
    assert StackSettings.from_env({"DATABASE_URL": ""}).database_url is None


def test_a_bad_port_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="GATEWAY_PORT"):
        StackSettings.from_env({"GATEWAY_PORT": "eighty"})
