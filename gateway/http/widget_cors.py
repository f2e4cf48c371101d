"""CORS for the web chat's session API only (/v1/chat/…), and only for page origins some active widget
key allows: the widget runs in the operator's page, on another origin than the gateway. Every other
route stays same-origin. Which origin may use which key is checked again by the route itself
(gateway/actions/web_chat.py); this layer only lets the browser read the answers."""

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.shared import widget_secrets
from services.shared.store import widget_keys

PREFIX = "/v1/chat/"
# The allowed origins are re-read at most this often: a new key's site works within it, a revoked
# key's site stops within it (its requests are refused by the route at once anyway).
TTL_S = 10.0
PREFLIGHT_HEADERS = [
    (b"access-control-allow-methods", b"GET, POST"),
    (b"access-control-allow-headers", b"authorization, content-type"),
    (b"access-control-max-age", b"600"),
]


class WidgetCors:
    def __init__(self, app: ASGIApp):
        self.app = app
        self._origins: set[str] = set()
        self._until = 0.0

    async def _allowed(self, scope: Scope, origin: str) -> bool:
        try:
            origin = widget_secrets.normalise_origin(origin)
        except ValueError:
            return False
        if time.monotonic() >= self._until:
            deps = scope["app"].state.deps
            async with deps.pool.connection() as conn:
                self._origins = {o for o in await widget_keys.active_origins(conn)}
            self._until = time.monotonic() + TTL_S
        return origin in self._origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        origin = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"origin"), None)
        allowed = origin is not None and await self._allowed(scope, origin)
        vary = (b"vary", b"Origin")
        if scope["method"] == "OPTIONS" and allowed:
            assert origin is not None
            headers = [(b"access-control-allow-origin", origin.encode("latin-1")), vary, *PREFLIGHT_HEADERS]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), vary]
                if allowed:
                    assert origin is not None
                    headers += [
                        (b"access-control-allow-origin", origin.encode("latin-1")),
                        (b"access-control-expose-headers", b"Retry-After"),
                    ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_cors)
