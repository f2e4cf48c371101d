"""The SMTP listener (`python -m services.mail`) in its own process, mail sent to it with smtplib: it
answers 250 only once the ticket is committed, refuses strangers' recipients, oversized and broken
mail, drops robots' mail, and asks the sender to retry while the gateway is away."""

import os
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from tests.fixtures import mails
from tests.fixtures.gateway import Gateway, unused_port
from tests.integration.gateway.helpers import counts
from tests.integration.gateway.mail_helpers import mail_gateway, ticket_rows

MAX_BYTES = 200_000


@contextmanager
def listener(gateway_url: str, token: str) -> Iterator[int]:
    port = unused_port()
    env = {
        **os.environ,
        "SMTP_BIND": f"127.0.0.1:{port}",
        "GATEWAY_URL": gateway_url,
        "MAIL_INTAKE_TOKEN": token,
        "MAIL_ADDRESSES": mails.CENTRE,
        "MAIL_MAX_BYTES": str(MAX_BYTES),
        "MAIL_INTAKE_TIMEOUT_S": "5",
    }
    process = subprocess.Popen([sys.executable, "-m", "services.mail"], env=env)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, "the listener exited"
                assert time.monotonic() < deadline, "the listener did not start"
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def send(port: int, raw: bytes, sender: str = "sara@example.com", to: str = mails.CENTRE) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as client:
        client.sendmail(sender, [to], raw)


@pytest.fixture
def gw(start_gateway: Callable[..., Gateway]) -> Gateway:
    return mail_gateway(start_gateway)


def test_mail_sent_over_smtp_is_a_ticket_when_the_listener_says_250(gw: Gateway) -> None:
    with listener(gw.url, gw.token("integration", channel="email")) as port:
        send(port, mails.alternative("s1@example.com", "My refund is late", "<p>My refund is late</p>"))
        # 250 came after the commit: the ticket is there now, not eventually.
        assert [r["body"] for r in ticket_rows(gw.database_url)] == ["My refund is late"]
        send(
            port,
            mails.legacy_charset("s2@example.com", "بطاقتي محجوبة", "windows-1256").replace(
                b"sara@example.com", b"huda@example.com"
            ),
            sender="huda@example.com",
        )
        send(
            port,
            mails.with_pdf("s3@example.com", "statement attached", "Balance 9").replace(
                b"sara@example.com", b"omar@example.com"
            ),
            sender="omar@example.com",
        )
        send(port, mails.alternative("s1@example.com", "My refund is late", "<p>My refund is late</p>"))
        rows = ticket_rows(gw.database_url)
        assert [r["body"] for r in rows] == ["My refund is late", "بطاقتي محجوبة", "statement attached"]
        assert [r["reply_to"] for r in rows] == ["sara@example.com", "huda@example.com", "omar@example.com"]

        before = counts(gw.database_url)
        send(port, mails.bounce("b1@mx.example.com", "ticketing.1.1.a@centre.example"), sender="")
        send(port, mails.out_of_office("o1@example.com", "ticketing.1.1.a@centre.example", "Refund"))
        assert counts(gw.database_url) == before

        with pytest.raises(smtplib.SMTPRecipientsRefused):
            send(port, mails.plain("x1@example.com", "relay me"), to="someone@elsewhere.example")
        with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as big:
            send(port, mails.plain("x2@example.com", "x" * (MAX_BYTES + 10)))
        assert big.value.smtp_code == 552
        with pytest.raises(smtplib.SMTPDataError) as broken:
            send(port, b"From: sara@example.com\r\nContent-Type: multipart/mixed\r\n\r\nno parts")
        assert broken.value.smtp_code == 554
        assert counts(gw.database_url) == before


def test_while_the_gateway_is_away_the_sender_is_told_to_retry(gw: Gateway) -> None:
    away = f"http://127.0.0.1:{unused_port()}"
    with listener(away, "no-gateway-here") as port, pytest.raises(smtplib.SMTPDataError) as later:
        send(port, mails.plain("d1@example.com", "Are you there?"))
    assert later.value.smtp_code == 451
    assert ticket_rows(gw.database_url) == []
