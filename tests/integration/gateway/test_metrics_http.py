"""KPIs, the yearly report (JSON, CSV, HTML), quality evaluations, the export, live figures (SSE) and
Prometheus text, through the real gateway and metrics service."""

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest

from tests.fixtures.gateway import Gateway, unused_port
from tests.fixtures.metrics_server import MetricsEndpoints
from tests.integration.gateway.helpers import assert_problem, inquiry
from tests.integration.gateway.stand_in import FaqClassifier, serving
from tests.integration.test_kpi_scenarios import T, april, ticket
from tests.integration.test_metrics_service import catch_up, make_agent, make_customer

pytestmark = pytest.mark.integration


@pytest.fixture
def gateway(start_gateway: Callable[..., Gateway], metrics_addr: str) -> Gateway:
    """The gateway with the real metrics service; the classifier is away (intake falls back)."""
    return start_gateway(classifier_addr=f"127.0.0.1:{unused_port()}", metrics_addr=metrics_addr)


def last_year(db: psycopg.Connection) -> None:
    """2023: one phone call in `cards`, waits 30 s, handled 200 s."""
    agent, customer = make_agent(db, "Dana"), make_customer(db)
    ticket(db, "phone", customer, T.replace(year=2023), [(0, "created"), (0, "routed", None, "cards"),
        (20, "claimed", agent), (30, "answered", agent), (230, "resolved", agent)])  # fmt: skip


def test_the_yearly_report_as_json_csv_and_html(gateway: Gateway, db, database_url):
    april(db)
    last_year(db)
    catch_up(database_url)
    supervisor = gateway.token("supervisor")

    with gateway.client(supervisor) as client:
        report = client.get("/v1/metrics/report", params={"year": 2024})
        as_csv = client.get("/v1/metrics/report", params={"year": 2024, "format": "csv"})
        as_html = client.get("/v1/metrics/report", params={"year": 2024}, headers={"Accept": "text/html"})
        in_english = client.get(
            "/v1/metrics/report", params={"year": 2024, "lang": "en"}, headers={"Accept": "text/html"}
        )
        assert_problem(client.get("/v1/metrics/report", params={"year": "soon"}), 422)
    with gateway.client(gateway.token("agent", agent_id=make_agent(db, "Eve"))) as client:
        assert_problem(client.get("/v1/metrics/report", params={"year": 2024}), 403)

    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["year"], body["previous_year"], body["formula_version"]) == (2024, 2023, "kpis-3")
    fcr = body["overall"]["kpis"]["fcr"]
    # 2024 as worked out in test_kpi_scenarios; 2023's one call was resolved at first contact.
    assert fcr["value"] == pytest.approx(4 / 9) and (fcr["target"], fcr["direction"], fcr["met"]) == (
        0.9,
        "min",
        False,
    )
    assert fcr["last_year"] == 1.0 and fcr["change"] == pytest.approx(4 / 9 - 1)
    assert fcr["change_pct"] == pytest.approx((4 / 9 - 1) * 100)
    asa = body["by_channel"]["phone"]["kpis"]["asa_s"]
    assert (asa["value"], asa["last_year"], asa["met"]) == (17.5, 30.0, True)
    incoming = body["by_channel"]["phone"]["volumes"]["incoming"]
    assert (incoming["value"], incoming["last_year"], incoming["change"], incoming["change_pct"]) == (
        5,
        1,
        4,
        400.0,
    )
    assert body["by_channel"]["email"]["volumes"]["incoming"]["change_pct"] is None  # nothing the year before
    assert body["overall"]["kpis"]["csat"]["value"] == 0.5
    assert [m["incoming"] for m in body["months"]][2:5] == [0, 13, 0]
    assert body["months"][3]["last_year"]["incoming"] == 1

    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    overall_fcr = next(r for r in rows if (r["section"], r["name"], r["figure"]) == ("overall", "all", "fcr"))
    assert float(overall_fcr["value"]) == pytest.approx(4 / 9) and overall_fcr["met"] == "false"
    phone = next(
        r for r in rows if (r["section"], r["name"], r["figure"]) == ("channel", "phone", "incoming")
    )
    assert (phone["value"], phone["last_year"], phone["change"]) == ("5", "1", "4")

    assert as_html.headers["content-type"].startswith("text/html")
    # Arabic first; English when asked.
    assert "<svg" in as_html.text and 'lang="ar" dir="rtl"' in as_html.text
    assert "<svg" in in_english.text and "Contact centre report 2024" in in_english.text


