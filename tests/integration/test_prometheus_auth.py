"""Prometheus text: with PROMETHEUS_TOKEN set a scrape needs it (401 otherwise); without one the metrics
process refuses any bind but loopback."""

import os
import subprocess
import sys

import httpx
import pytest

from services.metrics import prometheus
from tests.fixtures import internal_grpc

pytestmark = pytest.mark.integration

TOKEN = "p" * 40


def test_a_scrape_without_the_token_is_refused(database_url: str) -> None:
    server, pool = prometheus.serve("127.0.0.1:0", database_url, TOKEN)
    url = f"http://127.0.0.1:{server.server_port}/metrics"
    try:
        for headers in ({}, {"Authorization": "Bearer " + "q" * 40}, {"Authorization": TOKEN}):
            refused = httpx.get(url, headers=headers, timeout=10)
            assert refused.status_code == 401, headers
            assert refused.headers["WWW-Authenticate"].startswith("Bearer")
            assert "ticketing_" not in refused.text
        answered = httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        assert answered.status_code == 200
        assert "ticketing_queue_depth" in answered.text
    finally:
        server.shutdown()
        server.server_close()
        pool.close()


def test_without_a_token_prometheus_serves_loopback_openly(database_url: str) -> None:
    server, pool = prometheus.serve("127.0.0.1:0", database_url)
    try:
        answered = httpx.get(f"http://127.0.0.1:{server.server_port}/metrics", timeout=10)
        assert answered.status_code == 200
        assert "ticketing_queue_depth" in answered.text
    finally:
        server.shutdown()
        server.server_close()
        pool.close()


def test_the_metrics_process_refuses_a_public_bind_without_a_token() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_TOKEN"}
    env |= internal_grpc.ENV | {"DATABASE_URL": "postgresql://unused/x", "METRICS_HTTP_BIND": "0.0.0.0:0"}
    done = subprocess.run(
        [sys.executable, "-m", "services.metrics"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "PROMETHEUS_TOKEN" in done.stderr
