"""A supervisor moves tickets and sets agents away; an agent keeps a language; names beside ids."""

import psycopg
import pytest

from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import inquiry

pytestmark = pytest.mark.integration


def _rows(db_url: str, sql: str, *args: object) -> list[tuple[object, ...]]:
    with psycopg.connect(db_url) as conn:
        return conn.execute(sql, args).fetchall()  # type: ignore[arg-type]


def test_a_supervisor_moves_a_waiting_and_a_held_ticket_without_teaching_the_classifier(
    gateway_alone: Gateway,
) -> None:
    gw = gateway_alone
    chat = gw.token("integration", channel="chat")
    agent_id, agent = gw.agent(["triage"], name="Amal")
    supervisor = gw.token("supervisor")
    with gw.client(chat) as client:
        held = client.post("/v1/inquiries", json=inquiry("chat", external_id="m1")).json()["id"]
    with gw.client(agent) as client:
        assert client.post("/v1/agent/claim", json={}).json()["id"] == held
    with gw.client(chat) as client:
        waiting = client.post(
            "/v1/inquiries", json=inquiry("chat", external_id="m2", customer={"chat_visitor_id": "visitor-8"})
        ).json()["id"]

    with gw.client(supervisor) as client:
        moved = client.post(f"/v1/supervisor/tickets/{waiting}/move", json={"queue": "cards", "note": "load"})
        assert moved.status_code == 200, moved.text
        assert moved.json()["queue"] == "cards" and moved.json()["status"] == "queued"
        taken = client.post(f"/v1/supervisor/tickets/{held}/move", json={"queue": "general"})
        assert taken.status_code == 200 and taken.json()["status"] == "queued"
        again = client.post(f"/v1/supervisor/tickets/{held}/move", json={"queue": "general"})
        assert again.status_code == 409
        unknown = client.post(f"/v1/supervisor/tickets/{held}/move", json={"queue": "nowhere"})
        assert unknown.status_code == 422

    events = _rows(
        gw.database_url,
        "SELECT ticket_id, agent_id, data FROM ticket_events WHERE type = 'transferred' ORDER BY id",
    )
    assert [(t, a, d["by"], d.get("note")) for t, a, d in events] == [  # type: ignore[index,union-attr]
        (waiting, None, "supervisor", "load"),
        (held, agent_id, "supervisor", None),  # the handling the move ended was Amal's
    ]
    assert _rows(gw.database_url, "SELECT count(*) FROM classifier_corrections") == [(0,)]
    assert _rows(gw.database_url, "SELECT assigned_agent_id FROM tickets WHERE id = %s", held) == [(None,)]


def test_a_supervisor_sets_an_agent_away_but_never_available(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    agent_id, agent = gw.agent(["triage"], name="Amal")
    with gw.client(agent) as client:
        client.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
    with gw.client(gw.token("supervisor")) as client:
        away = client.put(f"/v1/supervisor/agents/{agent_id}/presence", json={"presence": "away"})
        assert away.json() == {"presence": "away", "previous": "available"}
        assert (
            client.put(
                f"/v1/supervisor/agents/{agent_id}/presence", json={"presence": "available"}
            ).status_code
            == 422
        )
        assert (
            client.put("/v1/supervisor/agents/999999/presence", json={"presence": "away"}).status_code == 404
        )
        overview = client.get("/v1/supervisor/overview").json()
    assert {a["id"]: a["presence"] for a in overview["agents"]}[agent_id] == "away"
    cards = next(q for q in overview["queues"] if q["queue"] == "triage")
    assert cards["names"] == {"ar": "الفرز", "en": "Triage"}
    assert overview["queue_names"]["cards"] == {"ar": "البطاقات", "en": "Cards"}


def test_an_agent_keeps_the_language_they_chose(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    _, agent = gw.agent(["triage"], name="Amal")
    with gw.client(agent) as client:
        assert client.get("/v1/agent/me").json()["language"] is None
        assert client.put("/v1/agent/language", json={"language": "en"}).json() == {"language": "en"}
        assert client.put("/v1/agent/language", json={"language": "fr"}).status_code == 422
        assert client.get("/v1/agent/me").json()["language"] == "en"


@pytest.mark.parametrize(
    ("query", "header", "lang", "direction", "heading"),
    [
        ("", None, "ar", "rtl", "واجهة الموظف"),
        ("", "en-US,en;q=0.9", "en", "ltr", "Agent console"),
        ("?lang=ar", "en-US", "ar", "rtl", "واجهة الموظف"),
    ],
)
def test_pages_are_served_in_the_language_asked_for(
    gateway_alone: Gateway, query: str, header: str | None, lang: str, direction: str, heading: str
) -> None:
    headers = {"Accept-Language": header} if header else {}
    with gateway_alone.client(None) as client:
        page = client.get(f"/console{query}", headers=headers)
    assert page.headers["content-language"] == lang
    assert f'<html lang="{lang}" dir="{direction}"' in page.text and f"<h1>{heading}</h1>" in page.text
