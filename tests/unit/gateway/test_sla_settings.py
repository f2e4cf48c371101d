"""The gateway reads the SLA policies once at start and refuses a bad file by name."""

from datetime import timedelta
from pathlib import Path

import pytest

from gateway.settings import GatewaySettings
from services.shared.settings import SettingsError

REQUIRED = {"DATABASE_URL": "postgresql://db/x", "INTERNAL_GRPC_TOKEN": "s" * 32}


def test_the_shipped_policies_with_an_override():
    settings = GatewaySettings.from_env(REQUIRED | {"ESCALATE_AFTER_S": "chat=90"})
    assert settings.escalation.first_response_time("chat", 2) == timedelta(seconds=90)
    assert settings.escalation.first_response_time("email", 2) == timedelta(hours=4)


def test_a_bad_policies_file_stops_the_gateway_naming_the_setting(tmp_path: Path):
    bad = tmp_path / "sla.yaml"
    bad.write_text("policies: {phone: {first_response: 1m, resolution: 1h}}\n")
    with pytest.raises(SettingsError, match=r"SLA_POLICIES_FILE.*default entry"):
        GatewaySettings.from_env(REQUIRED | {"SLA_POLICIES_FILE": str(bad)})
    with pytest.raises(SettingsError, match=r"^ESCALATE_AFTER_S"):
        GatewaySettings.from_env(REQUIRED | {"ESCALATE_AFTER_S": "fax=1"})


def test_the_centres_clock_is_read_once_and_refused_by_name_when_unknown():
    assert GatewaySettings.from_env(REQUIRED).centre_zone.key == "UTC"
    assert (
        GatewaySettings.from_env(REQUIRED | {"CENTRE_TIMEZONE": "Asia/Dubai"}).centre_zone.key == "Asia/Dubai"
    )
    with pytest.raises(SettingsError, match=r"^CENTRE_TIMEZONE"):
        GatewaySettings.from_env(REQUIRED | {"CENTRE_TIMEZONE": "UTC+4"})
