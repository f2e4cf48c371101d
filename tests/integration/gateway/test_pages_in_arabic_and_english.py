"""Every page in a real Chromium set to Arabic (ar-AE) and to English: direction, translated labels,
numbers and dates as the locale writes them; the language switch remembered; the supervisor's actions."""

import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg
import pytest

from services.shared.i18n import catalogue, formats
from services.shared.store import surveys
from tests.fixtures.gateway import Gateway, unused_port
from tests.integration.gateway.helpers import inquiry
from tests.integration.routing_helpers import route
from tests.integration.test_kpi_scenarios import april
from tests.integration.test_metrics_service import catch_up
from tests.integration.worker_tickets import db_now, insert_customer, insert_ticket

pytestmark = [pytest.mark.integration, pytest.mark.browser]

LOCALES = {"ar": "ar-AE", "en": "en-US"}
ARABIC_INDIC = re.compile("[٠-٩]")


def _t(language: str, key: str, **params: object) -> str:
    return catalogue.text(language, key, **params)


def _one(db_url: str, sql: str, *args: object) -> object:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(sql, args).fetchone()  # type: ignore[arg-type]
    return None if row is None else row[0]


def _direction_and_heading(page, language: str, heading_key: str) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.dir") == catalogue.DIRECTIONS[language]
    assert page.evaluate("document.documentElement.lang") == language
    assert page.locator("h1").first.text_content() == _t(language, heading_key)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_console_in_each_language(language: str, gateway_alone: Gateway, page_in) -> None:
    gw = gateway_alone
    _, token = gw.agent(["triage"], name="Amal")
    with gw.client(gw.token("integration", channel="chat")) as client:
        # A customer writing Arabic: shown right to left inside either page.
        client.post("/v1/inquiries", json=inquiry("chat", text="بطاقتي لا تعمل منذ أمس")).raise_for_status()
    page = page_in(LOCALES[language])
    page.goto(f"{gw.url}/console")
    _direction_and_heading(page, language, "console.title")
    assert page.locator("#sign-in").text_content() == _t(language, "console.sign_in")
    page.fill("#token", token)
    page.click("#sign-in")
    page.locator("#desk").wait_for()
    live = _t(language, "console.live")
    page.wait_for_function(f"document.getElementById('stream-state').textContent === {json.dumps(live)}")
    assert page.locator("#presence option[value=away]").text_content() == _t(language, "presence.away")
    assert route(gw.database_url, gw.settings.routing).offered == 1
    offer = page.locator(".offer")
    offer.wait_for()
    assert _t(language, "channel.chat") in offer.text_content()
    assert offer.locator(".excerpt").get_attribute("dir") == "auto"
    assert page.evaluate("getComputedStyle(document.querySelector('.offer .excerpt')).direction") == "rtl"
    countdown = offer.locator(".meta").text_content()
    assert re.search(r"\d", countdown) and not ARABIC_INDIC.search(countdown)  # ar-AE: Latin digits


