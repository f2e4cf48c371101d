"""The e-mail channel's test bench: a gateway that knows the centre's address, posting mail raw, an
SMTP relay (aiosmtpd's Controller) that keeps what it is given, and the tickets' rows."""

import email
from collections.abc import Callable
from dataclasses import replace
from email import policy
from email.message import EmailMessage
from typing import Any

import httpx
import psycopg
from aiosmtpd.controller import Controller

from services.shared.channels import ChannelSettings, EmailChannel, SmtpRelay
from services.workers.settings import WorkerSettings
from tests.fixtures import mails
from tests.fixtures.gateway import Gateway, unused_port

EMAIL = EmailChannel(addresses=frozenset({mails.CENTRE}), sender=mails.CENTRE)


def mail_gateway(start_gateway: Callable[..., Gateway], **overrides: Any) -> Gateway:
    """A gateway with its gRPC peers away (every mail lands in triage) that takes mail for CENTRE."""
    return start_gateway(
        classifier_addr=f"127.0.0.1:{unused_port()}",
        metrics_addr=f"127.0.0.1:{unused_port()}",
        channels=ChannelSettings(email=EMAIL),
        **overrides,
    )


def post_mail(client: httpx.Client, raw: bytes, envelope_from: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "message/rfc822"}
    if envelope_from is not None:
        headers["X-Envelope-From"] = envelope_from
    return client.post("/v1/channels/email/inbound", content=raw, headers=headers)


class Relay:
    """An SMTP server on loopback keeping every mail it is given, parsed."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=unused_port())
        self.controller.start()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def settings(self, database_url: str) -> WorkerSettings:
        base = WorkerSettings.from_env({"DATABASE_URL": database_url, "BROKER_URL": "amqp://unused//"})
        relay = SmtpRelay("127.0.0.1", self.controller.port, "plain")
        return replace(
            base, channels=ChannelSettings(email=replace(EMAIL, relay=relay)), callback_timeout_s=5.0
        )

    def close(self) -> None:
        self.controller.stop()


def ticket_rows(database_url: str) -> list[dict[str, Any]]:
    with psycopg.connect(database_url) as conn:
        cur = conn.execute(
            """SELECT t.id, t.status, t.subject, t.body, t.reply_to, t.customer_id,
                      (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id
                       AND e.type = 'customer_message') AS follow_ups
               FROM tickets t ORDER BY t.id"""
        )
        names = [c.name for c in cur.description or []]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
