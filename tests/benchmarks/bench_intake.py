"""Intake end to end (HTTP → gRPC classification → commit): throughput and latency, beside floors.

Run with `make bench` (needs wrk: `apt-get install wrk`). Prints:
- the HTTP floor: GET /healthz on the same gateway (what uvicorn and FastAPI alone can do here);
- a table of intake runs: full load at several connection counts (TEST_BENCH_LOADS, default
  16,64,256) and paced near 1,000/s (each connection waits between requests), each with its rate,
  p50/p99, the share shed with 429 and the share routed to triage by fallback (the trade-off of
  docs/performance.md; the gateway's CLASSIFIER_TIMEOUT_MS and CLASSIFIER_MAX_WAITING are taken from
  the environment, so `CLASSIFIER_TIMEOUT_MS=150 make bench` measures another setting).
Nothing is asserted about speed; the test fails only if an accepted inquiry is missing.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import psycopg
import pytest

from services.stack import probe
from tests.e2e.stack import wait_for
from tests.fixtures import internal_grpc
from tests.fixtures.gateway import unused_port

pytestmark = pytest.mark.benchmark

LUA = Path(__file__).with_name("intake.lua")
DURATION_S = int(os.environ.get("TEST_BENCH_DURATION_S", "10"))
CONNECTIONS = int(os.environ.get("TEST_BENCH_CONNECTIONS", "64"))
GATEWAY_WORKERS = os.environ.get("TEST_BENCH_GATEWAY_WORKERS", "2")
LOADS = [int(c) for c in os.environ.get("TEST_BENCH_LOADS", "16,64,256").split(",")]


def wrk(url: str, *, script: Path | None = None, connections: int, env: dict[str, str]) -> dict:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{DURATION_S}s", "--timeout", "5s"]
    if script is not None:
        argv += ["-s", str(script)]
    done = subprocess.run([*argv, url], capture_output=True, text=True, env=env, check=True)
    if script is None:
        rate = float(
            next(line.split()[1] for line in done.stdout.splitlines() if line.startswith("Requests/sec"))
        )
        return {"rate": rate}
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["rate"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def test_intake_end_to_end(database_url: str, tmp_path: Path, default_model_path: Path) -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install wrk)")
    classifier_bind = f"127.0.0.1:{unused_port()}"
    port = unused_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        # The learned model, as in production (not the keyword table it serves while training).
        "MODEL_PATH": str(default_model_path),
        "CLASSIFIER_BIND": classifier_bind,
        "CLASSIFIER_ADDR": classifier_bind,
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "GATEWAY_WORKERS": GATEWAY_WORKERS,
        "LOG_LEVEL": "warning",
        **internal_grpc.ENV,
    }
    url = f"http://127.0.0.1:{port}"
    procs = [
        subprocess.Popen([sys.executable, "-m", "services.classifier"], env=env, stdout=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, "-m", "gateway"], env=env, stdout=subprocess.DEVNULL),
    ]
    try:
        wait_for("the gateway", lambda: httpx.get(f"{url}/healthz", timeout=1).status_code == 200, 30)
        wait_for("the classifier", lambda: probe.grpc_serving(classifier_bind, 1.0), 30)
        secret = tokens_for(database_url)
        lua_env = {**env, "BENCH_TOKEN": secret}
        floor = wrk(f"{url}/healthz", connections=CONNECTIONS, env=lua_env)
        runs: dict[str, dict] = {}
        for connections in LOADS:
            name = f"full{connections}"
            runs[name] = wrk(url, script=LUA, connections=connections, env={**lua_env, "BENCH_RUN": name})
            runs[name]["connections"] = connections
        # 20 connections each waiting 20 ms between requests: at most ~1,000 requests/s.
        runs["paced"] = wrk(
            url, script=LUA, connections=20, env={**lua_env, "BENCH_RUN": "paced", "PACE_MS": "20"}
        )
        runs["paced"]["connections"] = 20
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(15)
    with psycopg.connect(database_url) as conn:
        for name, run in runs.items():
            run["tickets"], run["fallbacks"] = conn.execute(
                """SELECT count(*), count(*) FILTER (WHERE routed_by = 'fallback') FROM tickets
                   WHERE external_id LIKE %s""",
                (f"{name}-%",),
            ).fetchone()
        (stored,) = conn.execute("SELECT count(*) FROM tickets").fetchone()
        # A customer who writes again while their ticket is open in the same queue joins its thread:
        # that inquiry is stored as the ticket's `customer_message` event, not as a ticket.
        (joined,) = conn.execute(
            "SELECT count(*) FROM ticket_events WHERE type = 'customer_message'"
        ).fetchone()
    stored += joined
    accepted = sum(r["requests"] - r["non2xx"] for r in runs.values())
    non2xx = sum(r["non2xx"] - r["shed"] for r in runs.values())
    socket_errors = sum(r["socket_errors"] for r in runs.values())
    timeout_ms = env.get("CLASSIFIER_TIMEOUT_MS", "default")
    max_waiting = env.get("CLASSIFIER_MAX_WAITING", "default")
    lines = [
        f"\nintake benchmark ({DURATION_S} s per run, gateway workers {GATEWAY_WORKERS}, "
        f"{os.cpu_count()} cores, CLASSIFIER_TIMEOUT_MS {timeout_ms}, CLASSIFIER_MAX_WAITING {max_waiting})",
        f"  floor GET /healthz {floor['rate']:.0f} req/s ({CONNECTIONS} connections)",
        "  run        conns   inquiries/s   p50 ms   p99 ms   shed 429   fallback",
    ]
    for name, run in runs.items():
        shed = run["shed"] / max(1, run["requests"])
        fallback = run["fallbacks"] / max(1, run["tickets"])
        lines.append(
            f"  {name:<10} {run['connections']:>5} {run['rate']:>13.0f} {run['p50_us'] / 1000:>8.1f}"
            f" {run['p99_us'] / 1000:>8.1f} {shed:>9.1%} {fallback:>9.1%}"
        )
    lines.append(
        f"  other non-2xx {non2xx}, socket errors {socket_errors}, stored {stored} of {accepted} accepted "
        f"({joined} joined an open ticket)"
    )
    print("\n".join(lines))
    # wrk counts a response cut by its own stop as an error; nothing answered 2xx may be missing.
    assert stored >= accepted


def tokens_for(database_url: str) -> str:
    done = subprocess.run(
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
            "bench",
        ],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]
