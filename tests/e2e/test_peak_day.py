"""A peak day, compressed: two gateways, two routers, two Celery workers and one beat side by side on
the real PostgreSQL and RabbitMQ, a burst of inquiries from concurrent clients, agents accepting offers
through either gateway. Nothing is lost, nothing is assigned twice, and each escalation step and each
survey happens once (issue 13; docs/scaling.md)."""

import itertools
import os
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from services.shared import tokens
from services.shared.store import agent_skills, agents, api_credentials
from services.stack import probe
from tests.e2e.stack import wait_for
from tests.fixtures.celery_worker import ROOT, WORKER_VARIABLES, WorkerHandle, running_worker, worker_env
from tests.fixtures.gateway import unused_port
from tests.integration.test_broker_restart import running_beat

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

GATEWAYS = 2
ROUTERS = 2
WORKERS = 2
INQUIRIES = 300
CLIENTS = 12
AGENTS = 16
CHANNELS = ("phone", "chat", "email", "mobile", "web")
TEXTS = (
    "My card payment was declined at the shop",
    "I want to transfer money to my brother abroad",
    "بطاقتي انسحبت في الصراف الآلي ولا أقدر أسحب",
    "ابي احول فلوس لحساب ثاني",
    "Someone used my card without my permission",
    "كم رسوم الحوالة الدولية؟",
)
CUSTOMER = {
    "phone": lambda i: {"phone": f"+9665{i:08d}"},
    "chat": lambda i: {"chat_visitor_id": f"visitor-{i}"},
    "email": lambda i: {"email": f"customer{i}@example.com"},
    "mobile": lambda i: {"app_user_id": f"app-{i}"},
    "web": lambda i: {"web_user_id": f"web-{i}"},
}
# E-mail and web inquiries breach their first-response target while the agents are still away, so
# the escalation sweeps of both workers compete for the same tickets; the other channels get an hour,
# so that none of them escalates however slowly a loaded machine runs the day.
ESCALATE_AFTER_S = "email=1,web=1,phone=3600,chat=3600,mobile=3600"


@contextmanager
def process(name: str, argv: list[str], env: dict[str, str], logs: Path) -> Iterator[subprocess.Popen[bytes]]:
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _token(database_url: str, role: str, **scope: Any) -> str:
    secret = tokens.new_token()
    with psycopg.connect(database_url, autocommit=True) as conn:
        api_credentials.create(
            conn,
            name=f"peak {role}",
            role=role,
            token_hash=tokens.digest(secret),
            expires_at=datetime.now(UTC) + timedelta(hours=1),
            **scope,
        )
    return secret


def _counts(conn: psycopg.Connection[Any], sql: str) -> Counter[Any]:
    return Counter({tuple(row[:-1]) if len(row) > 2 else row[0]: row[-1] for row in conn.execute(sql)})


