"""Plays the model's contacts through the stack's HTTP API, each event dated with `occurred_at` by
back-fill tokens, many contacts at once (asyncio), in order of arrival.

Who answers which ticket: the model decides when each contact is answered and by which of its
agents; the stack's router cannot (it offers waiting tickets to agents signed in *now*, on the wall
clock). So the simulator's agents pull work as an agent's console does, `POST /v1/agent/claim`,
which runs the router's own claim (`routing_claim`: the best waiting ticket of the agent's queues,
`FOR UPDATE SKIP LOCKED`), then answer, transfer and resolve it at the model's times. A claim takes
whichever ticket is best at that moment, not necessarily the one its contact is waiting for, so a
claimed ticket is handed to the contact it belongs to (a mailbox keyed by ticket id) and every
contact claims until its own ticket has come to it: each claim that finds a ticket serves some
contact, so no request is wasted beyond the odd empty claim. The claim is dated long before any
ticket (the stack dates the `claimed` event at the ticket's last event, never earlier), so the
ticket's own timeline is the model's to the millisecond. The stack's agents are therefore *seats*
(a few agents serving every queue, carrying many contacts at once); the model's agents, shifts,
languages and capacities decide the times, which is all the figures depend on.

Surveys: the stack's workers invite each resolved ticket's customer (the survey sweep, on the wall
clock, dating the invitation at the back-filled resolution); the simulator reads the invitations as
each channel's integration reads its outbound messages (invitations.py) and, for the contacts the
model has answer, posts the model's score to the invitation's link dated at the model's reply time
with the back-fill supervisor token. A reply waits for its invitation without holding a contact's
place, so the replay does not slow down to the sweep's pace.
"""

import asyncio
import dataclasses
import itertools
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from services.simulate.contacts import Contact
from services.simulate.http_client import Client, Disconnected, Reply
from services.simulate.invitations import Inbox
from services.simulate.model import Period

# Before any ticket of any simulated year: the stack dates the claim at the ticket's last event.
CLAIM_AT = "2000-01-01T00:00:00+00:00"
# How long a contact waits before claiming again when a claim found nothing it could take, or before
# looking again whether it should claim.
CLAIM_RETRY_S = 0.005
# A contact whose ticket no claim has taken in this long fails the run (a lost claim would spin).
CLAIM_GIVE_UP_S = 120.0
# Tries again after a connection closed under the request, or a 429.
RETRIES = 3
# A 429 (the classifier's line is full, or a rate limit) is asked again after its Retry-After.
BUSY_RETRIES = 30
# Where an agent transfers a ticket: another queue than the one it is in.
TRANSFER_TO = ("general", "cards")
# How long a reply waits for its survey's invitation (the sweep runs every SURVEY_SWEEP_S).
INVITATION_WAIT_S = 120.0


@dataclass(frozen=True)
class Credentials:
    integrations: dict[str, str]  # channel -> back-fill integration token
    agents: tuple[str, ...]  # back-fill agent tokens (seats serving every queue)
    supervisor: str  # back-fill supervisor token


@dataclass
class Tally:
    """What the stack answered, counted per kind; `mismatches` are contacts the stack treated
    otherwise than the model (the FAQ answered a story, or left a question to a person)."""

    requests: Counter[str] = field(default_factory=Counter)
    # Seconds spent waiting for the stack's answers, per kind of request (summed over all in flight).
    waited_s: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    outcomes: Counter[str] = field(default_factory=Counter)
    mismatches: list[str] = field(default_factory=list)
    tickets: dict[int, int] = field(default_factory=dict)  # contact key -> ticket id
    # Claims that found no ticket they could take (another claim was quicker).
    empty_claims: int = 0


class Failed(RuntimeError):
    pass


# UAE mobile prefixes: a replayed year's customers have numbers of their own (by the year).
MOBILE_PREFIXES = ("50", "52", "54", "55", "56", "58")


def identity(channel: str, customer: int, tag: str, year: int = 0) -> dict[str, str]:
    """A customer's identity on a channel, unique per run tag (a phone number per customer and year)."""
    if channel == "phone":
        return {"phone": f"+971{MOBILE_PREFIXES[year % len(MOBILE_PREFIXES)]}{customer:07d}"}
    name = f"sim-{tag}-{customer}"
    return {
        "chat": {"chat_visitor_id": name},
        "email": {"email": f"{name}@example.com"},
        "mobile": {"app_user_id": name},
        "web": {"web_user_id": name},
    }[channel]


