"""`--stack`: the whole stack started as `make run` starts it (`python -m services.stack`), on free
loopback ports, with the settings a replayed year needs.

The stack's own timers compare the events' times with the wall clock, and a simulated year lies in
the past: every ticket would breach its SLA at once, overflow its queue and have its wrap-up counted
whole. The model plays those parts itself (its own patience, transfers and handling), so this stack
runs with SLA deadlines beyond the simulated years, routing policies without overflow, no wrap-up
limit, and rate limits above what the simulator sends. A stack given with `--target` needs the same.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

SLA = """\
# A replayed year: no deadline falls inside it (the simulator plays waits itself).
calendars: {}
policies:
  "*": {first_response: 4000d, resolution: 4000d, calendar: always}
"""
# The shipped queues (infra/migrations/0002_default_queues.sql).
QUEUES = ("triage", "cards", "transfers_payments", "top_up", "account_identity", "fees_charges",
          "disputes_fraud", "exchange_currency", "general")  # fmt: skip
# A replayed year: the router offers nobody anything (an offer is made and dated on the wall clock),
# and no queue overflows on the wall clock; the simulator's agents pull their work (claims ignore
# skills). A skill no agent has keeps every queue's offers off.
ROUTING = "offer_timeout_s: 30\nqueues:\n" + "".join(
    f"  {q}: {{skills: {{live_offers_only: 1}}}}\n" for q in QUEUES
)


def settings(run_dir: Path, zone: str) -> dict[str, str]:
    """The environment a replay needs from the stack's processes (see the module's docstring)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    sla, routing = run_dir / "simulation-sla.yaml", run_dir / "simulation-routing.yaml"
    sla.write_text(SLA, encoding="utf-8")
    routing.write_text(ROUTING, encoding="utf-8")
    return {
        "SLA_POLICIES_FILE": str(sla),
        "ROUTING_POLICIES": str(routing),
        "WRAP_UP_LIMIT_S": "0",
        # A classification past its deadline routes to triage and re-routes later, dated on the wall
        # clock; a replay waits for the answer instead (the classifier is on the same machine).
        "CLASSIFIER_TIMEOUT_MS": "5000",
        "CENTRE_TIMEZONE": zone,
        "RATE_LIMIT_INTAKE": "100000/second",
        "RATE_LIMIT_ACTIONS": "100000/second",
        "RATE_LIMIT_READS": "100000/second",
        "RATE_LIMIT_REPORTS": "100000/minute",
        # Invitations go out promptly (on the wall clock; dated at the replayed resolution), so the
        # model's replies can answer them while the replay runs; every customer is surveyed, as the
        # model surveys them (it has no quiet period, and a replay's invitations all go out today).
        "SURVEY_SWEEP_S": "1",
        "SURVEY_QUIET_DAYS": "0",
    }


def clear(run_dir: Path) -> None:
    """Empties the run folder's embedded database and file broker: a replay needs an empty database
    (the report counts everything in the year, and a second run's contacts would meet the first's
    tickets under the same ids)."""
    for part in ("pgdata", "broker"):
        shutil.rmtree(run_dir / part, ignore_errors=True)


def train_default_model(env: dict[str, str]) -> None:
    """Has the default model trained, in the foreground, when the stack's classifier would train it
    at its start: it would route by keywords meanwhile (about a minute of a core), so the replay's
    first contacts would be classified otherwise than the rest and the replay would share the
    machine with the training. The classifier's own command decides (a no-op when the model is
    there or another is served)."""
    subprocess.run([sys.executable, "-m", "services.classifier.train", "--if-missing"], env=env, check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Stack:
    url: str
    env: dict[str, str]
    log: Path


@contextmanager
def running(
    run_dir: Path, zone: str, extra: dict[str, str] | None = None, ready_s: float = 180
) -> Iterator[Stack]:
    port = free_port()
    env = {
        **os.environ,
        "STACK_RUN_DIR": str(run_dir),
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "CLASSIFIER_BIND": f"127.0.0.1:{free_port()}",
        "METRICS_BIND": f"127.0.0.1:{free_port()}",
        "METRICS_HTTP_BIND": f"127.0.0.1:{free_port()}",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        **settings(run_dir, zone),
        **(extra or {}),
    }
    train_default_model(env)
    log = run_dir / "stack.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.stack"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    stack = Stack(f"http://127.0.0.1:{port}", env, log)
    try:
        deadline = time.monotonic() + ready_s
        while not _ready(stack.url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the stack did not start; its log:\n{log.read_text(errors='replace')[-4000:]}"
                )
            time.sleep(0.5)
        if "DATABASE_URL" not in env:
            stack.env["DATABASE_URL"] = _database_url(log)
        yield stack
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _database_url(log: Path) -> str:
    for line in log.read_text(errors="replace").splitlines():
        if "postgresql://" in line:
            return "postgresql://" + line.split("postgresql://", 1)[1].split()[0]
    raise RuntimeError("the stack's log names no database URL")
