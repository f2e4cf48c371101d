"""The channel connectors' settings in one place: which run, their secrets, addresses and numbers.

Each process reads the whole object once and uses its share: the gateway knows the centre's own
addresses (to tell its mail looping back), the mail listener where to listen and whom to accept mail
for, the workers how to send; the telephony and messaging webhooks their signing secrets and the
centre's numbers. A connector added later is one more field here.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from services.shared import contact_points
from services.shared.proactive.settings import ProactiveSettings
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


def _numbers(env: Env, name: str, region: str) -> frozenset[str]:
    found = []
    for raw in (env.optional(name) or "").split(","):
        if raw.strip():
            try:
                found.append(contact_points.phone_e164(raw.strip().removeprefix("whatsapp:"), region))
            except ValueError as exc:
                raise SettingsError(f"{name}: {exc}") from None
    return frozenset(found)


@dataclass(frozen=True)
class TwilioChannel:
    """Twilio's voice status callbacks and its SMS / WhatsApp messages (on when TWILIO_AUTH_TOKEN is set)."""

    # The account (TWILIO_ACCOUNT_SID, AC…): posts naming another account are refused, and the
    # REST client sends replies as it.
    account_sid: str = ""
    # Signs every webhook (X-Twilio-Signature) and authenticates the REST client (TWILIO_AUTH_TOKEN).
    auth_token: str = field(default="", repr=False)
    # The centre's numbers (TWILIO_NUMBERS, comma-separated, E.164): calls and messages to any other
    # number are refused; empty takes any number of the account.
    numbers: frozenset[str] = frozenset()
    # Twilio's REST API (TWILIO_API_URL): only tests and regional edges change it.
    api_url: str = "https://api.twilio.com"

    @property
    def enabled(self) -> bool:
        return bool(self.auth_token)

    @classmethod
    def from_env(cls, env: Env, region: str) -> "TwilioChannel":
        token = env.optional("TWILIO_AUTH_TOKEN") or ""
        sid = env.optional("TWILIO_ACCOUNT_SID") or ""
        if token and not sid.startswith("AC"):
            raise SettingsError("TWILIO_ACCOUNT_SID (AC…) is required with TWILIO_AUTH_TOKEN")
        return cls(
            account_sid=sid,
            auth_token=token,
            numbers=_numbers(env, "TWILIO_NUMBERS", region),
            api_url=env.str("TWILIO_API_URL", "https://api.twilio.com").rstrip("/"),
        )


@dataclass(frozen=True)
class WhatsAppChannel:
    """Meta's WhatsApp Cloud API (on when WHATSAPP_APP_SECRET is set)."""

    # Answers the webhook's verification handshake (WHATSAPP_VERIFY_TOKEN): any string the operator
    # also types into the app's webhook settings.
    verify_token: str = field(default="", repr=False)
    # Signs every event (X-Hub-Signature-256 = HMAC-SHA256 of the raw body; WHATSAPP_APP_SECRET).
    app_secret: str = field(default="", repr=False)
    # Sends replies (WHATSAPP_ACCESS_TOKEN, a system user's token) from WHATSAPP_PHONE_NUMBER_ID.
    access_token: str = field(default="", repr=False)
    phone_number_id: str = ""
    # The Graph API with its version (WHATSAPP_GRAPH_URL): a newer version when Meta retires this one.
    graph_url: str = "https://graph.facebook.com/v21.0"

    @property
    def enabled(self) -> bool:
        return bool(self.app_secret)

    @classmethod
    def from_env(cls, env: Env) -> "WhatsAppChannel":
        secret = env.optional("WHATSAPP_APP_SECRET") or ""
        verify = env.optional("WHATSAPP_VERIFY_TOKEN") or ""
        if secret and not verify:
            raise SettingsError("WHATSAPP_VERIFY_TOKEN is required with WHATSAPP_APP_SECRET")
        return cls(
            verify_token=verify,
            app_secret=secret,
            access_token=env.optional("WHATSAPP_ACCESS_TOKEN") or "",
            phone_number_id=env.optional("WHATSAPP_PHONE_NUMBER_ID") or "",
            graph_url=env.str("WHATSAPP_GRAPH_URL", "https://graph.facebook.com/v21.0").rstrip("/"),
        )


@dataclass(frozen=True)
class ChannelSettings:
    email: EmailChannel = EmailChannel()
    twilio: TwilioChannel = TwilioChannel()
    whatsapp: WhatsAppChannel = WhatsAppChannel()
    # What the centre tells customers unasked, per channel (PROACTIVE_*, docs/channels.md).
    proactive: ProactiveSettings = field(default_factory=ProactiveSettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "ChannelSettings":
        env = Env(environ)
        region = env.str("DEFAULT_PHONE_REGION", "AE").upper()
        if not contact_points.valid_region(region):
            raise SettingsError(f"DEFAULT_PHONE_REGION: {region!r} is not a region code")
        return cls(
            email=EmailChannel.from_env(env),
            twilio=TwilioChannel.from_env(env, region),
            whatsapp=WhatsAppChannel.from_env(env),
            proactive=ProactiveSettings.from_env(env),
        )
