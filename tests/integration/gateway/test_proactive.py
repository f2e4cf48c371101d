"""Proactive messages through the real gateway, a real Celery worker and PostgreSQL: a ticket's wait
notice, its taking and its resolution reach its channel's outbox once each, in order, in the
customer's language; none on a suppressed channel; a returning customer hears the earlier outcome."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from gateway.actions import proactive_intake
from services.shared.channels import ChannelSettings
from services.shared.i18n import catalogue
from services.shared.proactive.settings import ProactiveSettings, parse_suppressed
from services.workers import proactive
from tests.fixtures.celery_worker import WorkerHandle, running_worker, worker_env
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import inquiry

pytestmark = pytest.mark.integration

# E-mail suppressed in both processes: the gateway (the returning message) and the worker.
SUPPRESS = "email"
WAIT_S = 300
ARABIC = "فقدت بطاقتي أرجو إيقافها"
NOTE = "أوقفنا البطاقة وستصلك بطاقة بديلة خلال ثلاثة أيام عمل."
INTERNAL = "internal: checked the fraud log, nothing found"


@pytest.fixture
def worker(database_url: str, broker_url: str, tmp_path: Path) -> Iterator[WorkerHandle]:
    env = worker_env(
        database_url,
        broker_url,
        CELERY_RESULT_BACKEND="rpc://",
        PROACTIVE_WAIT_NOTICE_S=str(WAIT_S),
        PROACTIVE_SUPPRESS=SUPPRESS,
    )
    with running_worker(env, tmp_path / "proactive_worker.log") as handle:
        yield handle


@pytest.fixture
def gw(start_gateway: Callable[..., Gateway], classifier_addr: str, metrics_addr: str) -> Gateway:
    channels = ChannelSettings(proactive=ProactiveSettings(suppressed=parse_suppressed(SUPPRESS)))
    return start_gateway(
        classifier_addr=classifier_addr,
        metrics_addr=metrics_addr,
        classifier_timeout_s=3.0,
        channels=channels,
    )


def post(gw: Gateway, channel: str, external_id: str, customer: dict[str, Any]) -> dict[str, Any]:
    token = gw.token("integration", channel=channel)
    body = inquiry(channel, external_id, text=ARABIC) | {"customer": customer}
    with gw.client(token) as client:
        response = client.post("/v1/inquiries", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def waited(database_url: str, ticket_id: int, seconds: int) -> None:
    """The ticket has waited `seconds` longer than it has (rather than the test sleeping)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE tickets SET queued_at = queued_at - make_interval(secs => %s) WHERE id = %s",
            (seconds, ticket_id),
        )


def take_and_resolve(gw: Gateway, ticket: dict[str, Any], note: str, worker: WorkerHandle | None) -> None:
    """An agent pulls the ticket, answers and resolves it; with `worker`, a sweep runs once it is taken."""
    _agent_id, token = gw.agent([ticket["queue"]])
    with gw.client(token) as client:
        claimed = client.post("/v1/agent/claim", json={})
        assert claimed.status_code == 200 and claimed.json()["id"] == ticket["id"], claimed.text
        if worker is not None:
            worker.run(proactive.SWEEP)
        assert client.post(f"/v1/tickets/{ticket['id']}/answer", json={}).status_code == 200
        body = {"note": INTERNAL, **({"customer_note": note} if note else {})}
        resolved = client.post(f"/v1/tickets/{ticket['id']}/resolve", json=body)
        assert resolved.status_code == 200, resolved.text


def outbox(gw: Gateway, channel: str) -> list[dict[str, Any]]:
    """The channel's pending messages as its integration polls them (GET /v1/outbound)."""
    with gw.client(gw.token("integration", channel=channel)) as client:
        response = client.get("/v1/outbound", params={"channel": channel, "limit": 100})
    assert response.status_code == 200, response.text
    return list(response.json()["messages"])


def decisions(database_url: str, ticket_id: int) -> list[tuple[str, str, str]]:
    with psycopg.connect(database_url) as conn, conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT kind, channel, outcome FROM proactive_messages WHERE ticket_id = %s ORDER BY id",
            (ticket_id,),
        ).fetchall()
    return [(r["kind"], r["channel"], r["outcome"]) for r in rows]


