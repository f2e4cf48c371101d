"""POST /v1/surveys/{token}: bad or unknown tokens and bad scores get problems and change nothing."""

import pytest

from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem, counts

pytestmark = pytest.mark.integration


def test_unknown_token_and_bad_scores_are_refused(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    before = counts(gw.database_url)
    with gw.client() as client:
        assert_problem(client.post("/v1/surveys/" + "a" * 43, json={"score": 5}), 404)
        assert_problem(client.post("/v1/surveys/short", json={"score": 5}), 422)
        assert_problem(client.post("/v1/surveys/" + "a" * 43, json={"score": 6}), 422)
        assert_problem(client.post("/v1/surveys/" + "a" * 43, json={"score": "5"}), 422)
    assert counts(gw.database_url) == before


def test_a_low_score_opens_a_follow_up_a_supervisor_lists_and_closes(gateway_alone: Gateway) -> None:
    from datetime import timedelta

    import psycopg

    from services.shared.store import surveys
    from tests.integration.worker_tickets import db_now, insert_customer, insert_ticket

    gw = gateway_alone
    with psycopg.connect(gw.database_url, autocommit=True) as db:
        now = db_now(db)
        ticket_id = insert_ticket(db, customer_id=insert_customer(db), queued_at=now, status="resolved")
        surveys.create_sync(db, ticket_id, "an-unhappy-customer-token", now, now + timedelta(days=7))
    supervisor = gw.token("supervisor")
    with gw.client() as client:
        answered = client.post("/v1/surveys/an-unhappy-customer-token", json={"score": 1, "comment": "rude"})
        assert answered.status_code == 200, answered.text
    with gw.client(supervisor) as client:
        [opened] = client.get("/v1/follow-ups").json()
        assert (opened["ticket_id"], opened["queue"], opened["score"], opened["comment"]) == (
            ticket_id,
            "general",
            1,
            "rude",
        )
        assert client.get("/v1/follow-ups", params={"queue": "cards"}).json() == []
        closed = client.post(f"/v1/follow-ups/{opened['id']}/close", json={"note": "called back, refunded"})
        again = client.post(f"/v1/follow-ups/{opened['id']}/close", json={"note": "another note"})
        assert closed.json()["closed_at"] and again.json()["note"] == "called back, refunded"
        assert client.get("/v1/follow-ups").json() == []
        assert_problem(client.post("/v1/follow-ups/999999/close"), 404)
    with gw.client(gw.token("integration", channel="phone")) as client:
        assert_problem(client.get("/v1/follow-ups"), 403)
