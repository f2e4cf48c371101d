"""Intake end to end (HTTP → classifier over gRPC → commit) beside its floors on the same server.

Run with `make bench` (needs wrk: `apt-get install wrk`). One gateway (GATEWAY_WORKERS, default 2)
started from tests/benchmarks/floor_gateway.py, which adds two routes to the product's app; wrk (a
separate process) posts the same inquiry bodies to each, full load at each connection count of
TEST_BENCH_LOADS (default 16,64,256) for TEST_BENCH_DURATION_S (default 10) each:
- `POST /bench/empty`: HTTP, middleware and routing alone;
- `POST /bench/insert`: the same and one plain INSERT: the floor the intake is compared with;
- `POST /v1/inquiries`: the intake: auth, validation, classification over gRPC, one statement.
Then a paced run offering about 1,000 inquiries/s (the issue's latency goal: p99 within 50 ms with
nothing routed by fallback). Per-process CPU during each run names the process that saturates.

Nothing is asserted about speed; the test fails only if an accepted inquiry is missing.
"""

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from services.stack import probe
from tests.benchmarks import floor_gateway, procwatch
from tests.benchmarks.conftest import SMOKE, size
from tests.benchmarks.results import Figure, Results
from tests.e2e.stack import wait_for
from tests.fixtures import internal_grpc
from tests.fixtures.gateway import unused_port

# Past pytest's default timeout on a busy machine (the sizes are full-size).
pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(1800)]

LUA = Path(__file__).with_name("intake.lua")
DURATION_S = size("TEST_BENCH_DURATION_S", 10, 1)
GATEWAY_WORKERS = os.environ.get("TEST_BENCH_GATEWAY_WORKERS", "2")
LOADS = [int(c) for c in (os.environ.get("TEST_BENCH_LOADS") or ("4" if SMOKE else "16,64,256")).split(",")]
# Paced: each of PACED_CONNECTIONS waits PACE_MS after each answer, so at most ~1,000 requests/s are
# offered (less by the answers' own latency: the rate reached is printed).
PACED_CONNECTIONS = 40
PACE_MS = 40
FLOORS = {"empty": "/bench/empty", "insert": "/bench/insert"}


def wrk(url: str, *, path: str, connections: int, env: dict[str, str], pace_ms: int = 0) -> dict[str, Any]:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{DURATION_S}s", "--timeout", "5s", "-s", str(LUA), url]
    run_env = {**env, "BENCH_PATH": path, "PACE_MS": str(pace_ms)}
    done = subprocess.run(argv, capture_output=True, text=True, env=run_env, check=True)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["rate"] = (figures["requests"] - figures["non2xx"]) / (figures["duration_us"] / 1e6)
    figures["connections"] = connections
    return figures


def watched(roles: dict[str, procwatch.Pids], run: Any) -> tuple[dict[str, Any], procwatch.Watch]:
    # wrk starts and ends inside the figure: its CPU is read from this process's finished children.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with procwatch.watch(roles) as w:
        figures = run()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    w.percent["wrk"] = round(100 * used / (figures["duration_us"] / 1e6), 1)
    return figures, w


def test_intake_end_to_end(
    database_url: str, tmp_path: Path, request: pytest.FixtureRequest, bench_results: Results
) -> None:
    if shutil.which("wrk") is None:
        pytest.skip("wrk is not installed (apt-get install wrk)")
    classifier_bind = f"127.0.0.1:{unused_port()}"
    port = unused_port()
    # The learned model, as in production; the smoke run uses the keyword table (no training).
    model = (
        {"CLASSIFIER_ROUTER": "keywords"}
        if SMOKE
        else {"MODEL_PATH": str(request.getfixturevalue("default_model_path"))}
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        **model,
        "CLASSIFIER_BIND": classifier_bind,
        "CLASSIFIER_ADDR": classifier_bind,
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "GATEWAY_WORKERS": GATEWAY_WORKERS,
        "LOG_LEVEL": "warning",
        **internal_grpc.ENV,
    }
    # One connection of the benchmark's own for the whole run (the floor's table, draining queues,
    # reading which backends serve the database): a server shared with others may have none to spare later.
    admin = psycopg.connect(database_url, autocommit=True)
    admin.execute(floor_gateway.TABLE)
    url = f"http://127.0.0.1:{port}"
    classifier = subprocess.Popen(
        [sys.executable, "-m", "services.classifier"], env=env, stdout=subprocess.DEVNULL
    )
    gateway = subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.floor_gateway"], env=env, stdout=subprocess.DEVNULL
    )
    procs = [classifier, gateway]
    runs: dict[str, dict[str, Any]] = {}
    watches: dict[str, procwatch.Watch] = {}
    try:
        wait_for("the gateway", lambda: httpx.get(f"{url}/healthz", timeout=1).status_code == 200, 30)
        wait_for("the classifier", lambda: probe.grpc_serving(classifier_bind, 1.0), 30)
        lua_env = {**env, "BENCH_TOKEN": tokens_for(database_url)}
        roles = {
            "gateway": procwatch.with_children(gateway.pid),
            "classifier": procwatch.with_children(classifier.pid),
            "postgres": procwatch.postgres_backends(admin, conninfo_to_dict(database_url)["dbname"]),
        }

        def one(name: str, path: str, connections: int, pace_ms: int = 0) -> None:
            drain(admin)
            run_env = {**lua_env, "BENCH_RUN": name}
            runs[name], watches[name] = watched(
                roles,
                lambda: wrk(url, path=path, connections=connections, env=run_env, pace_ms=pace_ms),
            )

        # Warm up (connections in the pools, prepared statements, the classifier's first batches).
        wrk(url, path="/v1/inquiries", connections=4, env={**lua_env, "BENCH_RUN": "warm"})
        for connections in LOADS:
            for floor, path in FLOORS.items():
                one(f"{floor}{connections}", path, connections)
            one(f"intake{connections}", "/v1/inquiries", connections)
        one("paced", "/v1/inquiries", PACED_CONNECTIONS, PACE_MS)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(15)
        admin.close()

    with psycopg.connect(database_url) as conn:
        for name, run in runs.items():
            run["tickets"], run["fallbacks"] = conn.execute(
                """SELECT count(*), count(*) FILTER (WHERE routed_by = 'fallback') FROM tickets
                   WHERE external_id LIKE %s""",
                (f"{name}-%",),
            ).fetchone()
    intake = {name: run for name, run in runs.items() if name.startswith(("intake", "paced"))}
    for name, run in intake.items():
        accepted = run["requests"] - run["non2xx"]
        # wrk counts a response cut by its own stop as an error; nothing answered 2xx may be missing.
        assert run["tickets"] >= accepted, f"{name}: {run['tickets']} stored of {accepted} accepted"
    report(bench_results, runs, watches)


