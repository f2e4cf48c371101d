"""Robot mail dropped by the e-mail channel's inbound path (an out-of-office, a bounce, our own mail
looping back) is counted per reason and shown to Prometheus as ticketing_mail_dropped_total."""

from collections.abc import Callable

import psycopg
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from psycopg_pool import ConnectionPool

from services.metrics.prometheus import TicketingCollector
from tests.fixtures import mails
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.mail_helpers import mail_gateway, post_mail

pytestmark = pytest.mark.integration


def scrape(database_url: str) -> str:
    registry = CollectorRegistry()
    with ConnectionPool(database_url, min_size=1, max_size=1, open=True) as pool:
        registry.register(TicketingCollector(pool, stuck_after_s=60))
        return generate_latest(registry).decode()


def test_robot_mail_is_counted_per_reason_and_scraped(start_gateway: Callable[..., Gateway]) -> None:
    gw = mail_gateway(start_gateway)
    assert "ticketing_mail_dropped_total{" not in scrape(gw.database_url)
    ours = "ticketing.1.1.a@centre.example"
    with gw.client(gw.token("integration", channel="email")) as client:
        answers = [
            post_mail(client, mails.out_of_office("o1@example.com", ours, "Refund")),
            post_mail(client, mails.out_of_office("o2@example.com", ours, "Refund")),
            post_mail(client, mails.bounce("dsn@mx.example.com", ours), envelope_from="<>"),
            post_mail(client, mails.plain("p1@example.com", "a person wrote this")),
        ]
    assert [a.json().get("reason") for a in answers[:3]] == ["auto_submitted", "auto_submitted", "bounce"]
    with psycopg.connect(gw.database_url) as conn:
        rows = conn.execute("SELECT reason, total FROM mail_dropped ORDER BY reason").fetchall()
    assert rows == [("auto_submitted", 2), ("bounce", 1)]
    text = scrape(gw.database_url)
    assert 'ticketing_mail_dropped_total{reason="auto_submitted"} 2.0' in text
    assert 'ticketing_mail_dropped_total{reason="bounce"} 1.0' in text