def test_quality_evaluations_are_posted_by_supervisors_and_make_the_quality_figure(
    gateway: Gateway, db, database_url
):
    agent, customer = make_agent(db, "Amal"), make_customer(db)
    now = datetime.now(UTC)
    hour_ago = now - timedelta(hours=1)
    handled = ticket(db, "chat", customer, hour_ago, [(0, "created"), (0, "routed", None, "cards"),
        (5, "claimed", agent), (10, "answered", agent), (100, "resolved", agent)])  # fmt: skip
    db.execute("UPDATE tickets SET answered_at = created_at WHERE id = %s", (handled,))
    waiting = ticket(
        db, "chat", customer, now - timedelta(hours=1), [(0, "created"), (0, "routed", None, "cards")]
    )
    supervisor = gateway.token("supervisor")

    with gateway.client(supervisor) as client:
        first = client.post(f"/v1/tickets/{handled}/quality", json={"score": 88.4, "comment": "clear answer"})
        second = client.post(f"/v1/tickets/{handled}/quality", json={"score": 70})
        assert_problem(client.post(f"/v1/tickets/{waiting}/quality", json={"score": 50}), 409)
        assert_problem(client.post("/v1/tickets/999999/quality", json={"score": 50}), 404)
        for bad in ({"score": 100.5}, {"score": -1}, {"score": 12.345}, {}):
            assert_problem(client.post(f"/v1/tickets/{handled}/quality", json=bad), 422)
    with gateway.client(gateway.token("agent", agent_id=agent)) as client:
        assert_problem(client.post(f"/v1/tickets/{handled}/quality", json={"score": 10}), 403)

    assert (first.status_code, first.json()["score"], second.status_code) == (201, 88.4, 201)
    assert db.execute("SELECT count(*) FROM quality_evaluations").fetchone()[0] == 2
    events = db.execute("SELECT count(*) FROM ticket_events WHERE type = 'quality_evaluated'").fetchone()[0]
    assert events == 2
    catch_up(database_url)
    with gateway.client(supervisor) as client:
        kpis = client.get("/v1/metrics/kpis", params={"from": (now - timedelta(days=1)).isoformat()}).json()
    assert (kpis["quality"], kpis["evaluations"]) == (pytest.approx((0.884 + 0.70) / 2), 2)
    assert kpis["targets"]["quality"] == {"target": 0.8, "direction": "min", "met": False}


def test_the_export_streams_one_csv_row_per_ticket(gateway: Gateway, db, database_url):
    people = april(db)
    catch_up(database_url)
    with gateway.client(gateway.token("supervisor")) as client:
        response = client.get(
            "/v1/metrics/export", params={"from": "2024-04-02T00:00:00Z", "to": "2024-04-03T00:00:00Z"}
        )
        backwards = {"from": "2024-04-03T00:00:00Z", "to": "2024-04-02T00:00:00Z"}
        assert_problem(client.get("/v1/metrics/export", params=backwards), 422)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    # Created on 2 April: t1, t3, t5, t6, t7, t10, t11, t12.
    assert len(rows) == 8
    t3 = next(r for r in rows if int(r["ticket_id"]) == people["t3"])
    assert (t3["channel"], t3["queue"], t3["opened_queue"], t3["answered_by"]) == (
        "phone",
        "cards",
        "cards",
        str(people["a1"]),
    )
    assert (t3["wait_s"], t3["handle_s"], t3["fcr"], t3["survey_score"]) == ("15.0", "300.0", "true", "4")


def test_self_served_then_human_through_the_gateway(start_gateway, metrics_addr, database_url):
    with serving(FaqClassifier()) as addr:
        gateway = start_gateway(classifier_addr=addr, metrics_addr=metrics_addr, classifier_timeout_s=3.0)
        chat = gateway.token("integration", channel="chat")
        agent_id, agent = gateway.agent(["cards"], backfill=True)  # its actions are dated
        t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
        with gateway.client(chat) as client:
            question = {"text": "how do I activate it?", "occurred_at": t0.isoformat()}
            only_faq = client.post("/v1/inquiries", json=inquiry("chat", "c-1", **question)).json()
            wants_human = client.post("/v1/inquiries", json=inquiry("chat", "c-2", **question)).json()
            asked = {"occurred_at": (t0 + timedelta(minutes=5)).isoformat()}
            client.post(f"/v1/tickets/{wants_human['id']}/human", json=asked).raise_for_status()
        with gateway.client(agent) as client:
            at = t0 + timedelta(minutes=6)
            client.post("/v1/agent/claim", json={"occurred_at": at.isoformat()}).raise_for_status()
            for step, minutes in (("answer", 8), ("resolve", 12)):
                when = (t0 + timedelta(minutes=minutes)).isoformat()
                client.post(
                    f"/v1/tickets/{wants_human['id']}/{step}", json={"occurred_at": when}
                ).raise_for_status()
        catch_up(database_url)
        with gateway.client(gateway.token("supervisor")) as client:
            kpis = client.get(
                "/v1/metrics/kpis", params={"from": (t0 - timedelta(hours=1)).isoformat()}
            ).json()
    assert only_faq["status"] == "self_served"
    chat_figures = kpis["by_channel"]["chat"]
    # Queued when the customer asked (minute 5), answered at minute 8: a wait of 180 s, not 480 s.
    assert (chat_figures["offered"], chat_figures["answered"], chat_figures["asa_s"]) == (1, 1, 180.0)
    assert (chat_figures["self_served"], chat_figures["containment_rate"], chat_figures["incoming"]) == (
        1,
        0.5,
        2,
    )
    # kpis-3: talk from minute 8 to 12 (240 s) plus the wrap-up the resolution started, still open,
    # so its whole limit (WRAP_UP_LIMIT_S, 60 s): 300 s.
    assert (chat_figures["aht_s"], chat_figures["fcr"]) == (300.0, 1.0)
    assert str(agent_id) in kpis["by_agent"]


