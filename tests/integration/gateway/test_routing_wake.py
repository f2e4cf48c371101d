"""The routers' wake-up: the gateway notifies after its commits, coalesced; other writers as before."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from gateway.actions.routing_waker import RoutingWaker
from services.shared.store.routing_wake import AFTER_COMMIT_OPTIONS, CHANNEL
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import inquiry, someone

pytestmark = pytest.mark.integration

# A bound on waiting for a notification that should come, never a measure of speed.
PATIENCE_S = 10
REQUESTS = 96
CLIENTS = 16


def _listening(database_url: str, *channels: str) -> psycopg.Connection:
    conn = psycopg.connect(database_url, autocommit=True)
    for channel in channels:
        conn.execute(f"LISTEN {channel}")
    return conn


def _tickets(conn: psycopg.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM tickets").fetchone()[0])  # type: ignore[index]


def test_an_intake_wakes_the_routers_once_its_ticket_is_committed(gateway: Gateway) -> None:
    with _listening(gateway.database_url, CHANNEL) as listen:
        with gateway.client(gateway.token("integration", channel="phone")) as client:
            response = client.post("/v1/inquiries", json=inquiry(external_id="wake-1"))
        assert response.status_code == 201, response.text
        notes = list(listen.notifies(timeout=PATIENCE_S, stop_after=1))
        assert [n.channel for n in notes] == [CHANNEL]
        # Heard after the commit: the ticket is there for a router woken by it.
        assert listen.execute(
            "SELECT status FROM tickets WHERE id = %s", (response.json()["id"],)
        ).fetchone() == ("queued",)


def test_concurrent_intakes_are_coalesced_and_a_wake_up_is_heard_once_all_are_committed(
    gateway: Gateway,
) -> None:
    token = gateway.token("integration", channel="phone")
    with _listening(gateway.database_url, CHANNEL) as listen:
        before = _tickets(listen)

        def post(n: int) -> int:
            with gateway.client(token) as client:
                body = inquiry(external_id=f"burst-{n}", customer=someone(f"burst-{n}"))
                return client.post("/v1/inquiries", json=body).status_code

        with ThreadPoolExecutor(CLIENTS) as pool:
            assert set(pool.map(post, range(REQUESTS))) == {201}
        # Notifications are counted until one is heard with every ticket committed (that one after
        # the last commit is shown exactly by the waker's own test below). Were the trigger still
        # notifying inside the gateway's transactions there would be one per intake: REQUESTS.
        heard = 0
        with psycopg.connect(gateway.database_url, autocommit=True) as look:
            while True:
                # One at a time (a statement cannot run on a connection inside notifies()); the
                # ones already received wait in the connection for the next call.
                notes = list(listen.notifies(timeout=PATIENCE_S, stop_after=1))
                if not notes:
                    pytest.fail("no wake-up after the last intake committed")
                heard += len(notes)
                if _tickets(look) - before == REQUESTS:
                    break
    assert 1 <= heard < REQUESTS


def test_other_writers_are_woken_for_by_the_trigger_and_the_gateway_s_sessions_are_not(
    gateway: Gateway,
) -> None:
    with _listening(gateway.database_url, CHANNEL, "wake_test_marker") as listen:
        with gateway.client(gateway.token("integration", channel="phone")) as client:
            ticket_id = client.post("/v1/inquiries", json=inquiry(external_id="wake-2")).json()["id"]
        # The intake's own wake-up, heard before going on.
        assert next(listen.notifies(timeout=PATIENCE_S)).channel == CHANNEL
        # Commit order is delivery order: the gateway-like session's change, then its marker.
        with psycopg.connect(gateway.database_url, autocommit=True, options=AFTER_COMMIT_OPTIONS) as quiet:
            quiet.execute(
                "UPDATE tickets SET priority = priority, status = 'queued' WHERE id = %s", (ticket_id,)
            )
            quiet.execute("NOTIFY wake_test_marker")
        first = next(listen.notifies(timeout=PATIENCE_S))
        assert first.channel == "wake_test_marker"
        # A worker's or an administrator's session, without the setting: the trigger notifies.
        with psycopg.connect(gateway.database_url, autocommit=True) as worker:
            worker.execute("UPDATE tickets SET status = 'queued' WHERE id = %s", (ticket_id,))
        assert next(listen.notifies(timeout=PATIENCE_S)).channel == CHANNEL


def test_a_burst_of_signals_costs_one_notify_and_a_later_signal_another(database_url: str) -> None:
    async def scenario() -> list[str]:
        waker = RoutingWaker(database_url)
        waker.start()
        listen = await psycopg.AsyncConnection.connect(database_url, autocommit=True)
        try:
            await listen.execute(f"LISTEN {CHANNEL}")
            await listen.execute("LISTEN wake_test_marker")
            heard = listen.notifies()
            for _ in range(500):
                waker.signal()
            first = await asyncio.wait_for(anext(heard), PATIENCE_S)
            # Signalled after the first NOTIFY was sent: answered by a second one.
            waker.signal()
            second = await asyncio.wait_for(anext(heard), PATIENCE_S)
            await waker.close()
            # Committed after everything the waker sent: any third NOTIFY would arrive before it.
            async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as other:
                await other.execute("NOTIFY wake_test_marker")
            third = await asyncio.wait_for(anext(heard), PATIENCE_S)
            return [first.channel, second.channel, third.channel]
        finally:
            await waker.close()
            await listen.close()

    assert asyncio.run(scenario()) == [CHANNEL, CHANNEL, "wake_test_marker"]
