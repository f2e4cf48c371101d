"""The router's settings: defaults, and a bad value or policy file named at start."""

from pathlib import Path

import pytest

from services.router.settings import RouterSettings
from services.shared.settings import SettingsError


def test_defaults_and_overrides(tmp_path: Path) -> None:
    base = RouterSettings.from_env({"DATABASE_URL": "postgresql:///x"})
    assert (base.tick_s, base.batch, base.reoffer_after_s) == (1.0, 1000, 60.0)
    assert base.policies.offer_timeout_s == 30
    policy = tmp_path / "p.yaml"
    policy.write_text("offer_timeout_s: 12\n")
    custom = RouterSettings.from_env(
        {"DATABASE_URL": "postgresql:///x", "ROUTING_POLICIES": str(policy), "ROUTER_TICK_MS": "250"}
    )
    assert (custom.policies.offer_timeout_s, custom.tick_s) == (12, 0.25)
    assert base.heartbeat_file is None
    beating = RouterSettings.from_env({"DATABASE_URL": "x", "ROUTER_HEARTBEAT_FILE": "/tmp/router.alive"})
    assert beating.heartbeat_file == Path("/tmp/router.alive")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "DATABASE_URL is required"),
        ({"DATABASE_URL": "x", "ROUTER_TICK_MS": "0"}, "ROUTER_TICK_MS"),
        ({"DATABASE_URL": "x", "ROUTER_BATCH": "zero"}, "ROUTER_BATCH must be a whole number"),
        ({"DATABASE_URL": "x", "ROUTING_POLICIES": "/nonexistent.yaml"}, "ROUTING_POLICIES: cannot read"),
    ],
)
def test_bad_settings_name_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        RouterSettings.from_env(environ)
