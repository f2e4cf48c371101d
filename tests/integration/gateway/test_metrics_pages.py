"""The wallboard and the report page in a real headless Chromium, against the real gateway and metrics."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from tests.fixtures.gateway import Gateway, unused_port
from tests.integration.test_kpi_scenarios import april, ticket
from tests.integration.test_metrics_service import catch_up, make_agent, make_customer

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@pytest.fixture
def gateway(start_gateway: Callable[..., Gateway], metrics_addr: str) -> Gateway:
    return start_gateway(classifier_addr=f"127.0.0.1:{unused_port()}", metrics_addr=metrics_addr)


def test_the_wallboard_shows_live_figures_coloured_against_target(gateway: Gateway, db, browser_page):
    page = browser_page
    agent, customer = make_agent(db, "Amal"), make_customer(db)
    db.execute("UPDATE agents SET presence = 'available' WHERE id = %s", (agent,))
    now = datetime.now(UTC).replace(microsecond=0)
    start = max(now - timedelta(minutes=10), now.replace(hour=0, minute=0, second=0))
    # Today: a phone call answered in 5 s (service level met), a chat abandoned (abandonment missed).
    ticket(db, "phone", customer, start, [(0, "created"), (0, "routed", None, "cards"), (2, "claimed", agent),
        (5, "answered", agent), (60, "resolved", agent)])  # fmt: skip
    ticket(db, "chat", customer, start, [(0, "created"), (0, "routed", None, "general"), (20, "abandoned")])
    db.execute("UPDATE tickets SET status = 'resolved'")
    token = gateway.token("supervisor")

    page.goto(f"{gateway.url}/wallboard")
    page.fill("#token", token)
    page.click("#login button")

    phone_sl = page.locator('[data-key="channel-phone"] [data-figure="service_level"]')
    phone_sl.wait_for()
    page.wait_for_function(
        'document.querySelector(\'[data-key="channel-phone"] [data-figure="service_level"]\')'
        ".textContent === '100.0%'"
    )
    assert "met" in phone_sl.get_attribute("class")
    chat_abandoned = page.locator('[data-key="channel-chat"] [data-figure="abandonment_rate"]')
    assert chat_abandoned.text_content() == "100.0%" and "missed" in chat_abandoned.get_attribute("class")
    waiting = page.locator('[data-key="queue-cards"] [data-figure="waiting"]')
    assert waiting.text_content() == "0"

    # A call joins `cards`: the board shows it within 2 s (the promise), without a reload.
    queued = ticket(db, "phone", make_customer(db), now, [(0, "created"), (0, "routed", None, "cards")])
    db.execute("UPDATE tickets SET queued_at = created_at WHERE id = %s", (queued,))
    page.wait_for_function(
        "document.querySelector('[data-key=\"queue-cards\"] [data-figure=\"waiting\"]').textContent === '1'",
        timeout=2000,
    )
    assert page.locator('[data-key="waiting"] [data-figure="waiting"]').text_content() == "1"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # never reloaded


def test_the_wallboard_asks_for_a_token_and_never_takes_one_from_its_url(gateway: Gateway, browser_page):
    page = browser_page
    tickets: list[str] = []
    page.on(
        "request", lambda request: tickets.append(request.url) if "/v1/metrics/live" in request.url else None
    )
    supervisor = gateway.token("supervisor")
    page.goto(f"{gateway.url}/wallboard?token={supervisor}")
    assert page.locator("#login").is_visible()
    assert page.evaluate("location.href") == f"{gateway.url}/wallboard"  # out of the history too
    page.fill("#token", supervisor)
    page.click("#login button")
    page.locator('[data-key="channel-email"]').wait_for()
    assert page.locator("#status").text_content().startswith("live")
    # The stream was opened with a single-use ticket; the token was in no URL.
    assert tickets and all("ticket=stk_" in url and supervisor not in url for url in tickets)


def test_the_report_page_renders_tables_and_charts(gateway: Gateway, db, database_url, browser_page):
    april(db)
    # Playwright's sync API runs an event loop in this thread; the follower's pass gets its own.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(catch_up, database_url).result()
    page = browser_page
    page.set_extra_http_headers({"Authorization": f"Bearer {gateway.token('supervisor')}"})

    page.goto(f"{gateway.url}/v1/metrics/report?year=2024&format=html")

    assert page.title() == "Contact centre report 2024"
    fcr = page.locator("table.kpis").first.locator('tr[data-kpi="fcr"]')
    assert fcr.locator("td").first.text_content() == "44.4%"
    assert fcr.locator("td.status").text_content() == "missed"
    assert page.locator('table.volumes tr[data-channel="phone"] td').first.text_content() == "5"
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 80
    assert page.locator("svg.chart rect").count() > 10


def test_the_report_opens_in_a_browser_with_a_token_asked_for_not_a_header(
    gateway: Gateway, db, database_url, browser_page
):
    april(db)
    with ThreadPoolExecutor(1) as thread:
        thread.submit(catch_up, database_url).result()
    page = browser_page
    page.goto(f"{gateway.url}/report?year=2024")
    page.locator("#token").fill(gateway.token("supervisor"))
    page.locator("#login button[type=submit]").click()
    page.locator("table.kpis").first.wait_for()
    assert page.title() == "Contact centre report 2024"
    fcr = page.locator("table.kpis").first.locator('tr[data-kpi="fcr"]')
    assert fcr.locator("td").first.text_content() == "44.4%"
    # Durations read as times, and the per-queue section the JSON and CSV have is on the page too.
    asa = page.locator("table.kpis").first.locator('tr[data-kpi="asa_s"] td').first.text_content()
    assert asa is not None and (asa.endswith(" s") or ":" in asa) and "." not in asa
    assert page.locator("section[data-queue] table.kpis").count() >= 1
    assert page.locator("svg.chart").count() == 3
    # The token stays in the tab: a reload shows the report without asking again.
    page.reload()
    page.locator("table.kpis").first.wait_for()
    assert page.locator("#login").is_hidden()
