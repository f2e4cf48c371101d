"""When a survey reply happened: a customer's on the server's clock; a replayed one dated by a
back-fill token, after its invitation, and counted on that date in the KPIs; anyone else's date is
refused and changes nothing."""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from services.shared.store import surveys
from services.workers import surveys as survey_tasks
from tests.fixtures.celery_worker import WorkerHandle
from tests.fixtures.gateway import Gateway, unused_port
from tests.integration.gateway.helpers import assert_problem, counts, inquiry
from tests.integration.test_metrics_service import catch_up
from tests.integration.worker_tickets import db_now, insert_customer, insert_ticket

pytestmark = pytest.mark.integration

LINK = re.compile(r"/survey/([A-Za-z0-9_-]+)")
# A replayed March morning of 2024, long before the test runs.
T = datetime(2024, 3, 10, 9, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def a_sent_survey(database_url: str, token: str) -> tuple[int, datetime]:
    """A ticket resolved an hour ago whose survey (link `token`) went out then: (ticket, sent at)."""
    with psycopg.connect(database_url, autocommit=True) as db:
        then = db_now(db) - timedelta(hours=1)
        ticket_id = insert_ticket(db, customer_id=insert_customer(db), queued_at=then, status="resolved")
        surveys.create_sync(db, ticket_id, token, then, then + timedelta(days=7))
    return ticket_id, then


def answers(database_url: str, ticket_id: int) -> list[dict[str, Any]]:
    with psycopg.connect(database_url) as db, db.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            """SELECT e.occurred_at, e.data, s.answered_at FROM ticket_events e
               JOIN surveys s ON s.ticket_id = e.ticket_id
               WHERE e.ticket_id = %s AND e.type = 'survey_answered'""",
            (ticket_id,),
        ).fetchall()


def test_a_customer_answers_on_the_server_clock_and_may_not_date_it(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    ticket_id, sent_at = a_sent_survey(gw.database_url, "a-customer-answers-now-token")
    path = "/v1/surveys/a-customer-answers-now-token"
    half_an_hour_later = iso(sent_at + timedelta(minutes=30))
    before = counts(gw.database_url)
    with gw.client() as client:
        problem = assert_problem(client.post(path, json={"score": 5, "occurred_at": half_an_hour_later}), 422)
        assert "dated by the server" in problem["detail"]
    # A token without back-fill, of any role, may not date a customer's reply either.
    for token in (gw.token("supervisor"), gw.token("integration", channel="phone"), gw.agent(["general"])[1]):
        with gw.client(token) as client:
            assert_problem(client.post(path, json={"score": 5, "occurred_at": half_an_hour_later}), 422)
    with gw.client("tkt_not-a-token-of-this-centre") as client:
        assert_problem(client.post(path, json={"score": 5, "occurred_at": half_an_hour_later}), 401)
    assert counts(gw.database_url) == before and answers(gw.database_url, ticket_id) == []

    with gw.client() as client:
        answered = client.post(path, json={"score": 5})
    assert answered.status_code == 200, answered.text
    [reply] = answers(gw.database_url, ticket_id)
    assert sent_at < reply["occurred_at"] == reply["answered_at"] <= datetime.now(UTC)
    assert "backfill" not in reply["data"]


@pytest.fixture
def gateway(start_gateway: Callable[..., Gateway], metrics_addr: str) -> Gateway:
    """The gateway with the real metrics service; the classifier is away (intake routes to triage)."""
    return start_gateway(classifier_addr=f"127.0.0.1:{unused_port()}", metrics_addr=metrics_addr)


def test_a_backfill_token_dates_a_replayed_reply_and_the_kpis_count_it_then(
    gateway: Gateway, database_url: str, celery_worker: WorkerHandle
) -> None:
    chat = gateway.token("integration", channel="chat", backfill=True)
    _, agent = gateway.agent(["triage"], backfill=True)
    replayer = gateway.token("supervisor", backfill=True)
    with gateway.client(chat) as client:
        made = client.post("/v1/inquiries", json=inquiry("chat", "replayed-1", occurred_at=iso(T)))
        assert made.status_code == 201, made.text
    ticket_id = made.json()["id"]
    resolved_at = T + timedelta(minutes=20)
    with gateway.client(agent) as client:
        claimed = client.post("/v1/agent/claim", json={"occurred_at": iso(T + timedelta(minutes=1))})
        assert claimed.json()["id"] == ticket_id, claimed.text
        for step, at in (("answer", T + timedelta(minutes=2)), ("resolve", resolved_at)):
            done = client.post(f"/v1/tickets/{ticket_id}/{step}", json={"occurred_at": iso(at)})
            assert done.status_code == 200, done.text

    # The sweep finds it now and sends it now, but dates the invitation at the replayed resolution.
    assert celery_worker.run(survey_tasks.SWEEP) == 1
    with gateway.client(chat) as client:
        [message] = [m for m in client.get("/v1/outbound", params={"channel": "chat"}).json()["messages"]
                     if m["kind"] == "survey"]  # fmt: skip
    match = LINK.search(message["body"])
    assert match is not None and message["ticket_id"] == ticket_id
    path = f"/v1/surveys/{match.group(1)}"
    with psycopg.connect(database_url) as db:
        sent = db.execute(
            "SELECT occurred_at, data FROM ticket_events WHERE ticket_id = %s AND type = 'survey_sent'",
            (ticket_id,),
        ).fetchone()
    assert sent is not None and sent[0] == resolved_at and sent[1]["backfill"] is True

    before = counts(database_url)
    with gateway.client(replayer) as client:
        # Not at or before the invitation; not in the future.
        for moment in (resolved_at, datetime.now(UTC) + timedelta(hours=1)):
            assert_problem(client.post(path, json={"score": 4, "occurred_at": iso(moment)}), 422)
        assert counts(database_url) == before and answers(database_url, ticket_id) == []
        replied_at = T + timedelta(days=1)
        answered = client.post(path, json={"score": 4, "occurred_at": iso(replied_at)})
        assert answered.status_code == 200, answered.text
    [reply] = answers(database_url, ticket_id)
    assert reply["occurred_at"] == reply["answered_at"] == replied_at
    assert reply["data"]["backfill"] is True and reply["data"]["score"] == 4

    catch_up(database_url)
    with gateway.client(gateway.token("supervisor")) as client:
        year = {"from": "2024-01-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"}
        kpis = client.get("/v1/metrics/kpis", params=year).json()
        today = client.get(
            "/v1/metrics/kpis", params={"from": iso(datetime.now(UTC) - timedelta(days=1))}
        ).json()
        report = client.get("/v1/metrics/report", params={"year": 2024}).json()
    assert (kpis["survey_replies"], kpis["csat"]) == (1, 1.0)
    assert (kpis["by_channel"]["chat"]["survey_replies"], kpis["by_channel"]["chat"]["csat"]) == (1, 1.0)
    assert (today["survey_replies"], today["csat"]) == (0, None)
    assert report["overall"]["kpis"]["csat"]["value"] == 1.0
