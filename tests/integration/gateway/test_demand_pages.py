"""The wallboard's demand panel in a real Chromium, in Arabic (ar-AE) and English: this week's new
intent flagged, the most asked, and the phrases of unplaced inquiries, numbers as the locale writes them."""

import re
from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
import pytest
from psycopg.types.json import Jsonb

from services.shared.i18n import catalogue, formats
from tests.fixtures.gateway import Gateway, unused_port

pytestmark = [pytest.mark.integration, pytest.mark.browser]

LOCALES = {"ar": "ar-AE", "en": "en-US"}


@pytest.fixture
def with_metrics(start_gateway: Callable[..., Gateway], metrics_addr: str) -> Gateway:
    return start_gateway(classifier_addr=f"127.0.0.1:{unused_port()}", metrics_addr=metrics_addr)


def _now_tickets(db: psycopg.Connection, n: int, intent: str, body: str, reason: str, queue: str) -> None:
    """`n` tickets created now (this week, whatever the day), as the classifier placed them."""
    customer = db.execute(
        "INSERT INTO customers (display_name) VALUES ('A customer') RETURNING id"
    ).fetchone()[0]
    for _ in range(n):
        db.execute(
            """INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status,
                   priority, intent, body, classification, routed_by, created_at, queued_at, last_event_at)
               VALUES ('chat', gen_random_uuid()::text, '\\x00', %s, (SELECT id FROM queues WHERE name = %s),
                   'queued', 2, %s, %s, %s, 'classifier', now(), now(), now())""",
            (customer, queue, intent, body, Jsonb({"reason": reason, "confidence": 0.9})),
        )


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_demand_panel_in_each_language(language: str, with_metrics: Gateway, db, page_in) -> None:
    # Absent before, nine this week: "new" by the rule; and what the taxonomy lacks, in Arabic.
    _now_tickets(db, 9, "visa_letter", "I need a letter for my visa", "matched", "general")
    _now_tickets(db, 4, "", "ابغى شهادة للإقامة الذهبية", "no_match", "triage")
    _now_tickets(db, 2, "card_arrival", "My card has not arrived", "matched", "cards")
    page = page_in(LOCALES[language])
    page.goto(f"{with_metrics.url}/wallboard")
    page.fill("#token", with_metrics.token("supervisor"))
    page.click("#login button")
    panel = page.locator("#demand")
    flagged = panel.locator('[data-key="demand-flagged"] [data-figure="demand-visa_letter"]')
    flagged.wait_for()

    assert panel.locator('[data-key="demand-flagged"] h3').text_content() == catalogue.text(
        language, "wallboard.demand_flagged"
    )
    label = flagged.locator("xpath=preceding-sibling::span").text_content()
    assert label == "visa letter · " + catalogue.text(language, "wallboard.demand_new")
    # The browser's Intl and the server's babel write ar-AE numbers alike.
    nine, zero = formats.number(language, 9), formats.number(language, 0)
    assert flagged.text_content() == catalogue.text(
        language, "wallboard.demand_vs_last_week", now=nine, before=zero
    )
    # This ISO week on the centre's clock (UTC here); the year without grouping.
    year, week, _ = datetime.now(UTC).isocalendar()
    shown_year = formats.number(language, year).replace(",", "").replace("\u066c", "")
    assert panel.locator("#demand-heading").text_content() == catalogue.text(
        language, "wallboard.demand_heading", week=formats.number(language, week), year=shown_year
    )
    phrases = panel.locator('[data-key="demand-phrases"]')
    assert phrases.locator("h3").text_content() == catalogue.text(
        language, "wallboard.demand_phrases", n=formats.number(language, 4)
    )
    assert "للاقامه الذهبيه" in (phrases.text_content() or "")
    # A known intent by its catalogue name in the page's language (Arabic in ar), not by its id; an
    # intent no catalogue names (visa_letter) is its id humanised, as above.
    card = panel.locator('[data-figure="demand-top-card_arrival"]').locator("xpath=preceding-sibling::span")
    shown = card.text_content() or ""
    assert shown == catalogue.text(language, "intent.card_arrival") and shown != "card arrival"
    assert bool(re.search(r"[\u0600-\u06FF]", shown)) == (language == "ar")
    none = panel.locator('[data-figure="demand-top-none"]')
    assert none.locator("xpath=preceding-sibling::span").text_content() == catalogue.text(
        language, "wallboard.demand_no_intent"
    )
    assert page.evaluate("document.dir") == catalogue.DIRECTIONS[language]


def test_without_the_demand_endpoint_the_wallboard_shows_no_panel(with_metrics: Gateway, page_in) -> None:
    page = page_in("en-US")
    # A gateway from before demand answers 404 there.
    page.route(
        "**/v1/metrics/demand*",
        lambda route: route.fulfill(
            status=404, content_type="application/problem+json", body='{"status": 404, "title": "Not found"}'
        ),
    )
    page.goto(f"{with_metrics.url}/wallboard")
    page.fill("#token", with_metrics.token("supervisor"))
    page.click("#login button")
    page.locator('[data-key="queue-cards"]').wait_for()
    page.wait_for_timeout(500)
    assert page.locator("#demand").is_hidden()
    assert page.locator('[data-key="demand-flagged"]').count() == 0
