"""The survey invitations the stack sends, read as a channel integration reads its outbound messages
(`GET /v1/outbound`, then `POST /v1/outbound/ack` for the batch), so the simulator's customers can answer
them: each invitation's link carries the survey's token, handed to whoever waits for its ticket."""

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from services.simulate.http_client import Client, Disconnected, Reply

# The token at the end of an invitation's link (services/workers/survey_text.py: survey_link).
LINK = re.compile(r"/survey/([A-Za-z0-9_-]{16,128})")
# A polled batch is held this long: messages never come back to this poller during a run.
LEASE_S = 3600
BATCH = 500
# How long a poller rests after a poll that found less than a full batch. Replies wait for their
# invitations apart from the contacts (a reply is dated by the model, not by when it is sent), so a
# slower poll only delays them: at 0.2 s the five pollers made about a sixteenth of a year's requests.
IDLE_S = 1.0

Post = Callable[[str, str, str, dict[str, Any]], Awaitable[Reply]]


def token_of(body: str) -> str | None:
    """The survey token in an invitation's text, or None when it has no link."""
    found = LINK.search(body)
    return found.group(1) if found else None


class Inbox:
    """Polls every channel's outbound messages while a replay runs; `token(ticket)` waits for the
    survey invitation of that ticket (messages of other kinds are acknowledged and left)."""

    def __init__(self, client: Client, integrations: Mapping[str, str], post: Post) -> None:
        self.client = client
        self.integrations = integrations
        self.post = post
        self.polls = 0
        self._tokens: dict[int, asyncio.Future[str]] = {}
        self._stop = asyncio.Event()
        self._pollers: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._pollers = [asyncio.create_task(self._poll(ch, key)) for ch, key in self.integrations.items()]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._pollers)

    async def token(self, ticket_id: int, timeout_s: float) -> str | None:
        """The token of the ticket's survey, once its invitation has gone out; None past the timeout."""
        try:
            return await asyncio.wait_for(asyncio.shield(self._future(ticket_id)), timeout_s)
        except TimeoutError:
            return None
        finally:
            self._tokens.pop(ticket_id, None)

    def _future(self, ticket_id: int) -> asyncio.Future[str]:
        found = self._tokens.get(ticket_id)
        if found is None:
            found = self._tokens[ticket_id] = asyncio.get_running_loop().create_future()
        return found

    async def _poll(self, channel: str, key: str) -> None:
        headers = {"Authorization": f"Bearer {key}"}
        params = {"channel": channel, "limit": str(BATCH), "lease_s": str(LEASE_S)}
        while not self._stop.is_set():
            try:
                response = await self.client.get("/v1/outbound", params=params, headers=headers)
            except Disconnected:
                # A kept-alive connection the server closed (the lease was not taken), or the stack
                # is gone: poll again after a rest, rather than spin until the replay ends.
                await asyncio.sleep(IDLE_S)
                continue
            self.polls += 1
            if response.status_code != 200:
                raise RuntimeError(f"GET /v1/outbound: {response.status_code} {response.text[:300]}")
            messages = response.json()["messages"]
            for m in messages:
                token = token_of(m["body"]) if m["kind"] == "survey" else None
                if token is not None and m["ticket_id"] is not None:
                    future = self._future(int(m["ticket_id"]))
                    if not future.done():
                        future.set_result(token)
            # Delivered, as an integration says so: acknowledged messages are never handed out again
            # (the whole polled batch in one request).
            if messages:
                await self.post("outbound", "/v1/outbound/ack", key, {"ids": [m["id"] for m in messages]})
            # A batch that was not full took everything there was: rest before the next. (Polling again
            # at once after any batch made a poll and an acknowledgement for every one or two
            # invitations the sweep had just written, 5 % of a year's requests.)
            if len(messages) < BATCH:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), IDLE_S)
