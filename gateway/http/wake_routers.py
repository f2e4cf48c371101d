"""Signals the routing waker after every request that may have written (gateway/actions/routing_waker.py).

Any POST, PUT, PATCH or DELETE may have committed a ticket, an offer's outcome or a presence: the
signal is given once the inner app has finished, so after the route's commit. Reads (GET, HEAD and
the event streams, which are GETs) give none; the one write a stream makes, signing its agent out
when it closes, signals by itself (gateway/routes/agents.py).
"""

from starlette.types import ASGIApp, Receive, Scope, Send

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class WakeRoutersAfterWrites:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES:
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            # Also after an error: a route may have committed before failing. The deps are built
            # by the lifespan, so they are there whenever a request is served.
            deps = getattr(scope["app"].state, "deps", None)
            if deps is not None:
                deps.waker.signal()