def sse_events(response: httpx.Response) -> Iterator[dict[str, Any]]:
    event = None
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == "figures":
            yield json.loads(line.removeprefix("data: "))


def test_live_figures_stream_and_follow_a_change(gateway: Gateway, db):
    agent = make_agent(db, "Amal")
    db.execute("UPDATE agents SET presence = 'available' WHERE id = %s", (agent,))
    db.execute(
        "INSERT INTO agent_queues (agent_id, queue_id) SELECT %s, id FROM queues WHERE name = 'cards'",
        (agent,),
    )
    supervisor = gateway.token("supervisor")
    with gateway.client(supervisor) as signed_in:
        issued = signed_in.post("/v1/stream-tickets", json={"stream": "/v1/metrics/live"})
    assert issued.status_code == 201, issued.text
    with httpx.Client(base_url=gateway.url, timeout=10) as client:
        assert_problem(client.get("/v1/metrics/live"), 401)
        # EventSource cannot send a header: a single-use ticket opens the stream, never the token.
        with client.stream("GET", issued.json()["url"]) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            events = sse_events(response)
            first = next(events)
            cards = next(q for q in first["queues"] if q["queue"] == "cards")
            assert (cards["waiting"], cards["longest_wait_s"], cards["agents"]["available"]) == (0, None, 1)
            assert first["agents"] == {"available": 1, "busy": 0, "away": 0, "offline": 0}
            assert {c["channel"] for c in first["channels"]} == {"phone", "chat", "email", "mobile", "web"}
            assert first["channels"][0]["targets"]["service_level"]["target"] == 0.8

            now = datetime.now(UTC) - timedelta(seconds=30)
            queued = ticket(
                db, "phone", make_customer(db), now, [(0, "created"), (0, "routed", None, "cards")]
            )
            db.execute("UPDATE tickets SET queued_at = created_at WHERE id = %s", (queued,))
            changed = next(events)
    cards = next(q for q in changed["queues"] if q["queue"] == "cards")
    assert cards["waiting"] == 1 and 30 <= cards["longest_wait_s"] < 60
    phone = next(c for c in changed["channels"] if c["channel"] == "phone")
    assert phone["waiting"] == 1


def test_prometheus_text(metrics_endpoints: MetricsEndpoints, db, database_url):
    april(db)
    catch_up(database_url)
    db.execute("UPDATE tickets SET status = 'resolved' WHERE id < (SELECT max(id) FROM tickets)")
    # t13, the e-mail still waiting in `general`, queued 42 s ago.
    db.execute(
        "UPDATE tickets SET queued_at = now() - interval '42 seconds' "
        "WHERE id = (SELECT max(id) FROM tickets)"
    )

    text = httpx.get(f"{metrics_endpoints.http_url}/metrics", timeout=10).text

    # Opened in `cards` on the phone: t1-t5 (t5 was transferred later: the counter keeps its opening queue).
    assert 'ticketing_tickets_created_total{channel="phone",queue="cards"} 5.0' in text
    assert 'ticketing_escalations_total{channel="chat",queue="general"} 1.0' in text
    assert 'ticketing_survey_replies_total{channel="phone",queue="cards"} 3.0' in text
    # t1's classification took 12.5 ms.
    assert 'ticketing_classifier_latency_seconds_bucket{channel="phone",le="0.01"} 0.0' in text
    assert 'ticketing_classifier_latency_seconds_bucket{channel="phone",le="0.025"} 1.0' in text
    assert 'ticketing_classifier_latency_seconds_count{channel="phone"} 1.0' in text
    assert 'ticketing_queue_depth{queue="general"} 1.0' in text
    longest = next(
        line
        for line in text.splitlines()
        if line.startswith('ticketing_queue_longest_wait_seconds{queue="general"}')
    )
    assert 40 <= float(longest.split()[-1]) < 100
