"""Agents' transfers are kept as classifier corrections and exported as training data."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from services.admin import cli as admin
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem, inquiry, someone

pytestmark = pytest.mark.integration


def corrections(database_url: str) -> list[tuple]:
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            """SELECT c.ticket_id, c.text, q.name, f.name, c.agent_id
               FROM classifier_corrections c JOIN queues q ON q.id = c.queue_id
               JOIN queues f ON f.id = c.from_queue_id ORDER BY c.id"""
        ).fetchall()


def test_transfers_record_the_text_and_the_final_queue_and_export_as_jsonl(
    gateway_alone: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    gw = gateway_alone  # the classifier is away: everything lands in triage
    phone = gw.token("integration", channel="phone")
    triage_id, triage = gw.agent(["triage"], name="Triage")
    general_id, general = gw.agent(["general"], name="General")
    _, cards = gw.agent(["cards"], name="Cards")
    with gw.client(phone) as client:
        first = client.post(
            "/v1/inquiries", json=inquiry(external_id="a", text="بطاقتي لا تعمل", customer=someone("a"))
        ).json()
        second = client.post(
            "/v1/inquiries",
            json=inquiry(
                external_id="b", text="What are your opening hours?", subject="Hours", customer=someone("b")
            ),
        ).json()

    def claim_and_transfer(token: str, ticket_id: int, queue: str) -> None:
        with gw.client(token) as client:
            assert client.post("/v1/agent/claim", json={}).json()["id"] == ticket_id
            client.post(f"/v1/tickets/{ticket_id}/transfer", json={"queue": queue}).raise_for_status()

    claim_and_transfer(triage, first["id"], "general")
    claim_and_transfer(general, first["id"], "cards")  # on second thought: the final queue is cards
    claim_and_transfer(triage, second["id"], "general")
    claim_and_transfer(cards, first["id"], "cards")  # to the queue it is in already: no correction
    with gw.client(general) as client:
        assert client.post("/v1/agent/claim", json={}).json()["id"] == second["id"]
        # A refused transfer records nothing.
        assert_problem(client.post(f"/v1/tickets/{second['id']}/transfer", json={"queue": "nowhere"}), 422)
        client.post(f"/v1/tickets/{second['id']}/transfer", json={"queue": "triage"}).raise_for_status()
    assert corrections(gw.database_url) == [
        (first["id"], "بطاقتي لا تعمل", "general", "triage", triage_id),
        (first["id"], "بطاقتي لا تعمل", "cards", "general", general_id),
        (second["id"], "Hours\nWhat are your opening hours?", "general", "triage", triage_id),
        (second["id"], "Hours\nWhat are your opening hours?", "triage", "general", general_id),
    ]

    # The last correction of each ticket, except those back to triage (which teach nothing).
    assert admin.run(["export-corrections"], gw.database_url) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == [{"text": "بطاقتي لا تعمل", "queue": "cards"}]
    assert "بطاقتي" in lines[0]  # UTF-8 as is, readable in the file
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert admin.run(["export-corrections", "--since", tomorrow], gw.database_url) == 0
    assert capsys.readouterr().out == ""

    # The command line itself, as a deployment runs it before training.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.admin",
            "export-corrections",
            "--since",
            "2000-01-01T00:00:00+00:00",
        ],
        env={**os.environ, "DATABASE_URL": gw.database_url},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.splitlines() == lines