def test_the_console_remembers_the_language_the_agent_chose(gateway_alone: Gateway, page_in) -> None:
    gw = gateway_alone
    agent_id, token = gw.agent(["triage"], name="Amal")
    page = page_in("ar-AE")
    page.goto(f"{gw.url}/console")
    page.fill("#token", token)
    page.click("#sign-in")
    page.locator("#desk").wait_for()
    with page.expect_navigation():
        page.select_option("#language", "en")
    page.locator("#desk").wait_for()
    assert page.evaluate("document.dir") == "ltr" and page.locator("h1").text_content() == "Agent console"
    assert _one(gw.database_url, "SELECT language FROM agents WHERE id = %s", agent_id) == "en"
    # Another browser, set to Arabic: once the agent signs in, their own choice wins.
    other = page_in("ar-AE")
    other.goto(f"{gw.url}/console")
    assert other.evaluate("document.dir") == "rtl"
    other.fill("#token", token)
    with other.expect_navigation():
        other.click("#sign-in")
    other.locator("#desk").wait_for()
    assert other.evaluate("document.documentElement.lang") == "en"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_supervisor_page_moves_a_ticket_sets_an_agent_away_and_closes_a_follow_up(
    language: str, gateway_alone: Gateway, page_in
) -> None:
    gw = gateway_alone
    agent_id, agent = gw.agent(["triage"], name="Amal")
    with gw.client(agent) as client:
        client.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
    with gw.client(gw.token("integration", channel="phone")) as client:
        waiting = client.post("/v1/inquiries", json=inquiry("phone")).json()["id"]
    with psycopg.connect(gw.database_url, autocommit=True) as db:
        now = db_now(db)
        resolved = insert_ticket(db, customer_id=insert_customer(db), queued_at=now, status="resolved")
        surveys.create_sync(db, resolved, "an-unhappy-customer-token", now, now + timedelta(days=7))
    with gw.client() as client:
        client.post("/v1/surveys/an-unhappy-customer-token", json={"score": 1, "comment": "سيئ جداً"})

    page = page_in(LOCALES[language])
    page.goto(f"{gw.url}/supervisor")
    _direction_and_heading(page, language, "supervisor.heading")
    page.fill("#token", gw.token("supervisor"))
    page.click("#login button")
    triage = page.locator('#queues tr[data-queue="triage"] td').first
    triage.wait_for()
    assert triage.text_content() == {"ar": "الفرز", "en": "Triage"}[language]
    presence = page.locator(f'[data-agent="{agent_id}"] [data-figure="presence"]')
    assert presence.text_content() == _t(language, "presence.available")

    page.fill("#move-ticket", str(waiting))
    page.select_option("#move-queue", "cards")
    page.click("#move")
    moved = _t(
        language, "supervisor.ticket_moved", ticket=waiting, queue={"ar": "البطاقات", "en": "Cards"}[language]
    )
    page.wait_for_function(f"document.getElementById('action-result').textContent === {json.dumps(moved)}")
    assert (
        _one(
            gw.database_url,
            "SELECT q.name FROM tickets t JOIN queues q ON q.id = t.queue_id WHERE t.id = %s",
            waiting,
        )
        == "cards"
    )

    page.locator(f'button.set-away[data-agent="{agent_id}"]').click()
    away = _t(language, "presence.away")
    cell = f'[data-agent="{agent_id}"] [data-figure="presence"]'
    page.wait_for_function(f"document.querySelector({json.dumps(cell)}).textContent === {json.dumps(away)}")
    assert _one(gw.database_url, "SELECT presence FROM agents WHERE id = %s", agent_id) == "away"

    row = page.locator("#follow-ups tbody tr")
    row.wait_for()
    assert row.locator('[data-figure="score"]').text_content() == _t(
        language, "supervisor.score_of_five", score=1
    )
    row.locator(".close-note").fill("called the customer back")
    row.locator(".close-follow-up").click()
    page.locator("#no-follow-ups").wait_for()
    assert _one(gw.database_url, "SELECT note FROM survey_follow_ups") == "called the customer back"


@pytest.fixture
def with_metrics(start_gateway: Callable[..., Gateway], metrics_addr: str) -> Gateway:
    return start_gateway(classifier_addr=f"127.0.0.1:{unused_port()}", metrics_addr=metrics_addr)


STAFFING = {
    "target_sl": 0.8,
    "target_s": 20,
    "queues": [{"queue": "cards", "arrival_rate_per_h": 200.0, "aht_s": 180.0, "agents_signed_in": 5,
                "agents_needed": 7, "predicted": {"p_wait": 0.17, "service_level": 0.89, "asa_s": 7.8,
                                                  "abandonment": None}}],
}  # fmt: skip


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_wallboard_in_each_language_with_the_staffing_advice(
    language: str, with_metrics: Gateway, page_in
) -> None:
    page = page_in(LOCALES[language])
    # The staffing endpoint is another part's: here it answers as its contract says.
    page.route("**/v1/staffing?*", lambda route: route.fulfill(json=STAFFING))
    page.goto(f"{with_metrics.url}/wallboard")
    _direction_and_heading(page, language, "wallboard.heading")
    page.fill("#token", with_metrics.token("supervisor"))
    page.click("#login button")
    cards = page.locator('[data-key="queue-cards"]')
    cards.wait_for()
    assert cards.locator("h3").text_content() == {"ar": "البطاقات", "en": "Cards"}[language]
    assert page.locator('[data-key="channel-phone"] h3').text_content() == _t(language, "channel.phone")
    advice = cards.locator('[data-figure="staffing"]')
    advice.wait_for()
    percent = page.evaluate(
        "new Intl.NumberFormat(document.documentElement.dataset.locale, {style: 'percent'}).format(0.8)"
    )
    expected = _t(language, "wallboard.staffing_advice", sl=percent, s=20, needed=7, signed_in=5)
    assert advice.text_content() == expected
    if language == "en":
        assert expected == "to reach 80% in 20 s now: 7 agents; signed in: 5"
    assert page.locator('[data-key="queue-general"] [data-figure="staffing"]').count() == 0
    status = page.locator("#status").text_content()
    assert status.startswith(_t(language, "wallboard.live", time="").rstrip())


