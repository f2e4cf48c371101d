"""Pure parts of the telephony and messaging webhooks: call statuses, signatures, channel settings."""

import pytest

from gateway.actions.call_events import action, ivr_text
from gateway.http.provider_signatures import meta_signature, meta_valid, twilio_signature, twilio_valid
from services.shared.channels import ChannelSettings
from services.shared.settings import SettingsError


@pytest.mark.parametrize(
    ("call", "ticket", "expected"),
    [
        ("in-progress", "claimed", "answer"),
        ("in-progress", "queued", None),  # the IVR picked up
        ("no-answer", "queued", "abandon"),
        ("completed", "claimed", "abandon"),
        ("completed", "answered", None),
        ("ringing", "queued", None),
        ("canceled", "abandoned", None),
    ],
)
def test_call_status_to_action(call: str, ticket: str, expected: str | None) -> None:
    assert action(call, ticket) == expected


def test_ivr_text_prefers_the_transcript() -> None:
    assert ivr_text("2", "my card") == "my card"
    assert ivr_text("2", " ") == "IVR choice: 2"
    assert ivr_text(None, None) == ""


def test_signatures() -> None:
    form = {"CallSid": "CA1", "From": "+971501234567"}
    url = "https://centre.example/v1/channels/twilio/voice"
    signature = twilio_signature("token", url, form)
    assert twilio_valid("token", url, form, signature)
    assert not twilio_valid("other", url, form, signature)
    assert not twilio_valid("token", "http://127.0.0.1:8080/v1/channels/twilio/voice", form, signature)
    assert not twilio_valid("token", url, form, None)
    assert meta_valid("s", b"{}", meta_signature("s", b"{}"))
    assert not meta_valid("s", b"{ }", meta_signature("s", b"{}"))
    assert not meta_valid("", b"{}", meta_signature("", b"{}"))


def test_channel_settings() -> None:
    channels = ChannelSettings.from_env(
        {
            "TWILIO_ACCOUNT_SID": "AC1",
            "TWILIO_AUTH_TOKEN": "t",
            "TWILIO_NUMBERS": "04 555 0100, whatsapp:+971501234567",
        }
    )
    assert channels.twilio.numbers == {"+97145550100", "+971501234567"} and channels.twilio.enabled
    assert not ChannelSettings.from_env({}).whatsapp.enabled
    with pytest.raises(SettingsError, match="TWILIO_ACCOUNT_SID"):
        ChannelSettings.from_env({"TWILIO_AUTH_TOKEN": "t"})
    with pytest.raises(SettingsError, match="WHATSAPP_VERIFY_TOKEN"):
        ChannelSettings.from_env({"WHATSAPP_APP_SECRET": "s"})
    with pytest.raises(SettingsError, match="TWILIO_NUMBERS"):
        ChannelSettings.from_env({"TWILIO_NUMBERS": "not a number"})