def test_a_peak_day_on_several_gateways_routers_and_workers(
    tmp_path: Path, database_url: str, broker_url: str, default_model_path: Path
) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    internal = uuid.uuid4().hex * 2
    classifier_addr, metrics_addr = f"127.0.0.1:{unused_port()}", f"127.0.0.1:{unused_port()}"
    base = {k: v for k, v in os.environ.items() if k not in WORKER_VARIABLES} | {
        "DATABASE_URL": database_url,
        "INTERNAL_GRPC_TOKEN": internal,
        "CLASSIFIER_ADDR": classifier_addr,
        "METRICS_ADDR": metrics_addr,
        "ESCALATE_AFTER_S": ESCALATE_AFTER_S,
        "WRAP_UP_LIMIT_S": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    python = sys.executable
    gateway_urls = []
    with ExitStack() as stack:
        stack.enter_context(
            process(
                "classifier",
                [python, "-m", "services.classifier"],
                base | {"CLASSIFIER_BIND": classifier_addr, "MODEL_PATH": str(default_model_path)},
                logs,
            )
        )
        stack.enter_context(
            process(
                "metrics",
                [python, "-m", "services.metrics"],
                base | {"METRICS_BIND": metrics_addr, "METRICS_HTTP_BIND": ""},
                logs,
            )
        )
        for n in range(GATEWAYS):
            port = unused_port()
            env = base | {
                "GATEWAY_HOST": "127.0.0.1",
                "GATEWAY_PORT": str(port),
                "GATEWAY_WORKERS": "1",
                "PUBLIC_URL": f"http://127.0.0.1:{port}",
                # The flow is under test, not the classifier's deadline on a loaded machine.
                "CLASSIFIER_TIMEOUT_MS": "5000",
            }
            stack.enter_context(process(f"gateway{n}", [python, "-m", "gateway"], env, logs))
            gateway_urls.append(f"http://127.0.0.1:{port}")
        heartbeats = [tmp_path / f"router{n}.alive" for n in range(ROUTERS)]
        for n, path in enumerate(heartbeats):
            env = base | {"ROUTER_TICK_MS": "200", "ROUTER_HEARTBEAT_FILE": str(path)}
            stack.enter_context(process(f"router{n}", [python, "-m", "services.router"], env, logs))
        celery_env = worker_env(
            database_url,
            broker_url,
            ESCALATE_AFTER_S=ESCALATE_AFTER_S,
            ESCALATION_SWEEP_S="1",
            SURVEY_SWEEP_S="1",
            NOTIFICATION_SWEEP_S="1",
        )
        workers: list[WorkerHandle] = [
            stack.enter_context(running_worker(celery_env, logs / f"worker{n}.log", name=f"worker{n}"))
            for n in range(WORKERS)
        ]
        stack.enter_context(running_beat(celery_env, logs / "beat.log"))
        for url in gateway_urls:
            wait_for(
                f"{url}/readyz", lambda url=url: probe.http_ok(f"{url}/readyz", 2), 60, logs / "gateway0.log"
            )
        wait_for(
            "both routers' first pass", lambda: all(p.exists() for p in heartbeats), 30, logs / "router0.log"
        )

        started = [p.stat().st_mtime_ns for p in heartbeats]
        _run_the_day(database_url, gateway_urls, workers, logs)
        # Both routers kept passing through the day (what their liveness probe reads).
        assert all(p.stat().st_mtime_ns > t for p, t in zip(heartbeats, started, strict=True))


def _run_the_day(database_url: str, gateway_urls: list[str], workers: list[WorkerHandle], logs: Path) -> None:
    with psycopg.connect(database_url, autocommit=True) as db:
        queues = [name for (name,) in db.execute("SELECT name FROM queues ORDER BY name")]
        agent_ids = [agents.create(db, f"Agent {n}", None, queues) for n in range(AGENTS)]
        for agent_id in agent_ids:  # skilled for every queue's rule (disputes_fraud asks fraud 3)
            agent_skills.set_all_sync(db, agent_id, {"fraud": 5})
    keys = {c: _token(database_url, "integration", channel=c) for c in CHANNELS}
    agent_tokens = {a: _token(database_url, "agent", agent_id=a) for a in agent_ids}

    # The burst: concurrent clients through both gateways. A client that gets no answer retries with
    # the same external_id, as an integration does; idempotency makes that one ticket.
    created: dict[str, int] = {}
    lock = threading.Lock()

    def send(i: int) -> None:
        channel = CHANNELS[i % len(CHANNELS)]
        body = {
            "channel": channel,
            "external_id": f"peak-{i}",
            "customer": CUSTOMER[channel](i),
            "text": TEXTS[i % len(TEXTS)],
        }
        for attempt in range(5):
            url = gateway_urls[(i + attempt) % len(gateway_urls)]
            try:
                response = httpx.post(
                    f"{url}/v1/inquiries",
                    json=body,
                    headers={"Authorization": f"Bearer {keys[channel]}"},
                    timeout=30,
                )
            except httpx.TransportError:
                continue
            if response.status_code in (200, 201):
                with lock:
                    assert (
                        created.setdefault(body["external_id"], response.json()["id"])
                        == response.json()["id"]
                    )
                return
            assert response.status_code >= 500, response.text  # bad input would be the test's fault
        raise AssertionError(f"inquiry {i} got no answer in 5 attempts")

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(send, range(INQUIRIES)))
    assert len(created) == INQUIRIES

    with psycopg.connect(database_url, autocommit=True) as db:
        # The agents come in once tickets have breached: escalation runs while offers are being made.
        wait_for(
            "a first escalation",
            lambda: db.execute("SELECT 1 FROM ticket_events WHERE type = 'escalated' LIMIT 1").fetchone(),
            60,
            logs / "worker0.log",
        )
        accepted = _agents_work(gateway_urls, agent_tokens, db)

        # Every ticket is handled once, by the agent whose accept succeeded.
        tickets = dict(db.execute("SELECT external_id, id FROM tickets").fetchall())
        assert tickets == created, "an accepted inquiry is missing, or a ticket appeared from nowhere"
        statuses = Counter(s for (s,) in db.execute("SELECT status FROM tickets"))
        assert statuses == {"resolved": INQUIRIES}
        assigned = dict(db.execute("SELECT id, assigned_agent_id FROM tickets").fetchall())
        assert accepted == assigned
        claims = _counts(
            db, "SELECT ticket_id, count(*) FROM ticket_events WHERE type = 'claimed' GROUP BY 1"
        )
        assert set(claims.values()) == {1} and len(claims) == INQUIRIES
        wins = _counts(
            db, "SELECT ticket_id, count(*) FROM ticket_offers WHERE outcome = 'accepted' GROUP BY 1"
        )
        assert set(wins.values()) == {1} and len(wins) == INQUIRIES

        # A survey for every ticket, once, whichever worker's sweep found it; then more sweeps of both
        # workers' queue, which must add nothing.
        def surveyed() -> bool:
            (n,) = db.execute("SELECT count(*) FROM outbound_messages WHERE kind = 'survey'").fetchone() or (
                0,
            )
            return n >= INQUIRIES

        wait_for("a survey for every ticket", surveyed, 60, logs / "worker0.log")
        marks = [w.log().count("surveys.sweep") for w in workers]
        wait_for(
            "more sweeps",
            lambda: sum(w.log().count("surveys.sweep") for w in workers) >= sum(marks) + 4,
            30,
            logs / "worker0.log",
        )
        surveys = _counts(
            db, "SELECT ticket_id, count(*) FROM outbound_messages WHERE kind = 'survey' GROUP BY 1"
        )
        assert len(surveys) == INQUIRIES and set(surveys.values()) == {1}
        (rows,) = db.execute("SELECT count(DISTINCT ticket_id) FROM surveys").fetchone() or (0,)
        assert rows == INQUIRIES

        # Each SLA step once per ticket, and one notification per step (each queue has one recipient,
        # its supervisors on the console).
        steps = _counts(
            db,
            """SELECT ticket_id, type, coalesce(data ->> 'level', data ->> 'target'), count(*)
               FROM ticket_events WHERE type IN ('escalated', 'sla_warning', 'sla_breached')
               GROUP BY 1, 2, 3""",
        )
        assert steps and set(steps.values()) == {1}
        per_ticket = Counter(ticket for ticket, _, _ in steps)
        notes = _counts(
            db, "SELECT ticket_id, count(*) FROM outbound_messages WHERE kind = 'notification' GROUP BY 1"
        )
        assert notes == per_ticket
        escalated = {t for t, kind, _ in steps if kind == "escalated"}
        channels = dict(db.execute("SELECT id, channel FROM tickets").fetchall())
        assert {channels[t] for t in escalated} <= {"email", "web"}
        # For docs/scaling.md: what a ticket's life writes to ticket_events on a day like this.
        (events,) = db.execute("SELECT count(*) FROM ticket_events").fetchone() or (0,)
        print(f"\npeak day: {INQUIRIES} tickets wrote {events} events ({events / INQUIRIES:.1f} per ticket)")