def drain(conn: psycopg.Connection[Any]) -> None:
    """Each run starts with empty queues, as agents would leave them: a new ticket's exact place in
    its queue is counted in the intake's statement (an index range, ~1 µs per ticket waiting ahead),
    so queues left by the previous runs would make each run dearer than the one before."""
    conn.execute(
        "UPDATE tickets SET status = 'resolved', resolved_at = now(), answered_at = now() "
        "WHERE status = 'queued'"
    )
    # What autovacuum does on a live system: the counts skip the resolved tickets' old entries.
    conn.execute("VACUUM tickets")


def report(results: Results, runs: dict[str, dict[str, Any]], watches: dict[str, procwatch.Watch]) -> None:
    for connections in LOADS:
        run, floor, empty = (runs[f"{k}{connections}"] for k in ("intake", "insert", "empty"))
        w = watches[f"intake{connections}"]
        shed = run["shed"] / max(1, run["requests"])
        fallback = run["fallbacks"] / max(1, run["tickets"])
        results.add(
            Figure(
                f"intake, {connections} connections",
                run["rate"],
                "inquiries/s",
                floor["rate"],
                "HTTP + one INSERT",
                saturates=w.saturates(),
                cpu=w.percent,
                target="≥ 0.6 of the floor",
                note=f"empty endpoint {empty['rate']:,.0f}/s; 429 {shed:.1%}, fallback {fallback:.1%}; "
                f"CPU ms per request: intake {_cpu_ms(w, run)}; "
                f"floor {_cpu_ms(watches[f'insert{connections}'], floor)}; "
                f"empty {_cpu_ms(watches[f'empty{connections}'], empty)}",
            )
        )
        for cut in ("p50", "p99"):
            results.add(
                Figure(
                    f"intake {cut}, {connections} connections",
                    run[f"{cut}_us"] / 1000,
                    "ms",
                    floor[f"{cut}_us"] / 1000,
                    "HTTP + one INSERT",
                    lower=True,
                    note=f"empty endpoint {empty[f'{cut}_us'] / 1000:.1f} ms",
                )
            )
    paced = runs["paced"]
    w = watches["paced"]
    results.add(
        Figure(
            f"intake p99, paced ({PACED_CONNECTIONS} × {PACE_MS} ms pauses)",
            paced["p99_us"] / 1000,
            "ms",
            saturates=w.saturates(),
            cpu=w.percent,
            lower=True,
            target="≤ 50 ms at 1,000/s offered, no fallback",
            note=f"{paced['rate']:,.0f} inquiries/s reached, p50 {paced['p50_us'] / 1000:.1f} ms, "
            f"429 {paced['shed'] / max(1, paced['requests']):.1%}, "
            f"fallback {paced['fallbacks'] / max(1, paced['tickets']):.1%}",
        )
    )


def _cpu_ms(w: procwatch.Watch, run: dict[str, Any]) -> str:
    """CPU milliseconds each process spent per request: a figure a busy machine hardly moves."""
    per_s = max(run["rate"], 1e-9)
    parts = [
        f"{role} {w.percent[role] * 10 / per_s:.2f}" for role in ("gateway", "classifier", "postgres", "wrk")
    ]
    return ", ".join(parts)


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
