"""The customer's web chat and contact form in a real headless Chromium, against the real gateway.

The widget runs where operators put it: a host page on another origin (a second local server),
under that page's own strict Content-Security-Policy, talking to the gateway across origins. The
whole journey of the issue: in Arabic, the customer writes, sees their place in the queue, an agent
answers in the real console, the reply shows live, the ticket is resolved, the survey invitation
arrives with its link, the survey page from that link is answered, and the KPI report counts it."""

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from services.admin import cli
from services.shared.db import open_pool
from services.workers import surveys as survey_tasks
from services.workers.settings import WorkerSettings
from tests.fixtures.gateway import Gateway, unused_port
from tests.fixtures.pdfs import text_pdf
from tests.integration.gateway.web_chat_helpers import widget_key
from tests.integration.routing_helpers import route
from tests.integration.test_metrics_service import catch_up

pytestmark = [pytest.mark.integration, pytest.mark.browser]
# Assertions on the pages wait as long as the pages' own actions may take on a busy machine (the
# widget polls every second; Playwright's default for `expect` is 5 s).
EXPECT_TIMEOUT_MS = 15_000

HOST_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1>
<script src="{gateway}/widget.js" data-widget-key="{key}" data-poll-seconds="1" async></script>
</body></html>"""


@pytest.fixture
def host_site() -> Iterator[Callable[[str], str]]:
    """A second web server on another origin (http://localhost:<port>, the gateway being 127.0.0.1):
    `serve(html)` puts the operator's page at / and returns the origin. The page carries a strict
    policy of its own: scripts and requests only to the gateway, no inline styles or scripts."""
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get("html", "").encode()
            self.send_response(200 if self.path == "/" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", pages["csp"])
            self.end_headers()
            self.wfile.write(body if self.path == "/" else b"")

        def log_message(self, *args: Any) -> None:
            pass

    port = unused_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://localhost:{port}"

    def serve(html: str, gateway: str = "") -> str:
        pages["html"] = html
        pages["csp"] = f"default-src 'none'; script-src {gateway}; connect-src {gateway}; style-src 'none'"
        return origin

    try:
        yield serve
    finally:
        server.shutdown()
        server.server_close()


def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    # A test driving Playwright's sync API has an event loop marked running in this thread.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


def one(db_url: str, sql: str, *args: object) -> Any:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(sql, args).fetchone()  # type: ignore[arg-type]
    return None if row is None else row[0]


def strict_page(chromium: Any) -> tuple[Any, Any, list[str]]:
    """A page whose policies are enforced (not bypassed): what a customer's browser does."""
    context = chromium.new_context(locale="ar-AE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    return context, page, problems


def send_survey(gw: Gateway) -> None:
    settings = WorkerSettings.from_env(
        {"DATABASE_URL": gw.database_url, "BROKER_URL": "amqp://unused//", "PUBLIC_URL": gw.url}
    )
    with open_pool(gw.database_url, name="test-widget-surveys") as pool:
        assert survey_tasks.sweep(pool, settings) == 1


def test_the_whole_journey_in_arabic_from_the_widget_to_the_kpi_report(
    gateway: Gateway, chromium: Any, browser_page: Any, host_site: Callable[..., str]
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)

    gw, console = gateway, browser_page
    with psycopg.connect(gw.database_url) as conn:
        every_queue = [row[0] for row in conn.execute("SELECT name FROM queues ORDER BY name")]
    agent_id, agent_token = gw.agent(every_queue, name="Amal")
    # Skilled for whatever queue the classifier picks, and speaking Arabic.
    skills = {skill for policy in gw.settings.routing.by_queue.values() for skill in policy.skills}
    argv = ["set-agent", str(agent_id), "--languages", "ar,en", "--capacity", "chat=2"]
    if skills:
        argv += ["--skills", ",".join(f"{skill}=5" for skill in sorted(skills))]
    assert cli.run(argv, gw.database_url) == 0
    site = host_site("", gw.url)
    key = widget_key(gw, site)
    host_site(HOST_PAGE.format(lang="ar", title="بوابة الخدمات", gateway=gw.url, key=key), gw.url)
    context, page, problems = strict_page(chromium)
    try:
        page.goto(site + "/")
        launcher = page.locator(".launcher")
        expect(launcher).to_have_text("تواصل معنا")
        launcher.click()
        panel = page.locator("section.panel")
        assert panel.get_attribute("dir") == "rtl" and panel.get_attribute("lang") == "ar"
        page.fill("#tc-name", "سارة")
        page.fill("#tc-text", "لاحظت عملية سحب من حسابي ما سويتها، أبي أعرف وش صار")
        page.locator("form.start button[type=submit]").click()
        status = page.locator(".status")
        expect(status).to_contain_text("ترتيبك")
        expect(status).to_contain_text("قائمة الانتظار")
        ticket = int(one(gw.database_url, "SELECT ticket_id FROM chat_sessions ORDER BY id DESC LIMIT 1"))
        assert one(gw.database_url, "SELECT status FROM tickets WHERE id = %s", ticket) == "queued"
        expect(page.locator(".reference")).to_contain_text("رقمك المرجعي")

        # The agent, in the real console: signs in, is offered the chat, accepts, replies, resolves.
        console.goto(f"{gw.url}/console")
        console.fill("#token", agent_token)
        console.click("#sign-in")
        console.locator("#desk").wait_for()
        console.wait_for_function("document.getElementById('stream-state').textContent === 'live'")
        deadline = time.monotonic() + 10
        while one(gw.database_url, "SELECT presence FROM agents WHERE id = %s", agent_id) != "available":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert in_thread(route, gw.database_url, gw.settings.routing).offered == 1
        console.locator(".offer button.accept").click()
        console.wait_for_function("document.getElementById('ticket-text').textContent.includes('عملية سحب')")
        # Taking it from the console answers it (the chat is the agent's now).
        expect(status).to_have_text("موظف معك الحين.")
        console.fill("#reply-text", "أهلاً سارة، أوقفنا البطاقة وبنرجع لك المبلغ خلال ٣ أيام")
        console.click("#reply")

        # The reply shows in the widget by itself (the widget polls); the customer writes back.
        expect(page.locator(".msg.centre")).to_contain_text("أوقفنا البطاقة")
        page.locator(".chat textarea").fill("مشكورين، الله يعطيكم العافية")
        page.locator(".chat button.primary").click()
        expect(page.locator(".msg.mine").last).to_have_text("مشكورين، الله يعطيكم العافية")
        # The console shows the thread as it opens a ticket: the agent opens it again.
        console.locator(f"#held [data-ticket='{ticket}']").click()
        console.wait_for_function(
            "document.getElementById('thread').textContent.includes('الله يعطيكم العافية')"
        )

        console.click("#resolve")
        expect(status).to_have_text("تم إغلاق هذه المحادثة. شكراً لك!")

        # The survey invitation arrives in the widget with its link; the link opens the survey page.
        in_thread(send_survey, gw)
        invitation = page.locator(".msg.centre[data-kind=survey]")
        expect(invitation).to_be_visible()
        link = invitation.locator("a")
        assert link.get_attribute("href").startswith(f"{gw.url}/survey/")
        with context.expect_page() as opened:
            link.click()
        survey = opened.value
        survey.wait_for_load_state()
        assert survey.get_attribute("html", "dir") == "rtl"
        survey.locator("input[name=score][value='5']").check()
        survey.fill("#comment", "خدمة سريعة")
        survey.click("#send")
        survey.locator("#thanks:not([hidden])").wait_for()
    finally:
        context.close()
    assert problems == []
    assert one(gw.database_url, "SELECT score FROM surveys WHERE ticket_id = %s", ticket) == 5
    assert one(gw.database_url, "SELECT status FROM tickets WHERE id = %s", ticket) == "resolved"

    # The KPI report counts the answered chat and its survey.
    in_thread(catch_up, gw.database_url)
    with gw.client(gw.token("supervisor")) as client:
        since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        kpis = client.get("/v1/metrics/kpis", params={"from": since}).json()
    chat = kpis["by_channel"]["chat"]
    assert (chat["offered"], chat["answered"]) == (1, 1), chat


def test_in_english_left_to_right_and_leaving_before_an_answer_is_an_abandon(
    gateway_alone: Gateway, chromium: Any, host_site: Callable[..., str]
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)

    gw = gateway_alone
    site = host_site("", gw.url)
    key = widget_key(gw, site)
    host_site(HOST_PAGE.format(lang="en-GB", title="Services", gateway=gw.url, key=key), gw.url)
    context, page, problems = strict_page(chromium)
    try:
        page.goto(site + "/")
        page.locator(".launcher").click()
        assert page.locator("section.panel").get_attribute("dir") == "ltr"
        page.fill("#tc-text", "How do I renew my residence card?")
        page.locator("form.start button[type=submit]").click()
        expect(page.locator(".status")).to_contain_text("You are number 1 in the queue")
        ticket = int(one(gw.database_url, "SELECT ticket_id FROM chat_sessions ORDER BY id DESC LIMIT 1"))
        # A reload keeps the chat (this tab's sessionStorage).
        page.reload()
        expect(page.locator(".reference")).to_have_text(f"Your reference: #{ticket}")
        page.locator(".chat button.secondary", has_text="End chat").click()
        expect(page.locator(".status")).to_have_text("You left the chat before an agent answered.")
    finally:
        context.close()
    assert problems == []
    assert one(gw.database_url, "SELECT status FROM tickets WHERE id = %s", ticket) == "abandoned"


def test_the_contact_form_with_a_file_shows_the_reference_and_the_wait(
    gateway_alone: Gateway, chromium: Any, tmp_path: Any
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)

    gw = gateway_alone
    key = widget_key(gw, "https://www.example.gov.ae", channel="web")
    statement = tmp_path / "statement.pdf"
    statement.write_bytes(text_pdf("Statement: 120 AED to Unknown Shop"))
    # The gateway's own policy enforced: the page's inline script runs only by its hash.
    context, page, problems = strict_page(chromium)
    try:
        page.goto(f"{gw.url}/contact?key={key}")
        assert page.evaluate("document.dir") == "rtl"
        page.fill("#name", "سارة")
        page.fill("#email", "sara@example.com")
        page.fill("#text", "في مبلغ مخصوم من حسابي ما أعرفه، مرفق كشف الحساب")
        page.set_input_files("#files", str(statement))
        page.click("#send")
        expect(page.locator("#reference")).to_contain_text("رقمك المرجعي")
        expect(page.locator("#status")).to_contain_text("ترتيبك")
        # The agent answers (through the API here); the page shows it, its link a link.
        _, agent = gw.agent(["triage"])
        with gw.client(agent) as staff:
            held = staff.post("/v1/agent/claim", json={}).json()["id"]
            guide = f"{gw.url}/healthz"
            staff.post(f"/v1/tickets/{held}/reply", json={"text": f"راجعنا الكشف، التفاصيل هني: {guide}"})
        reply = page.locator("#messages-log .msg")
        expect(reply).to_contain_text("راجعنا الكشف")
        assert reply.locator("a").get_attribute("href") == guide
        expect(page.locator("#status")).to_have_text("موظف معك الحين.")
        page.goto(f"{gw.url}/contact?lang=en")
        assert page.evaluate("document.dir") == "ltr"
        expect(page.locator("#no-key")).to_be_visible()
    finally:
        context.close()
    assert problems == []
    ticket = int(one(gw.database_url, "SELECT ticket_id FROM chat_sessions ORDER BY id DESC LIMIT 1"))
    assert one(gw.database_url, "SELECT channel FROM tickets WHERE id = %s", ticket) == "web"
    assert one(gw.database_url, "SELECT text FROM ticket_documents WHERE ticket_id = %s", ticket) == (
        "Statement: 120 AED to Unknown Shop"
    )
