"""How a text reaches a customer's SMS or WhatsApp: Twilio's REST client or the WhatsApp Cloud API.

The sweep (messaging_delivery.py) sees only `TextSender`; tests hand it a fake and no provider is called.
"""

from dataclasses import dataclass
from typing import Protocol

import httpx
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from services.shared.channels import TwilioChannel, WhatsAppChannel


@dataclass(frozen=True)
class OutgoingText:
    transport: str  # "sms", "twilio_whatsapp" or "whatsapp_cloud"
    to: str  # E.164
    sender: str  # our number (E.164), or the WhatsApp phone-number id
    body: str


class SendFailed(Exception):
    def __init__(self, reason: str, permanent: bool):
        super().__init__(reason)
        self.permanent = permanent


class TextSender(Protocol):
    def send(self, text: OutgoingText) -> str:
        """Hands the text to the provider; its id of the message. Raises SendFailed."""
        ...


class ProviderSender:
    """The real senders, each with the timeout of the sweep's lease."""

    def __init__(self, twilio: TwilioChannel, whatsapp: WhatsAppChannel, timeout_s: float):
        self.twilio = twilio
        self.whatsapp = whatsapp
        self.timeout_s = timeout_s

    def send(self, text: OutgoingText) -> str:
        if text.transport == "whatsapp_cloud":
            return self._cloud(text)
        return self._twilio(text)

    def _twilio(self, text: OutgoingText) -> str:
        if not self.twilio.enabled:
            raise SendFailed("Twilio is not configured (TWILIO_AUTH_TOKEN)", permanent=False)
        prefix = "whatsapp:" if text.transport == "twilio_whatsapp" else ""
        client = Client(
            self.twilio.account_sid,
            self.twilio.auth_token,
            http_client=TwilioHttpClient(timeout=self.timeout_s),
        )
        try:
            sent = client.messages.create(to=prefix + text.to, from_=prefix + text.sender, body=text.body)
        except TwilioRestException as exc:
            # 4xx: Twilio refused this message (a bad number, an opted-out customer); it would again.
            raise SendFailed(
                f"Twilio {exc.status}: {exc.msg}", permanent=400 <= exc.status < 500 and exc.status != 429
            ) from None
        except (TwilioException, OSError) as exc:
            raise SendFailed(f"{type(exc).__name__}: {exc}", permanent=False) from None
        return str(sent.sid)

    def _cloud(self, text: OutgoingText) -> str:
        if not self.whatsapp.access_token:
            raise SendFailed("WhatsApp Cloud is not configured (WHATSAPP_ACCESS_TOKEN)", permanent=False)
        url = f"{self.whatsapp.graph_url}/{text.sender}/messages"
        body = {
            "messaging_product": "whatsapp",
            "to": text.to.lstrip("+"),
            "type": "text",
            "text": {"body": text.body, "preview_url": True},
        }
        headers = {"Authorization": f"Bearer {self.whatsapp.access_token}"}
        try:
            response = httpx.post(url, json=body, headers=headers, timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            raise SendFailed(f"{type(exc).__name__}: {exc}", permanent=False) from None
        if response.status_code >= 300:
            permanent = 400 <= response.status_code < 500 and response.status_code != 429
            raise SendFailed(f"WhatsApp {response.status_code}: {response.text[:300]}", permanent=permanent)
        try:
            return str(response.json()["messages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError):
            return ""
