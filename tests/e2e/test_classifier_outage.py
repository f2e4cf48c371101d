"""The classifier killed under a steady inquiry rate and started again: the gateway classifies within a
second of it serving, /readyz follows, and every inquiry that fell back is routed again by the
re-routing sweep on a real Celery worker and beat.

TEST_OUTAGE_S sets the outage (8 s by default; 20 s is a typical production incident; at least a few seconds).
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from services.stack import probe
from tests.e2e.stack import wait_for
from tests.fixtures import internal_grpc
from tests.fixtures.celery_worker import running_worker, worker_env
from tests.fixtures.gateway import unused_port
from tests.integration.gateway.helpers import inquiry

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

OUTAGE_S = float(os.environ.get("TEST_OUTAGE_S", "8"))
# One inquiry every this: a steady trickle, far below what the machine can take.
EVERY_S = 0.1
# Routed to queues other than triage by the default model (checked below against live answers).
TEXTS = ("My new card has not arrived yet", "I see a payment on my account that I did not make")


class Load(threading.Thread):
    """Posts an inquiry every EVERY_S; keeps (sent at, response) of each."""

    def __init__(self, url: str, token: str):
        super().__init__(daemon=True)
        self.url, self.token = url, token
        self.sent: list[tuple[float, int, dict]] = []
        # The text each ticket was opened with (the answer does not repeat it).
        self.texts: dict[int, str] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}) as client:
            n = 0
            while not self.stop.is_set():
                n += 1
                body = inquiry(
                    channel="web",
                    external_id=f"w{n}",
                    customer={"web_user_id": f"u{n}"},
                    text=TEXTS[n % len(TEXTS)],
                )
                at = time.monotonic()
                response = client.post("/v1/inquiries", json=body, timeout=10)
                self.sent.append((at, response.status_code, response.json()))
                if response.status_code in (200, 201):
                    self.texts[response.json()["id"]] = body["text"]
                time.sleep(max(0.0, at + EVERY_S - time.monotonic()))


def start_classifier(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "services.classifier"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def test_after_an_outage_the_gateway_classifies_at_once_and_fallback_tickets_are_routed_again(
    database_url: str, broker_url: str, tmp_path: Path, default_model_path: Path
) -> None:
    assert OUTAGE_S >= 3, "the outage must last several seconds"
    classifier_addr = f"127.0.0.1:{unused_port()}"
    port = unused_port()
    env = {
        **os.environ,
        **internal_grpc.ENV,
        "DATABASE_URL": database_url,
        "MODEL_PATH": str(default_model_path),
        "CLASSIFIER_BIND": classifier_addr,
        "CLASSIFIER_ADDR": classifier_addr,
        "METRICS_ADDR": f"127.0.0.1:{unused_port()}",
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "GATEWAY_WORKERS": "1",
        "LOG_LEVEL": "warning",
    }
    url = f"http://127.0.0.1:{port}"
    classifier_log, gateway_log = tmp_path / "classifier.log", tmp_path / "gateway.log"
    classifier = start_classifier(env, classifier_log)
    with gateway_log.open("wb") as out:
        gateway = subprocess.Popen(
            [sys.executable, "-m", "gateway"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    wenv = worker_env(
        database_url, broker_url, CLASSIFIER_ADDR=classifier_addr, REROUTE_SWEEP_S="1", **internal_grpc.ENV
    )
    beat = None
    try:
        wait_for("the classifier", lambda: probe.grpc_serving(classifier_addr, 1.0), 60, classifier_log)
        wait_for("the gateway", lambda: httpx.get(f"{url}/healthz", timeout=1).status_code == 200, 60)
        with running_worker(wenv, tmp_path / "worker.log") as worker:
            process_env = {**os.environ, **wenv}
            with (tmp_path / "beat.log").open("wb") as out:
                beat = subprocess.Popen(
                    [sys.executable, "-m", "celery", "-A", "services.workers.app", "beat", "--loglevel=INFO"],
                    cwd=tmp_path,
                    env=process_env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            token = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "services.admin",
                    "create-token",
                    "--role",
                    "integration",
                    "--channel",
                    "web",
                    "--name",
                    "outage",
                ],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()[-1]
            load = Load(url, token)
            load.start()
            time.sleep(2)
            classifier.kill()
            classifier.wait()
            time.sleep(OUTAGE_S)
            classifier = start_classifier(env, classifier_log)
            serving_at = wait_for(
                "the classifier again",
                lambda: probe.grpc_serving(classifier_addr, 0.2) and time.monotonic(),
                60,
                classifier_log,
            )
            ready_at = wait_for(
                "/readyz to see the classifier",
                lambda: (
                    httpx.get(f"{url}/readyz", timeout=2).json()["checks"]["classifier"] and time.monotonic()
                ),
                5,
            )
            time.sleep(4)
            load.stop.set()
            load.join(15)
            sent = list(load.sent)

            assert all(status in (200, 201) for _, status, _ in sent), [s for _, s, _ in sent]
            fell_back = [t for _, _, t in sent if t["routed_by"] == "fallback"]
            assert fell_back, "nothing fell back: was the classifier down at all?"
            late = [t for at, _, t in sent if at > serving_at + 1.0]
            assert late and all(t["routed_by"] == "classifier" for t in late), [
                (round(at - serving_at, 2), t["routed_by"]) for at, _, t in sent if at > serving_at
            ]
            assert ready_at - serving_at <= 1.0 + 0.5  # /readyz polled once per 0.25 s

            # The queue each text belongs in, from the classifier's own answers.
            expected = {load.texts[t["id"]]: t["queue"] for _, _, t in sent if t["routed_by"] == "classifier"}
            assert set(expected) == set(TEXTS) and "triage" not in expected.values(), expected
            ids = [t["id"] for t in fell_back]

            def all_routed_again() -> bool:
                with psycopg.connect(database_url) as conn:
                    rows = conn.execute(
                        """SELECT t.id, t.body, q.name, t.routed_by, t.status FROM tickets t
                           JOIN queues q ON q.id = t.queue_id WHERE t.id = ANY(%s)""",
                        (ids,),
                    ).fetchall()
                return all(
                    routed_by == "classifier" and queue == expected[body]
                    for _, body, queue, routed_by, status in rows
                    if status == "queued"
                )

            worker.wait_until(all_routed_again, timeout=10, what="the fallback tickets to be routed again")
        with psycopg.connect(database_url) as conn:
            events = conn.execute(
                """SELECT ticket_id, count(*) FROM ticket_events
                   WHERE ticket_id = ANY(%s) AND type = 'routed' AND data ->> 'rerouted' = 'true'
                   GROUP BY ticket_id""",
                (ids,),
            ).fetchall()
            transfers = conn.execute(
                "SELECT count(*) FROM ticket_events WHERE ticket_id = ANY(%s) AND type = 'transferred'",
                (ids,),
            ).fetchone()
        # Exactly one re-routing each, and none of it a transfer.
        assert dict(events) == dict.fromkeys(ids, 1)
        assert transfers == (0,)
        log = gateway_log.read_text(errors="replace")
        assert "never retrieved" not in log
        assert log.count("classifier fallback started") == 1, log[-3000:]
    finally:
        for proc in (beat, gateway, classifier):
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in (beat, gateway, classifier):
            if proc is not None:
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
