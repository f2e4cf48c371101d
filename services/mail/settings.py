"""The mail listener's settings, read once from the environment."""

from collections.abc import Mapping
from dataclasses import dataclass

from services.shared.channels import ChannelSettings, EmailChannel
from services.shared.settings import Env, SettingsError


@dataclass(frozen=True)
class ListenerSettings:
    email: EmailChannel
    host: str
    port: int
    log_level: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "ListenerSettings":
        env = Env(environ)
        email = ChannelSettings.from_env(environ).email
        if not email.addresses:
            raise SettingsError("MAIL_ADDRESSES is required: the addresses the listener takes mail for")
        if not email.intake_token:
            raise SettingsError("MAIL_INTAKE_TOKEN is required: an integration token of the email channel")
        host, _, port = email.bind.rpartition(":")
        if not host or not port.isdigit():
            raise SettingsError(f"SMTP_BIND must be host:port, not {email.bind!r}")
        return cls(email, host.strip("[]"), int(port), env.str("LOG_LEVEL", "INFO").upper())
