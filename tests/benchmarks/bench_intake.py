"""Intake end to end (HTTP → gRPC classification → commit): throughput and latency, beside floors.

Run with `make bench` (needs wrk: `apt-get install wrk`). Prints:
- the HTTP floor: GET /healthz on the same gateway (what uvicorn and FastAPI alone can do here);
- intake at full load (rate, p50/p99) and its ratio to the floor;
- intake paced near 1,000/s (each connection waits between requests) with its p99.
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
        full = wrk(url, script=LUA, connections=CONNECTIONS, env={**lua_env, "BENCH_RUN": "full"})
        # 20 connections each waiting 20 ms between requests: at most ~1,000 requests/s.
        paced = wrk(url, script=LUA, connections=20, env={**lua_env, "BENCH_RUN": "paced", "PACE_MS": "20"})
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(15)
    with psycopg.connect(database_url) as conn:
        (stored,) = conn.execute("SELECT count(*) FROM tickets").fetchone()
        (fallbacks,) = conn.execute("SELECT count(*) FROM tickets WHERE routed_by = 'fallback'").fetchone()
        # A customer who writes again while their ticket is open in the same queue joins its thread:
        # that inquiry is stored as the ticket's `customer_message` event, not as a ticket.
        (joined,) = conn.execute(
            "SELECT count(*) FROM ticket_events WHERE type = 'customer_message'"
        ).fetchone()
    stored += joined
    accepted = full["requests"] - full["non2xx"] + paced["requests"] - paced["non2xx"]
    non2xx = full["non2xx"] + paced["non2xx"]
    socket_errors = full["socket_errors"] + paced["socket_errors"]
    print(
        f"\nintake benchmark ({DURATION_S} s per run, gateway workers {GATEWAY_WORKERS}, "
        f"{os.cpu_count()} cores)\n"
        f"  floor  GET /healthz          {floor['rate']:9.0f} req/s  ({CONNECTIONS} connections)\n"
        f"  intake full load           {full['rate']:9.0f} inquiries/s  p50 {full['p50_us'] / 1000:6.1f} ms"
        f"  p99 {full['p99_us'] / 1000:6.1f} ms  ratio to floor {full['rate'] / floor['rate']:.2f}\n"
        f"  intake paced (~1,000/s)    {paced['rate']:9.0f} inquiries/s  p50 {paced['p50_us'] / 1000:6.1f} ms"
        f"  p99 {paced['p99_us'] / 1000:6.1f} ms\n"
        f"  non-2xx {non2xx}, socket errors {socket_errors}, "
        f"stored {stored} of {accepted} accepted ({joined} joined an open ticket), "
        f"{fallbacks} routed by fallback"
    )
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