def due(database_url: str) -> list[tuple[int, str]]:
    """The `returning` rows left for the sweep."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT ticket_id, kind FROM proactive_due WHERE kind = 'returning' ORDER BY 1")
        return [(t, k) for t, k in rows]


def test_a_ticket_hears_it_waits_is_taken_and_is_resolved_once_each_in_order(
    gw: Gateway, worker: WorkerHandle
) -> None:
    ticket = post(gw, "chat", "chat-1", {"chat_visitor_id": "visitor-1", "name": "Sara"})
    assert ticket["language"] == "ar" and ticket["status"] == "queued"
    assert worker.run(proactive.SWEEP) == 0  # not yet past the stated wait
    waited(gw.database_url, ticket["id"], WAIT_S + 60)
    assert worker.run(proactive.SWEEP) == 1
    assert worker.run(proactive.SWEEP) == 0  # told once
    take_and_resolve(gw, ticket, NOTE, worker)
    # Two sweeps for the resolution: one sends it, the other finds it decided.
    results = [worker.send(proactive.SWEEP) for _ in range(2)]
    assert sorted(r.get(timeout=30) for r in results) == [0, 1]

    mine = [m for m in outbox(gw, "chat") if m["ticket_id"] == ticket["id"] and m["kind"] == "proactive"]
    n = ticket["id"]
    assert [m["body"] for m in mine] == [
        f"ما زلنا نتابع طلبك رقم {n}، وهو بانتظار أول موظف متاح. شكراً لصبرك.",
        f"تسلّم أحد موظفينا طلبك رقم {n} ويعمل عليه الآن.",
        f"تم حل طلبك رقم {n}: {NOTE}",
    ]
    assert all(m["recipient"] == "visitor-1" for m in mine)
    assert not any("fraud log" in m["body"] for m in outbox(gw, "chat"))  # the internal note stays in
    assert decisions(gw.database_url, n) == [
        ("wait", "chat", "sent"),
        ("taken", "chat", "sent"),
        ("resolved", "chat", "sent"),
    ]


def test_a_suppressed_channel_gets_none_but_each_is_counted(gw: Gateway, worker: WorkerHandle) -> None:
    ticket = post(gw, "email", "mail-1", {"email": "huda@example.com", "name": "Huda"})
    waited(gw.database_url, ticket["id"], WAIT_S + 60)
    assert worker.run(proactive.SWEEP) == 0
    take_and_resolve(gw, ticket, NOTE, worker)
    assert worker.run(proactive.SWEEP) == 0
    assert [m for m in outbox(gw, "email") if m["kind"] == "proactive"] == []
    assert decisions(gw.database_url, ticket["id"]) == [
        ("wait", "email", "suppressed"),
        ("taken", "email", "suppressed"),
        ("resolved", "email", "suppressed"),
    ]


def test_a_returning_customer_hears_the_earlier_outcome_at_intake_and_still_queues(
    gw: Gateway, worker: WorkerHandle
) -> None:
    customer = {"chat_visitor_id": "visitor-9", "name": "Mona"}
    other = {"chat_visitor_id": "visitor-10", "name": "Noor"}
    mail = {"email": "mona@example.com", "name": "Mona"}
    # Each resolved first (an agent pulls the oldest waiting ticket), one without a note for the customer.
    first = post(gw, "chat", "chat-a", customer)
    earlier = post(gw, "chat", "chat-b", other)
    on_mail = post(gw, "email", "mail-a", mail)
    take_and_resolve(gw, first, NOTE, worker)
    take_and_resolve(gw, earlier, "", None)
    take_and_resolve(gw, on_mail, NOTE, worker)
    worker.run(proactive.SWEEP)
    # Taken and resolved before any sweep came: the resolution alone is news.
    assert decisions(gw.database_url, earlier["id"]) == [
        ("taken", "chat", "stale"),
        ("resolved", "chat", "sent"),
    ]

    again = post(gw, "chat", "chat-c", customer)
    assert again["id"] != first["id"] and again["status"] == "queued"  # a message, not a join
    assert again["intent"] == first["intent"] and again["intent"]
    [told] = [m for m in outbox(gw, "chat") if m["ticket_id"] == again["id"]]
    assert told["kind"] == "proactive" and told["recipient"] == "visitor-9"
    assert told["body"].startswith(f"بخصوص طلبك السابق رقم {first['id']} في الموضوع نفسه: {NOTE}")
    assert decisions(gw.database_url, again["id"]) == [("returning", "chat", "sent")]
    assert due(gw.database_url) == []  # each intake's `returning` row decided and cleared

    # Without a note for the customer: the day it was resolved, in the centre's calendar.
    later = post(gw, "chat", "chat-d", other)
    [generic] = [m["body"] for m in outbox(gw, "chat") if m["ticket_id"] == later["id"]]
    assert f"طلبك السابق رقم {earlier['id']} في الموضوع نفسه تم حله بتاريخ" in generic

    # The same return on a suppressed channel: counted, not sent.
    back = post(gw, "email", "mail-b", mail)
    assert [m for m in outbox(gw, "email") if m["ticket_id"] == back["id"]] == []
    assert decisions(gw.database_url, back["id"]) == [("returning", "email", "suppressed")]

    # Counted for the KPIs: by kind, channel and outcome, and the repeat contacts of the told and the rest.
    with gw.client(gw.token("supervisor")) as client:
        response = client.get("/v1/metrics/proactive", params={"year": int(first["created_at"][:4])})
    assert response.status_code == 200, response.text
    summary = response.json()
    counts = {(c["kind"], c["channel"], c["outcome"]): c["count"] for c in summary["counts"]}
    assert counts[("returning", "chat", "sent")] == 2 and counts[("returning", "email", "suppressed")] == 1
    assert counts[("resolved", "chat", "sent")] == 2 and counts[("taken", "chat", "stale")] == 1
    assert summary["told"] == {"resolved": 2, "repeated": 2, "rate": 1.0}
    assert summary["not_told"] == {"resolved": 1, "repeated": 1, "rate": 1.0}

    # The yearly report carries the same figures, and its page shows them in Arabic.
    with gw.client(gw.token("supervisor")) as client:
        year = {"year": summary["year"]}
        report = client.get("/v1/metrics/report", params=year | {"format": "json"})
        page = client.get("/v1/metrics/report", params=year | {"format": "html", "lang": "ar"})
    assert report.status_code == 200 and page.status_code == 200, report.text
    assert report.json()["proactive"] == {
        k: summary[k] for k in ("counts", "window_days", "told", "not_told")
    }
    assert 'id="proactive"' in page.text and catalogue.text("ar", "report.proactive_heading") in page.text
    assert '<tr data-kind="returning"><th>' + catalogue.text("ar", "report.proactive_returning") in page.text


def test_a_gateway_dying_after_the_intake_commits_leaves_the_returning_message_to_the_sweep(
    gw: Gateway, worker: WorkerHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = {"chat_visitor_id": "visitor-21", "name": "Huda"}
    first = post(gw, "chat", "chat-x", customer)
    take_and_resolve(gw, first, NOTE, worker)
    worker.run(proactive.SWEEP)

    def dies(*_args: Any, **_kwargs: Any) -> bool:
        raise RuntimeError("the gateway process died here")

    # Dies between the intake's commit and the message: the inquiry is stored, the client hears 500.
    monkeypatch.setattr(proactive_intake, "tell_returning", dies)
    token = gw.token("integration", channel="chat")
    body = inquiry("chat", "chat-y", text=ARABIC) | {"customer": customer}
    with gw.client(token) as client:
        assert client.post("/v1/inquiries", json=body).status_code == 500
    with gw.client(token) as client:  # the server closed the failed request's connection
        retried = client.post("/v1/inquiries", json=body)  # the channel's retry finds it stored
    assert retried.status_code == 200, retried.text
    again = retried.json()
    assert due(gw.database_url) == [(again["id"], "returning")]
    assert [m for m in outbox(gw, "chat") if m["ticket_id"] == again["id"]] == []

    # A sweep leaves it to the gateway for a while, then decides it, once.
    worker.run(proactive.SWEEP)
    assert decisions(gw.database_url, again["id"]) == []
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE proactive_due SET due_at = due_at - make_interval(secs => %s)",
            (proactive.RETURNING_GRACE_S + 1,),
        )
    worker.run(proactive.SWEEP)
    worker.run(proactive.SWEEP)
    [told] = [m for m in outbox(gw, "chat") if m["ticket_id"] == again["id"]]
    assert told["kind"] == "proactive" and told["recipient"] == "visitor-21"
    assert told["body"].startswith(f"بخصوص طلبك السابق رقم {first['id']} في الموضوع نفسه: {NOTE}")
    assert decisions(gw.database_url, again["id"])[0] == ("returning", "chat", "sent")
    assert due(gw.database_url) == []


def test_a_known_customer_with_nothing_on_the_intent_leaves_nothing_due(gw: Gateway) -> None:
    customer = {"chat_visitor_id": "visitor-31", "name": "Aisha"}
    first = post(gw, "chat", "chat-p", customer)
    take_and_resolve(gw, first, NOTE, None)
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        conn.execute("UPDATE tickets SET intent = 'card_arrival_other' WHERE id = %s", (first["id"],))
    second = post(gw, "chat", "chat-q", customer)
    assert decisions(gw.database_url, second["id"]) == []
    assert due(gw.database_url) == []  # looked at, nothing to tell, cleared in the same query
