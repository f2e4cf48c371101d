"""Security headers on every response; an HTML page's Content-Security-Policy admits only its own scripts."""

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Same on every response: no MIME sniffing, no Referer (page URLs may carry a one-time stream ticket
# or a survey token), never framed (clickjacking an agent's accept button).
COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
# For everything that is not a page (JSON, CSV, SVG, event streams): nothing may run or load.
API_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def page_csp(html: bytes) -> bytes:
    """The policy for one HTML page: scripts only from this origin or the page's own inline blocks
    (by hash, so an injected `<script>` does not run), data only from this origin, never framed."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    )
    script_src = f"script-src 'self' {hashes}".strip()
    return (
        f"default-src 'none'; {script_src}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; object-src 'none'"
    ).encode()


class SecurityHeaders:
    """Adds the headers; an HTML response is held until complete (pages are small) to hash its scripts."""

    def __init__(self, app: ASGIApp, hsts: bool = False):
        self.app = app
        self.common = (*COMMON, (b"strict-transport-security", b"max-age=31536000")) if hsts else COMMON

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-frame-options"]
                headers.extend(self.common)
                message = {**message, "headers": headers}
                html = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
                # Every page, the API docs included (their files are served here too), gets the page policy.
                if html:
                    held.append(message)
                    return
                headers.append((b"content-security-policy", API_CSP))
                await send(message)
                return
            if held and message["type"] == "http.response.body":
                held.append(message)
                if message.get("more_body", False):
                    return
                start, *bodies = held
                body = b"".join(m.get("body", b"") for m in bodies)
                start["headers"].append((b"content-security-policy", page_csp(body)))
                await send(start)
                await send({"type": "http.response.body", "body": body})
                held.clear()
                return
            await send(message)

        await self.app(scope, receive, send_with_headers)
