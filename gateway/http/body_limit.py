"""Refuses request bodies over a size limit before the application reads them."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.http.problems import problem_response


class BodyLimit:
    """413 on a Content-Length over the limit; a chunked body is read up to the limit first.

    With a Content-Length the server already stops the body at the declared size, so the check is
    enough; a chunked body declares nothing, so it is buffered (never past the limit) and replayed.
    """

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        buffered: list[Message] = []
        size = 0
        while True:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413, "Payload too large", f"request bodies are limited to {self.max_bytes} bytes"
        )
        await response(scope, receive, send)
