"""The whole stack as separate processes: an inquiry on every channel, followed to the KPIs."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.e2e.stack import running_stack, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

CHANNELS = ("phone", "chat", "email", "mobile", "web")
IDENTITY = {
    "phone": {"phone": "+966500000001"},
    "chat": {"chat_visitor_id": "visitor-1"},
    "email": {"email": "layla@example.com"},
    "mobile": {"app_user_id": "app-1"},
    "web": {"web_user_id": "web-1"},
}
WAIT_S = {"phone": 10, "chat": 20, "email": 300, "mobile": 60, "web": 90}
HANDLE_S = {"phone": 100, "chat": 200, "email": 300, "mobile": 400, "web": 500}


def at(moment: datetime) -> dict[str, str]:
    return {"occurred_at": moment.isoformat()}


def claim(client: httpx.Client, moment: datetime) -> dict | None:
    response = client.post("/v1/agent/claim", json=at(moment))
    return response.json() if response.status_code == 200 else None


def test_each_channel_from_inquiry_to_survey_to_kpis(
    tmp_path: Path, database_url: str, broker_url: str, default_model_path: Path
) -> None:
    extra = {
        # The model the test session built once; without it the classifier would train its own.
        "MODEL_PATH": default_model_path,
        "DATABASE_URL": database_url,
        "BROKER_URL": broker_url,
        "CELERY_QUEUE_PREFIX": f"e2e-{uuid.uuid4().hex[:8]}.",
        "SURVEY_SWEEP_S": "1",
        "ESCALATION_SWEEP_S": "1",
        # The inquiries are dated two hours back: with the default deadlines every one of them would
        # escalate at once, which is not what this test follows.
        "ESCALATE_AFTER_S": ",".join(f"{c}=86400" for c in CHANNELS),
        # The flow is under test here, not the deadline: a loaded machine must not route to triage.
        "CLASSIFIER_TIMEOUT_MS": "3000",
        # Handling time here is talk only, as the hand computation below: wrap-up has its own tests
        # (tests/integration/gateway/test_wrap_up.py), and its open limit would add to AHT.
        "WRAP_UP_LIMIT_S": "0",
    }
    with running_stack(tmp_path / "run", extra) as stack:
        stack.admin(
            "create-agent", "Layla", "--queues", "transfers_payments,cards,triage,general,disputes_fraud"
        )
        # A back-fill token: the test replays two hours of a day with the agent's actions dated.
        agent = stack.token("--role", "agent", "--agent-id", "1", "--name", "Layla", "--backfill")
        supervisor = stack.token("--role", "supervisor", "--name", "Manager")
        keys = {c: stack.token("--role", "integration", "--channel", c, "--name", c) for c in CHANNELS}
        t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)

        tickets = {}
        for i, channel in enumerate(CHANNELS):
            queued = t0 + timedelta(minutes=10 * i)
            body = {
                "channel": channel,
                "external_id": f"e2e-{channel}",
                "customer": IDENTITY[channel],
                "text": "My card payment was declined at the shop",
                **at(queued),
            }
            with httpx.Client(
                base_url=stack.url, headers={"Authorization": f"Bearer {keys[channel]}"}
            ) as client:
                response = client.post("/v1/inquiries", json=body)
            assert response.status_code == 201, response.text
            ticket = response.json()
            assert ticket["routed_by"] == "classifier" and ticket["queue"] == "transfers_payments", ticket
            with httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {agent}"}) as client:
                # A claim passes over a ticket another transaction holds (SKIP LOCKED): an agent whose
                # claim finds nothing for that instant simply asks again.
                claimed = wait_for("the claim", partial(claim, client, queued + timedelta(seconds=1)), 10)
                assert claimed["id"] == ticket["id"]
                answered_at = queued + timedelta(seconds=WAIT_S[channel])
                client.post(f"/v1/tickets/{ticket['id']}/answer", json=at(answered_at)).raise_for_status()
                resolved_at = answered_at + timedelta(seconds=HANDLE_S[channel])
                done = client.post(f"/v1/tickets/{ticket['id']}/resolve", json=at(resolved_at))
                assert done.json()["status"] == "resolved"
            tickets[channel] = ticket["id"]

        # The worker's survey sweep sends one survey per ticket, through the ticket's own channel.
        def surveys() -> list[tuple[int, str, str]] | None:
            with psycopg.connect(database_url) as conn:
                rows = conn.execute(
                    """SELECT ticket_id, channel, body FROM outbound_messages
                       WHERE kind = 'survey' ORDER BY ticket_id"""
                ).fetchall()
            return rows if len(rows) == len(CHANNELS) else None

        sent = wait_for("a survey for every ticket", surveys, 60, stack.log)
        assert {(tid, channel) for tid, channel, _ in sent} == {(tickets[c], c) for c in CHANNELS}
        with httpx.Client(base_url=stack.url) as client:
            for _, _, text in sent:
                token = re.search(r"/survey/([A-Za-z0-9_-]+)", text).group(1)
                assert (
                    client.post(f"/v1/surveys/{token}", json={"score": 5, "resolved": True}).status_code
                    == 200
                )
                assert client.post(f"/v1/surveys/{token}", json={"score": 1}).status_code == 409

        period = {"from": (t0 - timedelta(minutes=1)).isoformat(), "to": datetime.now(UTC).isoformat()}
        with httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {supervisor}"}) as client:

            def kpis() -> dict | None:
                report = client.get("/v1/metrics/kpis", params=period).json()
                return report if report.get("resolved") == len(CHANNELS) else None

            report = wait_for("the metrics service to count every ticket", kpis, 30, stack.log)

    assert (report["offered"], report["answered"], report["abandoned"], report["waiting"]) == (5, 5, 0, 0)
    assert report["asa_s"] == pytest.approx(sum(WAIT_S.values()) / 5)
    assert report["aht_s"] == pytest.approx(sum(HANDLE_S.values()) / 5)
    assert report["abandonment_rate"] == 0
    for channel in CHANNELS:
        figures = report["by_channel"][channel]
        assert (figures["offered"], figures["answered"]) == (1, 1), channel
        assert figures["asa_s"] == pytest.approx(WAIT_S[channel])
        assert figures["aht_s"] == pytest.approx(HANDLE_S[channel])
    # Phone's 10 s wait is within its 20 s threshold; chat's 20 s within 30 s; all others too.
    assert report["service_level"] == 1.0
    assert report["targets"]["asa_s"]["met"] is False  # mean wait 96 s > 20 s target


def test_make_run_defaults_embedded_postgres_and_file_broker(
    tmp_path: Path, default_model_path: Path
) -> None:
    """No DATABASE_URL and no BROKER_URL: the launcher brings everything up on its own."""
    extra = {"SURVEY_SWEEP_S": "1", "MODEL_PATH": default_model_path}
    with running_stack(tmp_path / "run", extra, ready_timeout_s=120) as stack:
        stack.admin("create-agent", "Omar", "--queues", "cards,transfers_payments,triage")
        agent = stack.token("--role", "agent", "--agent-id", "1", "--name", "Omar")
        key = stack.token("--role", "integration", "--channel", "web", "--name", "portal")
        inquiry = {
            "channel": "web",
            "external_id": "w-1",
            "customer": {"email": "omar@example.com"},
            "text": "my card payment was declined at the shop",
        }
        with httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {key}"}) as client:
            ticket = client.post("/v1/inquiries", json=inquiry).json()
        with httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {agent}"}) as client:
            assert client.post("/v1/agent/claim", json={}).json()["id"] == ticket["id"]
            client.post(f"/v1/tickets/{ticket['id']}/answer", json={}).raise_for_status()
            client.post(f"/v1/tickets/{ticket['id']}/resolve", json={}).raise_for_status()
        database_url = stack.env["DATABASE_URL"]

        # Beat and the worker talk over the file broker: the survey arrives.
        def survey() -> bool:
            with psycopg.connect(database_url) as conn:
                return bool(conn.execute("SELECT count(*) FROM surveys").fetchone()[0])

        wait_for("the survey over the file broker", survey, 60, stack.log)
    assert (tmp_path / "run" / "pgdata").is_dir() and (tmp_path / "run" / "broker").is_dir()
