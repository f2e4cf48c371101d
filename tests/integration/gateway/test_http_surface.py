"""What every answer carries: security headers, a page policy that runs only the page's own scripts,
405 with `Allow`, and an OpenAPI document that says how the gateway really answers."""

import base64
import hashlib
import re

import pytest

from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem

pytestmark = pytest.mark.integration

PAGES = ["/console", "/supervisor", "/wallboard", "/report", "/quality"]


def _directives(csp: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part}


def test_pages_allow_only_their_own_inline_scripts_and_are_never_framed(gateway_alone: Gateway) -> None:
    with gateway_alone.client() as client:
        for path in PAGES:
            response = client.get(path)
            assert response.status_code == 200, path
            headers = response.headers
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "no-referrer"
            assert headers["x-frame-options"] == "DENY"
            policy = _directives(headers["content-security-policy"])
            assert policy["frame-ancestors"] == ["'none'"], path
            assert policy["default-src"] == ["'none'"], path
            assert "'unsafe-inline'" not in policy["script-src"], path
            scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", response.text, re.S)
            assert scripts, path
            for body in scripts:
                digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
                assert f"'sha256-{digest}'" in policy["script-src"], path


def test_api_answers_carry_a_policy_that_runs_nothing(gateway_alone: Gateway) -> None:
    with gateway_alone.client() as client:
        for response in (client.get("/healthz"), client.get("/v1/agent/me")):
            assert response.headers["x-content-type-options"] == "nosniff"
            policy = _directives(response.headers["content-security-policy"])
            assert policy["default-src"] == ["'none'"]
            assert policy["frame-ancestors"] == ["'none'"]


def test_a_wrong_method_is_405_naming_every_method_of_the_path(gateway_alone: Gateway) -> None:
    integration = gateway_alone.token("integration", channel="chat")
    with gateway_alone.client(integration) as client:
        response = client.post("/v1/outbound/callback", json={})
        assert_problem(response, 405)
        assert set(response.headers["allow"].split(", ")) == {"PUT", "DELETE"}
        response = client.delete("/v1/agent/me")
        assert_problem(response, 405)
        assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}


def test_openapi_declares_bearer_security_and_problem_errors(gateway_alone: Gateway) -> None:
    with gateway_alone.client() as client:
        document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "HTTPValidationError" not in document["components"]["schemas"]
    inquiry = document["paths"]["/v1/inquiries"]["post"]
    assert inquiry["security"] == [{"bearer": []}]
    for status in ("401", "403", "422", "429"):
        assert list(inquiry["responses"][status]["content"]) == ["application/problem+json"], status
    ticket = document["paths"]["/v1/tickets/{ticket_id}"]["get"]
    assert "404" in ticket["responses"]
    assert "security" not in document["paths"]["/healthz"]["get"]
    # Every error the API document names is a problem document, as sent (a page answers as a page).
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and path.startswith("/v1/"):
                    assert list(response["content"]) == ["application/problem+json"], (method, path, status)


@pytest.mark.browser
def test_pages_run_under_their_policy_without_a_violation(chromium: object, gateway_alone: Gateway) -> None:
    from playwright.sync_api import Browser

    assert isinstance(chromium, Browser)
    context = chromium.new_context()  # the policy enforced, unlike the other browser tests
    try:
        for path in PAGES:
            page = context.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error, problems=problems: problems.append(str(error)))
            page.on(
                "console",
                lambda message, problems=problems: (
                    problems.append(message.text) if message.type == "error" else None
                ),
            )
            page.goto(gateway_alone.url + path)
            page.wait_for_load_state("networkidle")
            # The inline script ran (it wires the sign-in form) and nothing was refused.
            page.locator("input[type=password]").first.fill("tkt_not-a-real-token")
            page.locator("button[type=submit]").first.click()
            page.wait_for_timeout(300)
            refused = [p for p in problems if "Content Security Policy" in p]
            assert not refused, (path, refused)
            page.close()
    finally:
        context.close()


@pytest.mark.browser
def test_the_api_docs_work_offline_under_a_self_only_policy(chromium: object, gateway_alone: Gateway) -> None:
    from playwright.sync_api import Browser, Route

    assert isinstance(chromium, Browser)
    with gateway_alone.client() as client:
        response = client.get("/docs")
        assert client.get("/redoc").status_code == 404  # ReDoc would need a CDN: not offered
    policy = _directives(response.headers["content-security-policy"])
    sources = [s for directive in policy.values() for s in directive]
    assert not [s for s in sources if "://" in s or s in ("*", "https:", "'unsafe-eval'")], policy
    assert "'unsafe-inline'" not in policy["script-src"]
    context = chromium.new_context()  # the policy enforced
    elsewhere: list[str] = []

    def offline(route: Route) -> None:
        # No internet: anything not asked of the gateway itself fails, and is recorded.
        if route.request.url.startswith(gateway_alone.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    try:
        context.route("**/*", offline)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(gateway_alone.url + "/docs")
        page.locator(".opblock-summary-path", has_text="/v1/inquiries").first.wait_for(timeout=10_000)
        assert page.locator(".opblock").count() > 20
        assert not elsewhere, elsewhere
        assert not problems, problems
    finally:
        context.close()