def test_without_the_staffing_endpoint_the_wallboard_shows_no_advice(with_metrics: Gateway, page_in) -> None:
    page = page_in("en-US")
    # A gateway from before the staffing advice answers 404 there.
    page.route(
        "**/v1/staffing*",
        lambda route: route.fulfill(
            status=404, content_type="application/problem+json", body='{"status": 404, "title": "Not found"}'
        ),
    )
    page.goto(f"{with_metrics.url}/wallboard")
    page.fill("#token", with_metrics.token("supervisor"))
    page.click("#login button")
    page.locator('[data-key="queue-cards"]').wait_for()
    page.wait_for_timeout(500)
    assert page.locator('[data-figure="staffing"]').count() == 0


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_report_page_in_each_language(
    language: str, with_metrics: Gateway, db, database_url, page_in
) -> None:
    april(db)
    with ThreadPoolExecutor(1) as thread:
        thread.submit(catch_up, database_url).result()
    page = page_in(LOCALES[language])
    page.goto(f"{with_metrics.url}/report?year=2024")
    _direction_and_heading(page, language, "report.title")
    page.fill("#token", with_metrics.token("supervisor"))
    page.click("#login button")
    fcr = page.locator('#report table.kpis tr[data-kpi="fcr"]').first
    fcr.wait_for()
    assert fcr.locator("th").text_content() == _t(language, "kpi.fcr")
    assert fcr.locator("td").first.text_content() == formats.percent(language, 4 / 9)
    assert fcr.locator("td.status").text_content() == _t(language, "report.missed")
    assert page.locator("#report h1").text_content() == _t(language, "report.heading", year=2024)
    # Month names on the charts as the language writes them; an Arabic chart runs right to left.
    chart = page.locator("#report svg.chart").first
    assert formats.month(language, 4) in chart.text_content()
    assert chart.get_attribute("direction") == catalogue.DIRECTIONS[language]
    # The browser's Intl and the server's babel write ar-AE numbers alike (CLDR: Latin digits).
    assert page.evaluate("new Intl.NumberFormat('ar-AE').format(1234567)") == formats.number("ar", 1234567)


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_wallboard_shows_each_agents_occupancy_today(
    language: str, with_metrics: Gateway, db, page_in
) -> None:
    from datetime import UTC, datetime

    from tests.integration.test_kpi_scenarios import ticket
    from tests.integration.test_metrics_service import make_customer
    from tests.integration.test_occupancy import _agent

    now = datetime.now(UTC)
    if now - now.replace(hour=0, minute=0, second=0, microsecond=0) < timedelta(minutes=40):
        pytest.skip("the half hour below must fall after the centre's (UTC) midnight")
    # Available for the last 30 minutes; a call answered 20 minutes ago is still open: 2/3 busy.
    badr = _agent(db, "Badr", [(now - timedelta(minutes=30), None)])
    held = ticket(db, "phone", make_customer(db), now - timedelta(minutes=25), [(0, "created"),
        (0, "routed", None, "cards"), (240, "claimed", badr), (300, "answered", badr)])  # fmt: skip
    db.execute("UPDATE tickets SET status = 'answered', assigned_agent_id = %s WHERE id = %s", (badr, held))
    page = page_in(LOCALES[language])
    page.goto(f"{with_metrics.url}/wallboard")
    page.fill("#token", with_metrics.token("supervisor"))
    page.click("#login button")
    shown = page.locator(f'[data-key="agent-occupancy"] [data-figure="occupancy-{badr}"]')
    shown.wait_for()
    assert page.locator('[data-key="agent-occupancy"] h3').text_content() == _t(
        language, "wallboard.agent_occupancy"
    )
    # Intl adds direction marks around Arabic numbers where babel does not: compared without them.
    plain = str.maketrans("", "", "\u200e\u200f\u061c")
    expected = {formats.percent(language, r / 1000).translate(plain) for r in range(660, 675)}
    assert (shown.text_content() or "").translate(plain) in expected
