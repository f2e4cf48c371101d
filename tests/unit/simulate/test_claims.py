"""How the replay's contacts pull their tickets: each gets its own, no claim takes a ticket twice, and
with the claims on their way kept under half the contacts waiting, few find nothing (driver._claim)."""

import asyncio
import json
import random
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.simulate.driver import Credentials, Driver
from services.simulate.http_client import Reply
from services.simulate.model import Period

SEATS = ("seat-1", "seat-2", "seat-3", "seat-4")


class Stack:
    """The claim endpoint as the router's claim behaves: the oldest waiting ticket, each at most once,
    answered after a delay (a busy gateway), nothing when none waits."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.waiting: list[int] = []

    async def post(self, path: str, *, json: Any = None, headers: Any = None) -> Reply:
        assert path == "/v1/agent/claim"
        await asyncio.sleep(self.rng.uniform(0.001, 0.004))
        taken = self.waiting.pop(0) if self.waiting else None
        await asyncio.sleep(self.rng.uniform(0.001, 0.004))  # the answer on its way back
        return Reply(200, _body(taken), {}) if taken is not None else Reply(204, b"", {})


def _body(ticket: int) -> bytes:
    return json.dumps({"id": ticket}).encode()


def test_every_contact_gets_its_own_ticket_with_few_claims_in_vain() -> None:
    rng = random.Random(7)
    stack = Stack(rng)
    period = Period(
        datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC), ZoneInfo("Asia/Dubai")
    )
    driver = Driver(stack, Credentials({}, SEATS, "supervisor"), period, "t")  # type: ignore[arg-type]
    contacts = 200
    seats: dict[int, str] = {}

    async def contact(ticket: int) -> None:
        await asyncio.sleep(rng.uniform(0, 0.2))  # arrivals spread out, 48-odd waiting at times
        stack.waiting.append(ticket)
        seats[ticket] = await driver._claim(ticket)

    async def run() -> None:
        await asyncio.gather(*(contact(n) for n in range(1, contacts + 1)))

    asyncio.run(run())
    assert sorted(seats) == list(range(1, contacts + 1))
    assert set(seats.values()) <= set(SEATS)
    assert not driver.mailbox and driver.waiting_claims == 0 and driver.claims_on_way == 0
    claims = driver.tally.requests["claim"]
    assert claims == contacts + driver.tally.empty_claims
    # Every contact claiming whenever it waits made about a sixth of all claims empty in a replay, and
    # 43 of 243 here; one claim per waiting contact 37 of 237; the rule none.
    assert driver.tally.empty_claims <= contacts // 20, driver.tally.empty_claims
