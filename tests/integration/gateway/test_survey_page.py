"""GET /survey/{token}: the page a survey invitation links to, in a real browser, in the survey's
language (Arabic right to left), answered once, then "already answered"; expired links say so."""

from datetime import timedelta
from typing import Any

import httpx
import psycopg
import pytest

from services.shared.store import surveys, ticket_events
from services.shared.store.ticket_events import NewEvent
from tests.fixtures.gateway import Gateway
from tests.integration.worker_tickets import db_now, insert_customer, insert_ticket

AR_TOKEN = "arabic-survey-token-0001"
EN_TOKEN = "english-survey-token-001"
OLD_TOKEN = "expired-survey-token-001"


def make_surveys(database_url: str) -> dict[str, int]:
    made = {}
    with psycopg.connect(database_url, autocommit=True) as db:
        now = db_now(db)
        for token, language, expires in (
            (AR_TOKEN, "ar", now + timedelta(days=7)),
            (EN_TOKEN, "en", now + timedelta(days=7)),
            (OLD_TOKEN, "ar", now - timedelta(days=1)),
        ):
            ticket = insert_ticket(db, customer_id=insert_customer(db), queued_at=now, status="resolved")
            surveys.create_sync(db, ticket, token, now - timedelta(days=1), expires)
            ticket_events.append_sync(db, NewEvent(ticket, "survey_sent", now, data={"language": language}))
            made[token] = ticket
    return made


def answer(page: Any, url: str, score: int, comment: str) -> None:
    page.goto(url)
    page.locator(f"input[name=score][value='{score}']").check()
    page.fill("#comment", comment)
    page.click("#send")


@pytest.mark.parametrize(
    ("token", "lang", "direction", "thanks", "answered"),
    [
        (
            AR_TOKEN,
            "ar",
            "rtl",
            "شكراً لك! تم تسجيل إجابتك.",
            "تمت الإجابة على هذا الاستبيان من قبل. شكراً لك!",
        ),
        (
            EN_TOKEN,
            "en",
            "ltr",
            "Thank you! Your answer has been recorded.",
            "This survey has already been answered. Thank you!",
        ),
    ],
)
def test_the_customer_answers_once_in_their_language(
    gateway_alone: Gateway,
    browser_page: Any,
    token: str,
    lang: str,
    direction: str,
    thanks: str,
    answered: str,
) -> None:
    gw, page = gateway_alone, browser_page
    tickets = make_surveys(gw.database_url)
    answer(page, f"{gw.url}/survey/{token}", 4, "سريع ومفيد" if lang == "ar" else "quick and helpful")
    page.wait_for_selector("#thanks:not([hidden])")
    assert page.locator("#thanks").inner_text() == thanks
    assert page.get_attribute("html", "dir") == direction and page.get_attribute("html", "lang") == lang
    assert not page.locator("#survey").is_visible()
    with psycopg.connect(gw.database_url) as conn:
        row = conn.execute(
            "SELECT score, comment FROM surveys WHERE ticket_id = %s", (tickets[token],)
        ).fetchone()
    assert row == (4, "سريع ومفيد" if lang == "ar" else "quick and helpful")
    # Opened again: it says so, and offers no form.
    page.goto(f"{gw.url}/survey/{token}")
    assert page.locator("#message").inner_text() == answered
    assert not page.locator("#survey").is_visible()


def test_a_page_left_open_after_another_answer_says_already_answered(
    gateway_alone: Gateway, browser_page: Any
) -> None:
    gw, page = gateway_alone, browser_page
    make_surveys(gw.database_url)
    page.goto(f"{gw.url}/survey/{EN_TOKEN}")
    httpx.post(f"{gw.url}/v1/surveys/{EN_TOKEN}", json={"score": 2}).raise_for_status()
    page.locator("input[name=score][value='5']").check()
    page.click("#send")
    page.wait_for_selector("#answered:not([hidden])")
    with psycopg.connect(gw.database_url) as conn:
        assert conn.execute(
            "SELECT score FROM surveys WHERE token_hash = %s", (surveys.token_digest(EN_TOKEN),)
        ).fetchone() == (2,)


def test_expired_and_unknown_links_say_so(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    make_surveys(gw.database_url)
    expired = httpx.get(f"{gw.url}/survey/{OLD_TOKEN}")
    assert expired.status_code == 200 and 'dir="rtl"' in expired.text
    assert "انتهت صلاحية هذا الاستبيان" in expired.text and '<form id="survey" hidden>' in expired.text
    unknown = httpx.get(f"{gw.url}/survey/{'u' * 43}")
    assert unknown.status_code == 404 and "This survey link is not valid." in unknown.text
    csp = expired.headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert expired.headers["cache-control"] == "no-store"
    assert httpx.get(f"{gw.url}/survey/bad token!").status_code in (404, 422)


def test_the_page_works_under_its_own_content_security_policy(gateway_alone: Gateway, chromium: Any) -> None:
    gw = gateway_alone
    make_surveys(gw.database_url)
    context = chromium.new_context()  # the policy enforced: the inline script runs only by its hash
    refused: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
        answer(page, f"{gw.url}/survey/{AR_TOKEN}", 5, "")
        page.wait_for_selector("#thanks:not([hidden])", timeout=10_000)
    finally:
        context.close()
    # (The browser's own request for /favicon.ico is a 404 error line of its own; not a refusal.)
    assert [line for line in refused if "Content Security Policy" in line] == []
