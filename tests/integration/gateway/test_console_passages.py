"""The agent console in a real headless Chromium: a ticket's document shows the passages that bear on the
inquiry first, each with its page, in Arabic and in English, and the whole text one click behind them."""

import base64
import json
from pathlib import Path

import pytest

from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import inquiry

pytestmark = [pytest.mark.integration, pytest.mark.browser]

SET = Path(__file__).resolve().parents[2] / "data" / "passages"
CATALOGUES = Path(__file__).resolve().parents[3] / "services" / "shared" / "i18n"
CASES = {
    "ar": (
        "statement_ar.pdf",
        "عندي عملية في الكشف ما تعرفت عليها، ابي ايقاف البطاقة",
        "إذا لم تتعرف على أي عملية",
    ),
    "en": (
        "statement_en.pdf",
        "I do not recognise a transaction on my statement, please open a dispute",
        "If you do not recognise a transaction",
    ),
}


def catalogue(language: str) -> dict[str, str]:
    return json.loads((CATALOGUES / f"{language}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_passages_come_first_with_their_pages(language: str, gateway_alone: Gateway, page_in) -> None:
    gw = gateway_alone
    filename, text, expected = CASES[language]
    web = gw.token("integration", channel="web")
    _, token = gw.agent(["triage"], name="Amal")
    pdf = base64.b64encode((SET / filename).read_bytes()).decode()
    with gw.client(web) as client:
        posted = client.post(
            "/v1/inquiries",
            json=inquiry(
                channel="web",
                external_id=f"w-{language}",
                text=text,
                attachments=[{"filename": filename, "data_base64": pdf}],
            ),
        )
        assert posted.status_code == 201, posted.text
        ticket = posted.json()
    assert ticket["status"] == "queued"
    with gw.client(token) as agent:
        assert agent.post("/v1/agent/claim", json={}).json()["id"] == ticket["id"]

    words = catalogue(language)
    page = page_in("ar-AE" if language == "ar" else "en-GB")
    page.goto(f"{gw.url}/console")
    page.fill("#token", token)
    page.click("#sign-in")
    page.locator("#desk").wait_for()
    page.locator(".held").first.click()
    page.locator(".passage").first.wait_for()

    assert page.locator("#documents h4").text_content() == words["console.passages"]
    passages = page.locator(".passage")
    assert passages.count() == 3
    shown = [passages.nth(i).text_content() or "" for i in range(3)]
    wanted = [s for s in shown if expected in s]
    assert len(wanted) == 1, shown
    assert words["console.page_n"].format(n=2) in wanted[0]
    # Each passage reads in its own direction, whatever the page's.
    quote = page.locator(".passage-text").first
    assert quote.get_attribute("dir") == "auto"
    direction = page.evaluate("getComputedStyle(document.querySelector('.passage-text')).direction")
    assert direction == ("rtl" if language == "ar" else "ltr")
    # The whole text is behind the passages, closed until asked for.
    whole = page.locator("details.document-whole")
    assert whole.get_attribute("open") is None
    assert not page.locator(".document-text").first.is_visible()
    whole.locator("summary").click()
    assert page.locator(".document-text").first.is_visible()
    assert whole.locator("summary").text_content() == words["console.whole_text"]
    assert expected in (page.locator(".document-text").first.text_content() or "")
