"""The channel connectors' settings in one place: which run, their secrets, addresses and numbers.

Each process reads the whole object once and uses its share: the gateway knows the centre's own
addresses (to tell its mail looping back), the mail listener where to listen and whom to accept mail
for, the workers how to send. A connector added later (telephony, messaging) is one more field here.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from services.shared import contact_points
from services.shared.settings import Env, SettingsError

RELAY_SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpRelay:
    """Where outbound mail is handed on (SMTP_RELAY_URL), e.g. `smtp+starttls://user:pw@mail.example:587`."""

    host: str
    port: int
    # "plain" (smtp://, a relay on a trusted network), "starttls" (upgrade required) or "tls" (smtps://).
    security: str
    username: str = field(default="", repr=False)
    password: str = field(default="", repr=False)

    @classmethod
    def parse(cls, url: str) -> "SmtpRelay":
        parts = urlsplit(url)
        if parts.scheme not in RELAY_SCHEMES or not parts.hostname:
            raise SettingsError(
                "SMTP_RELAY_URL must be smtp://, smtp+starttls:// or smtps://[user:password@]host[:port]"
            )
        security = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}[parts.scheme]
        return cls(
            host=parts.hostname,
            port=parts.port or RELAY_SCHEMES[parts.scheme],
            security=security,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )


@dataclass(frozen=True)
class EmailChannel:
    # The centre's addresses (MAIL_ADDRESSES, comma-separated): the listener accepts mail for these
    # only, and mail from them is the centre's own coming back.
    addresses: frozenset[str] = frozenset()
    # The From of outbound mail (MAIL_FROM; default the first of MAIL_ADDRESSES); its domain names
    # our Message-IDs.
    sender: str = ""
    # None: no mail is sent by the workers (an integration may poll the e-mail outbox instead).
    relay: SmtpRelay | None = None
    # Where the SMTP listener listens (SMTP_BIND). Loopback by default: exposing port 25 to the
    # internet is the operator's decision (docs/channels.md).
    bind: str = "127.0.0.1:2525"
    # The largest mail taken, bytes (MAIL_MAX_BYTES). Larger admits bigger attachments; smaller bounds
    # memory per message. Keep it at most MAX_BODY_BYTES, which bounds the gateway's inbound hook.
    max_bytes: int = 1024 * 1024
    # The gateway the listener hands mail to (GATEWAY_URL) and the e-mail channel's integration
    # token it uses (MAIL_INTAKE_TOKEN, from `python -m gateway.admin`).
    gateway_url: str = "http://localhost:8080"
    intake_token: str = field(default="", repr=False)
    # Seconds the listener waits for the gateway; past it the sender is told to retry (451).
    intake_timeout_s: float = 30.0

    @property
    def domain(self) -> str:
        return self.sender.rpartition("@")[2] or "localhost"

    @classmethod
    def from_env(cls, env: Env) -> "EmailChannel":
        addresses = []
        for raw in (env.optional("MAIL_ADDRESSES") or "").split(","):
            if raw.strip():
                try:
                    addresses.append(contact_points.email_address(raw))
                except ValueError as exc:
                    raise SettingsError(f"MAIL_ADDRESSES: {exc}") from None
        sender = env.optional("MAIL_FROM") or (addresses[0] if addresses else "")
        relay = env.optional("SMTP_RELAY_URL")
        if relay and not sender:
            raise SettingsError("MAIL_FROM (or MAIL_ADDRESSES) is required with SMTP_RELAY_URL")
        return cls(
            addresses=frozenset(addresses),
            sender=sender,
            relay=SmtpRelay.parse(relay) if relay else None,
            bind=env.str("SMTP_BIND", "127.0.0.1:2525"),
            max_bytes=env.int("MAIL_MAX_BYTES", 1024 * 1024),
            gateway_url=env.str("GATEWAY_URL", "http://localhost:8080").rstrip("/"),
            intake_token=env.optional("MAIL_INTAKE_TOKEN") or "",
            intake_timeout_s=env.float("MAIL_INTAKE_TIMEOUT_S", 30.0),
        )


@dataclass(frozen=True)
class ChannelSettings:
    email: EmailChannel = EmailChannel()

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "ChannelSettings":
        return cls(email=EmailChannel.from_env(Env(environ)))
