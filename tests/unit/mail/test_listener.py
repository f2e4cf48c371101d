"""The SMTP listener's answers to the gateway's, and its settings."""

import pytest

from services.mail.handoff import smtp_reply
from services.mail.settings import ListenerSettings
from services.shared.settings import SettingsError


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (201, "250"),
        (200, "250"),
        (202, "250"),
        (409, "250"),
        (413, "552"),
        (422, "554"),
        (415, "554"),
        (401, "451"),
        (403, "451"),
        (429, "451"),
        (500, "451"),
        (503, "451"),
    ],
)
def test_only_a_commit_is_250_and_only_bad_mail_is_refused_for_good(status: int, code: str) -> None:
    assert smtp_reply(status, "the mail needs\r\nexactly one sender").startswith(code)
    assert "\r" not in smtp_reply(status, "a\r\nb") and "\n" not in smtp_reply(status, "a\r\nb")


def test_the_listener_needs_its_addresses_and_token() -> None:
    with pytest.raises(SettingsError, match="MAIL_ADDRESSES"):
        ListenerSettings.from_env({"MAIL_INTAKE_TOKEN": "t"})
    with pytest.raises(SettingsError, match="MAIL_INTAKE_TOKEN"):
        ListenerSettings.from_env({"MAIL_ADDRESSES": "help@centre.example"})
    settings = ListenerSettings.from_env({"MAIL_ADDRESSES": "help@centre.example", "MAIL_INTAKE_TOKEN": "t"})
    assert (settings.host, settings.port) == ("127.0.0.1", 2525)
    with pytest.raises(SettingsError, match="SMTP_BIND"):
        ListenerSettings.from_env(
            {"MAIL_ADDRESSES": "help@centre.example", "MAIL_INTAKE_TOKEN": "t", "SMTP_BIND": "nowhere"}
        )