@dataclass
class Desk:
    """What the agents did: ticket → the agent whose accept succeeded, and any ticket accepted twice."""

    accepted: dict[int, int] = field(default_factory=dict)
    doubles: list[tuple[int, int, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)

    def took(self, ticket: int, agent_id: int) -> None:
        with self.lock:
            if ticket in self.accepted:
                self.doubles.append((ticket, self.accepted[ticket], agent_id))
            self.accepted[ticket] = agent_id

    def agent(self, agent_id: int, token: str, url: str) -> None:
        """Goes available on its gateway, accepts what it is offered and resolves it, until done."""
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            client.put("/v1/agent/presence", json={"presence": "available"}).raise_for_status()
            while not self.done.is_set():
                offers = client.get("/v1/agent/offers").json()
                if not offers:
                    self.done.wait(0.1)
                for offer in offers:
                    response = client.post(f"/v1/agent/offers/{offer['id']}/accept", json={})
                    if response.status_code == 409:
                        continue  # withdrawn by an escalation, or timed out: the next one
                    response.raise_for_status()
                    ticket = response.json()["id"]
                    self.took(ticket, agent_id)
                    client.post(f"/v1/tickets/{ticket}/resolve", json={}).raise_for_status()


def _agents_work(
    gateway_urls: list[str], agent_tokens: dict[int, str], db: psycopg.Connection[Any]
) -> dict[int, int]:
    """The agents, spread over the gateways, work until every ticket is resolved; returns ticket →
    the agent whose accept succeeded."""
    desk = Desk()

    def all_resolved() -> bool:
        (open_,) = db.execute("SELECT count(*) FROM tickets WHERE status <> 'resolved'").fetchone() or (1,)
        return open_ == 0

    def left() -> str:
        rows = db.execute(
            """SELECT q.name, t.status, count(*) FROM tickets t JOIN queues q ON q.id = t.queue_id
               WHERE t.status <> 'resolved' GROUP BY 1, 2"""
        ).fetchall()
        return f"not resolved (queue, status, count): {rows}"

    urls = itertools.cycle(gateway_urls)
    with ThreadPoolExecutor(len(agent_tokens)) as pool:
        running = [pool.submit(desk.agent, a, token, next(urls)) for a, token in agent_tokens.items()]
        try:
            wait_for("every ticket resolved", lambda: all_resolved() or any(f.done() for f in running), 60)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{left()}") from None
        finally:
            desk.done.set()
        for future in running:
            future.result()  # an agent's failure (a 5xx) fails the test here
    assert not desk.doubles, f"tickets accepted by two agents: {desk.doubles}"
    return desk.accepted
