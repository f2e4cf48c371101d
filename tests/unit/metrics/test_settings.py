"""The metrics process's settings from the environment (services/metrics/settings.py)."""

import pytest

from services.metrics.settings import MetricsSettings
from services.shared.settings import SettingsError


def test_defaults_and_overrides():
    s = MetricsSettings.from_env({"DATABASE_URL": "postgresql://db/x"})
    assert (s.bind, s.follow_interval_s, s.batch_size, s.log_level) == ("0.0.0.0:50052", 0.5, 1000, "INFO")
    assert s.follower_stuck_after_s == 60.0
    s = MetricsSettings.from_env(
        {
            "DATABASE_URL": "postgresql://db/x",
            "METRICS_BIND": "127.0.0.1:6000",
            "METRICS_FOLLOW_INTERVAL_S": "0.2",
            "METRICS_BATCH_SIZE": "50",
            "METRICS_FOLLOWER_STUCK_AFTER_S": "120",
            "LOG_LEVEL": "debug",
        }
    )
    assert s.follower_stuck_after_s == 120.0
    assert (s.bind, s.follow_interval_s, s.batch_size, s.log_level) == ("127.0.0.1:6000", 0.2, 50, "DEBUG")


@pytest.mark.parametrize(
    ("environ", "name"),
    [
        ({}, "DATABASE_URL"),
        ({"DATABASE_URL": "x", "METRICS_BATCH_SIZE": "0"}, "METRICS_BATCH_SIZE"),
        ({"DATABASE_URL": "x", "METRICS_FOLLOW_INTERVAL_S": "-1"}, "METRICS_FOLLOW_INTERVAL_S"),
        ({"DATABASE_URL": "x", "METRICS_BATCH_SIZE": "many"}, "METRICS_BATCH_SIZE"),
        ({"DATABASE_URL": "x", "METRICS_FOLLOWER_STUCK_AFTER_S": "0"}, "METRICS_FOLLOWER_STUCK_AFTER_S"),
    ],
)
def test_bad_settings_name_the_variable(environ, name):
    with pytest.raises(SettingsError, match=name):
        MetricsSettings.from_env(environ)
