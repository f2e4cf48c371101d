"""The gateway reads the phone region and the channel settings once, and refuses what does not parse."""

import pytest

from gateway.settings import GatewaySettings
from services.shared.settings import SettingsError
from tests.fixtures import internal_grpc

BASE = {"DATABASE_URL": "postgresql://x/y", **internal_grpc.ENV}


def test_the_phone_region_defaults_to_ae_and_must_be_a_region() -> None:
    assert GatewaySettings.from_env(BASE).default_phone_region == "AE"
    assert GatewaySettings.from_env(BASE | {"DEFAULT_PHONE_REGION": "sa"}).default_phone_region == "SA"
    with pytest.raises(SettingsError, match="DEFAULT_PHONE_REGION"):
        GatewaySettings.from_env(BASE | {"DEFAULT_PHONE_REGION": "XX"})


def test_the_centres_addresses_are_read_normalised() -> None:
    settings = GatewaySettings.from_env(BASE | {"MAIL_ADDRESSES": "Help@Centre.Example"})
    assert settings.channels.email.addresses == {"help@centre.example"}
    with pytest.raises(SettingsError, match="MAIL_ADDRESSES"):
        GatewaySettings.from_env(BASE | {"MAIL_ADDRESSES": "not-an-address"})
