"""occurred_at at the door: an integration's past window, people acting now, back-fill tokens, and
dates no service can compute with (422, never 500)."""

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem, counts, inquiry, someone


def iso(moment: datetime) -> str:
    return moment.isoformat()


def event_data(database_url: str, ticket_id: int) -> dict[str, dict]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT type, data FROM ticket_events WHERE ticket_id = %s ORDER BY id", (ticket_id,)
        ).fetchall()
    return dict(rows)


def test_an_integration_dates_within_its_window_and_no_further(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    now = datetime.now(UTC)
    with gw.client(gw.token("integration", channel="phone")) as client:
        inside = client.post(
            "/v1/inquiries", json=inquiry(external_id="in", occurred_at=iso(now - timedelta(hours=23)))
        )
        assert inside.status_code == 201, inside.text
        assert "backfill" not in event_data(gw.database_url, inside.json()["id"])["created"]
        before = counts(gw.database_url)
        for moment in (now - timedelta(hours=25), now + timedelta(minutes=5)):
            body = inquiry(external_id=f"out-{moment:%H%M}", customer=someone(1), occurred_at=iso(moment))
            assert_problem(client.post("/v1/inquiries", json=body), 422)
        assert counts(gw.database_url) == before


def test_a_backfill_token_dates_anything_after_the_last_event_and_says_so(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    importer = gw.token("integration", channel="phone", backfill=True)
    two_years_ago = datetime.now(UTC).replace(microsecond=0) - timedelta(days=730)
    with gw.client(importer) as client:
        made = client.post("/v1/inquiries", json=inquiry(occurred_at=iso(two_years_ago)))
        assert made.status_code == 201, made.text
        future = inquiry(
            external_id="later", customer=someone(2), occurred_at=iso(datetime.now(UTC) + timedelta(hours=1))
        )
        assert_problem(client.post("/v1/inquiries", json=future), 422)
    ticket = made.json()
    assert datetime.fromisoformat(ticket["created_at"]) == two_years_ago
    data = event_data(gw.database_url, ticket["id"])
    assert data["created"]["backfill"] is True and data["routed"]["backfill"] is True

    _, replayer = gw.agent(["triage"], backfill=True)
    _, agent = gw.agent(["triage"], name="Live")
    with gw.client(agent) as client:
        # A person's actions happen now: a date from an ordinary token is refused, not silently changed.
        problem = assert_problem(
            client.post("/v1/agent/claim", json={"occurred_at": iso(two_years_ago)}), 422
        )
        assert "dated by the server" in problem["detail"]
    with gw.client(replayer) as client:
        claimed = client.post(
            "/v1/agent/claim", json={"occurred_at": iso(two_years_ago + timedelta(minutes=1))}
        )
        assert claimed.json()["id"] == ticket["id"]
        # Not before the ticket's last event.
        early = {"occurred_at": iso(two_years_ago - timedelta(minutes=1))}
        assert_problem(client.post(f"/v1/tickets/{ticket['id']}/answer", json=early), 422)
        # Not in the future.
        late = {"occurred_at": iso(datetime.now(UTC) + timedelta(minutes=5))}
        assert_problem(client.post(f"/v1/tickets/{ticket['id']}/answer", json=late), 422)
        answered_at = two_years_ago + timedelta(minutes=3)
        answered = client.post(f"/v1/tickets/{ticket['id']}/answer", json={"occurred_at": iso(answered_at)})
        assert answered.status_code == 200, answered.text
        resolved = client.post(f"/v1/tickets/{ticket['id']}/resolve", json={})
        assert resolved.status_code == 200, resolved.text
    data = event_data(gw.database_url, ticket["id"])
    assert data["answered"]["backfill"] is True
    # Left undated, the resolve is now, by the server's clock, and not marked.
    assert "backfill" not in data["resolved"]
    assert datetime.fromisoformat(resolved.json()["resolved_at"]) > datetime.now(UTC) - timedelta(minutes=1)


def test_a_supervisor_scores_now_unless_back_filling(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    with gw.client(gw.token("supervisor")) as client:
        dated = {"score": 90, "occurred_at": iso(datetime.now(UTC) - timedelta(minutes=1))}
        assert_problem(client.post("/v1/tickets/1/quality", json=dated), 422)


FAR_DATES = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+03:00",
    "1999-12-31T23:59:59Z",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-05:00",
]


@pytest.mark.parametrize("channel", ["phone", "email"])
def test_dates_no_service_computes_with_are_refused_at_the_door(gateway_alone: Gateway, channel: str) -> None:
    """E-mail waits for office hours: a year-1 date there used to overflow in business-hours code."""
    gw = gateway_alone
    before = counts(gw.database_url)
    for backfill in (False, True):
        with gw.client(gw.token("integration", channel=channel, backfill=backfill)) as client:
            for n, moment in enumerate(FAR_DATES):
                body = inquiry(channel, f"far-{backfill}-{n}", occurred_at=moment)
                problem = assert_problem(client.post("/v1/inquiries", json=body), 422)
                assert "outside" in problem["detail"] or "future" in problem["detail"]
    assert counts(gw.database_url) == before


def test_far_dates_on_actions_are_refused_too(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    with gw.client(gw.token("integration", channel="phone")) as client:
        ticket = client.post("/v1/inquiries", json=inquiry()).json()
    _, replayer = gw.agent(["triage"], backfill=True)
    with gw.client(replayer) as client:
        for moment in FAR_DATES:
            assert_problem(client.post("/v1/agent/claim", json={"occurred_at": moment}), 422)
        assert client.post("/v1/agent/claim", json={}).json()["id"] == ticket["id"]
        for moment in FAR_DATES:
            assert_problem(
                client.post(f"/v1/tickets/{ticket['id']}/answer", json={"occurred_at": moment}), 422
            )
