"""The metrics process's settings from the environment (services/metrics/settings.py)."""

import pytest

from services.metrics.settings import MetricsSettings
from services.shared.settings import SettingsError

REQUIRED = {"DATABASE_URL": "postgresql://db/x", "INTERNAL_GRPC_TOKEN": "s" * 32}


def test_defaults_and_overrides():
    s = MetricsSettings.from_env(REQUIRED)
    assert (s.bind, s.follow_interval_s, s.batch_size, s.log_level) == ("127.0.0.1:50052", 0.5, 1000, "INFO")
    # Both servers listen on loopback only unless told otherwise.
    assert (s.http_bind, s.prometheus_token, s.security.reflection) == ("127.0.0.1:9102", None, False)
    assert s.follower_stuck_after_s == 60.0
    assert s.centre_zone.key == "UTC"
    assert (
        MetricsSettings.from_env({**REQUIRED, "CENTRE_TIMEZONE": "Asia/Dubai"}).centre_zone.key
        == "Asia/Dubai"
    )
    s = MetricsSettings.from_env(
        {
            **REQUIRED,
            "METRICS_BIND": "127.0.0.1:6000",
            "METRICS_FOLLOW_INTERVAL_S": "0.2",
            "METRICS_BATCH_SIZE": "50",
            "METRICS_FOLLOWER_STUCK_AFTER_S": "120",
            "LOG_LEVEL": "debug",
        }
    )
    assert s.follower_stuck_after_s == 120.0
    assert (s.bind, s.follow_interval_s, s.batch_size, s.log_level) == ("127.0.0.1:6000", 0.2, 50, "DEBUG")


def test_an_empty_http_bind_switches_prometheus_off():
    assert MetricsSettings.from_env(REQUIRED | {"METRICS_HTTP_BIND": ""}).http_bind == ""


@pytest.mark.parametrize("bind", ["127.0.0.1:9102", "[::1]:9102", "localhost:9102", "127.0.0.2:1"])
def test_prometheus_on_loopback_needs_no_token(bind):
    assert MetricsSettings.from_env(REQUIRED | {"METRICS_HTTP_BIND": bind}).http_bind == bind


@pytest.mark.parametrize("bind", ["0.0.0.0:9102", ":9102", "[::]:9102", "10.0.0.5:9102", "metrics:9102"])
def test_prometheus_anywhere_else_refuses_to_start_without_a_token(bind):
    with pytest.raises(SettingsError, match="PROMETHEUS_TOKEN"):
        MetricsSettings.from_env(REQUIRED | {"METRICS_HTTP_BIND": bind})
    token = "p" * 32
    settings = MetricsSettings.from_env(REQUIRED | {"METRICS_HTTP_BIND": bind, "PROMETHEUS_TOKEN": token})
    assert settings.prometheus_token == token
    assert token not in repr(settings)


@pytest.mark.parametrize(
    ("environ", "name"),
    [
        ({}, "DATABASE_URL"),
        ({"DATABASE_URL": "x"}, "INTERNAL_GRPC_TOKEN"),
        (REQUIRED | {"INTERNAL_GRPC_TOKEN": "too short"}, "INTERNAL_GRPC_TOKEN"),
        (REQUIRED | {"METRICS_BATCH_SIZE": "0"}, "METRICS_BATCH_SIZE"),
        (REQUIRED | {"METRICS_FOLLOW_INTERVAL_S": "-1"}, "METRICS_FOLLOW_INTERVAL_S"),
        (REQUIRED | {"METRICS_BATCH_SIZE": "many"}, "METRICS_BATCH_SIZE"),
        (REQUIRED | {"PROMETHEUS_TOKEN": "short"}, "PROMETHEUS_TOKEN"),
        (REQUIRED | {"GRPC_REFLECTION": "yes"}, "GRPC_REFLECTION"),
        (REQUIRED | {"GRPC_TLS_CERT": "/nonexistent.pem"}, "GRPC_TLS_CERT"),
        (REQUIRED | {"METRICS_FOLLOWER_STUCK_AFTER_S": "0"}, "METRICS_FOLLOWER_STUCK_AFTER_S"),
        (REQUIRED | {"CENTRE_TIMEZONE": "Gulf Standard Time"}, "CENTRE_TIMEZONE"),
    ],
)
def test_bad_settings_name_the_variable(environ, name):
    with pytest.raises(SettingsError, match=name):
        MetricsSettings.from_env(environ)