class Driver:
    def __init__(
        self,
        client: Client,
        credentials: Credentials,
        period: Period,
        tag: str,
        concurrency: int = 48,
    ) -> None:
        self.client = client
        self.creds = credentials
        self.period = period
        self.tag = tag
        self.concurrency = concurrency
        self.tally = Tally()
        self.mailbox: dict[int, asyncio.Future[str]] = {}
        self.done: dict[int, asyncio.Event] = {}
        self.seats = itertools.cycle(credentials.agents)
        # Contacts waiting for a claim to bring their ticket, and claims on their way (see _claim).
        self.waiting_claims = 0
        self.claims_on_way = 0
        self.inbox = Inbox(client, credentials.integrations, self.post)
        self.replies: list[asyncio.Task[None]] = []
        # The local year's number (a period starts on the centre's 1 January, perhaps 31 December UTC).
        self.year = (period.start + timedelta(days=1)).year

    def at(self, seconds: float) -> str:
        return self.period.moment(seconds).isoformat()

    async def run(
        self, contacts: Sequence[Contact], advance: Callable[[int], None] = lambda n: None
    ) -> Tally:
        """Plays every contact; a contact starts once the one `concurrency` places before it ended."""
        ordered = sorted(contacts, key=lambda c: (c.arrival, c.key))
        self.done = {c.key: asyncio.Event() for c in ordered}
        slots = asyncio.Semaphore(self.concurrency)
        failures: list[BaseException] = []

        async def one(c: Contact) -> None:
            try:
                await self.flow(c)
            except Exception as exc:
                failures.append(exc)
            finally:
                self.done[c.key].set()
                slots.release()
                advance(1)

        tasks = []
        self.inbox.start()
        try:
            for c in ordered:
                await slots.acquire()
                if failures:
                    slots.release()
                    break
                tasks.append(asyncio.create_task(one(c)))
            await asyncio.gather(*tasks)
            for done in await asyncio.gather(*self.replies, return_exceptions=True):
                if isinstance(done, BaseException):
                    failures.append(done)
        finally:
            await self.inbox.stop()
            self.tally.requests["outbound_poll"] += self.inbox.polls
        if failures:
            raise Failed(f"{len(failures)} contacts failed; the first: {failures[0]}") from failures[0]
        return self.tally

    async def post(self, kind: str, path: str, token: str, body: dict[str, Any]) -> Reply:
        self.tally.requests[kind] += 1
        headers = {"Authorization": f"Bearer {token}"}
        for attempt in range(BUSY_RETRIES + 1):
            started = time.perf_counter()
            try:
                response = await self.client.post(path, json=body, headers=headers)
                self.tally.waited_s[kind] += time.perf_counter() - started
            except Disconnected:
                # A kept-alive connection the server closed as the request went out: nothing was done.
                if attempt >= RETRIES:
                    raise
                self.tally.requests["retried"] += 1
                continue
            if response.status_code == 429 and attempt < BUSY_RETRIES:
                await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            break
        if response.status_code >= 500:
            raise Failed(f"{kind} {path}: {response.status_code} {response.text[:300]}")
        return dataclasses.replace(response, attempts=attempt + 1)

    def _ok(self, response: Reply, kind: str) -> dict[str, Any]:
        if response.status_code not in (200, 201):
            raise Failed(f"{kind}: {response.status_code} {response.text[:300]}")
        found: dict[str, Any] = response.json()
        return found

    async def flow(self, c: Contact) -> None:
        if c.repeat_of is not None:
            # The customer comes back after their first contact was resolved (else it would join it).
            await self.done[c.repeat_of].wait()
        key = self.creds.integrations[c.channel]
        inquiry = {
            "channel": c.channel,
            "external_id": f"sim-{self.tag}-{c.key}",
            "customer": identity(c.channel, c.customer, self.tag, self.year),
            "text": c.text,
            "occurred_at": self.at(c.arrival),
        }
        answered = await self.post("intake", "/v1/inquiries", key, inquiry)
        if answered.status_code == 200 and answered.attempts == 1:
            # A retry's answer: the database already holds this run's contacts (an earlier run).
            raise Failed(f"contact {c.key} is already in the database: a replay needs an empty one")
        ticket = self._ok(answered, "intake")
        tid = int(ticket["id"])
        self.tally.tickets[c.key] = tid
        if ticket["status"] == "self_served":
            if c.queued_at is None:
                self.tally.outcomes["self_served"] += 1
                return
            if not c.self_served:
                self.tally.mismatches.append(f"contact {c.key}: the FAQ answered a story")
            human = {"occurred_at": self.at(c.queued_at)}
            self._ok(await self.post("human", f"/v1/tickets/{tid}/human", key, human), "human")
        elif c.self_served:
            # The FAQ left the model's frequent question to a person: it waited from its arrival.
            # A customer who would have asked for a person is answered as the model planned; one the
            # answer would have satisfied leaves at once. The model's own figures follow (`c`).
            self.tally.mismatches.append(f"contact {c.key}: the FAQ left a frequent question to a person")
            if c.queued_at is None:
                c.abandoned_at = c.arrival
            c.queued_at, c.human_at, c.self_served = c.arrival, None, False
        if c.abandoned_at is not None:
            await self._abandon(c, tid, key)
            return
        assert c.answered_at is not None and c.resolved_at is not None
        seat = await self._claim(tid)
        await self._act(seat, tid, "answer", c.answered_at)
        if c.transfer_at is not None:
            assert c.answered2_at is not None
            queue = TRANSFER_TO[0] if ticket["queue"] != TRANSFER_TO[0] else TRANSFER_TO[1]
            await self._act(seat, tid, "transfer", c.transfer_at, queue=queue)
            seat = await self._claim(tid)
            await self._act(seat, tid, "answer", c.answered2_at)
        await self._act(seat, tid, "resolve", c.resolved_at)
        self.tally.outcomes["resolved"] += 1
        await self._after_resolution(c, tid)

    async def _after_resolution(self, c: Contact, tid: int) -> None:
        """The model's quality evaluation of the ticket, and its customer's survey reply."""
        if c.quality_score is not None and c.quality_at is not None:
            body = {"score": c.quality_score, "occurred_at": self.at(c.quality_at)}
            path = f"/v1/tickets/{tid}/quality"
            self._ok(await self.post("quality", path, self.creds.supervisor, body), "quality")
        if c.survey_score is not None and c.survey_at is not None:
            self.replies.append(asyncio.create_task(self._answer_survey(c, tid)))

    async def _answer_survey(self, c: Contact, tid: int) -> None:
        """The model's reply to the ticket's survey invitation, dated at the model's reply time."""
        assert c.survey_score is not None and c.survey_at is not None
        token = await self.inbox.token(tid, INVITATION_WAIT_S)
        if token is None:
            self.tally.mismatches.append(f"contact {c.key}: no survey invitation for ticket {tid}")
            return
        body = {"score": c.survey_score, "occurred_at": self.at(c.survey_at)}
        self._ok(await self.post("survey", f"/v1/surveys/{token}", self.creds.supervisor, body), "survey")

    async def _act(self, seat: str, tid: int, action: str, seconds: float, **extra: Any) -> None:
        body = {"occurred_at": self.at(seconds), **extra}
        self._ok(await self.post(action, f"/v1/tickets/{tid}/{action}", seat, body), action)

    async def _abandon(self, c: Contact, tid: int, key: str) -> None:
        assert c.abandoned_at is not None
        body = {"occurred_at": self.at(c.abandoned_at)}
        response = await self.post("abandon", f"/v1/tickets/{tid}/abandon", key, body)
        if response.status_code == 409:
            # Another contact's claim took this ticket before its customer left: it is given back
            # unanswered (no handling, nothing to wrap up) and then abandoned.
            seat = await self._claim(tid)
            await self._act(seat, tid, "release", c.abandoned_at)
            response = await self.post("abandon", f"/v1/tickets/{tid}/abandon", key, body)
        self._ok(response, "abandon")
        self.tally.outcomes["abandoned"] += 1

    def _box(self, tid: int) -> asyncio.Future[str]:
        box = self.mailbox.get(tid)
        if box is None:
            box = self.mailbox[tid] = asyncio.get_running_loop().create_future()
        return box

    async def _claim(self, tid: int) -> str:
        """The seat that holds ticket `tid`, once some contact's claim has taken it.

        A contact claims only while the claims on their way are fewer than half the contacts waiting
        for theirs; else it waits for its ticket, and looks again every CLAIM_RETRY_S. Each claim
        takes some waiting ticket, and a claim whose answer is still on its way may have taken one
        already, so the contacts waiting overstate the tickets left to take: with every contact
        claiming at once a sixth of all claims found nothing, with one claim per waiting contact still
        as many; with half, 6 of 2,112 in 14 days (the seed year: 104 of 55,788; docs/simulation.md)."""
        box = self._box(tid)
        deadline = time.monotonic() + CLAIM_GIVE_UP_S
        self.waiting_claims += 1
        try:
            while not box.done():
                if time.monotonic() > deadline:
                    raise Failed(f"ticket {tid} did not come to any claim in {CLAIM_GIVE_UP_S:.0f} s")
                if 2 * self.claims_on_way >= self.waiting_claims:  # see above
                    await asyncio.wait({box}, timeout=CLAIM_RETRY_S)
                    continue
                seat = next(self.seats)
                self.claims_on_way += 1
                try:
                    response = await self.post("claim", "/v1/agent/claim", seat, {"occurred_at": CLAIM_AT})
                finally:
                    self.claims_on_way -= 1
                if response.status_code == 200 and response.content and response.json():
                    got = self._box(int(response.json()["id"]))
                    if got.done():
                        raise Failed(f"ticket {response.json()['id']} claimed twice")
                    got.set_result(seat)
                else:
                    self.tally.empty_claims += 1
                    if not box.done():
                        await asyncio.sleep(CLAIM_RETRY_S)
        finally:
            self.waiting_claims -= 1
        del self.mailbox[tid]
        return box.result()


async def floor_rate(client: Client, concurrency: int, seconds: float = 3.0) -> float:
    """Requests a second the gateway answers doing nothing (`GET /healthz`), `concurrency` at once:
    the floor the replay's request rate is set beside, measured on the same machine at the same time."""
    deadline = time.perf_counter() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await client.get("/healthz")
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - started)
