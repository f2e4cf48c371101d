"""Callback egress through the real gateway, the real sender and PostgreSQL: non-public destinations
refused at registration and again at delivery, the connection pinned to the checked address, no
redirects, capped responses, and no posting once the registering token is revoked.

Host names resolve through a table passed to the gateway and the sender, never through DNS."""

import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import psycopg
import pytest
import trustme

from services.shared import egress
from services.shared.db import open_pool
from services.shared.egress import EgressPolicy
from services.workers import notifications
from services.workers.callback_sender import CallbackSender
from tests.fixtures.celery_worker import ROOT, running_worker, worker_env
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.callbacks import (
    LOOPBACK_CALLBACKS,
    LOOPBACK_POLICY,
    Receiver,
    add_messages,
    start_alone,
    worker_settings,
)
from tests.integration.gateway.helpers import assert_problem

pytestmark = pytest.mark.integration

PUBLIC = "93.184.215.14"


def table(names: Mapping[str, Sequence[str]]) -> egress.Resolve:
    def resolve(host: str, port: int) -> Sequence[str]:
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return names[host]

    return resolve


NAMES = {
    "hooks.example.com": [PUBLIC],
    "db.internal": ["10.20.30.40"],
    "split.example.com": [PUBLIC, "172.16.5.5"],
    "loopback.example.com": ["127.0.0.1"],
    "metadata.example.com": ["169.254.169.254"],
    "cgnat.example.com": ["100.64.7.7"],
}


def state(database_url: str, message_id: int) -> tuple[Any, ...]:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            """SELECT attempts, last_error, delivered_at IS NOT NULL, next_attempt_at > now()
               FROM outbound_messages WHERE id = %s""",
            (message_id,),
        ).fetchone()
    assert row is not None
    return tuple(row)


def test_registration_refuses_every_non_public_destination(start_gateway: Callable[..., Gateway]) -> None:
    gw = start_alone(start_gateway, resolve=table(NAMES))
    refused = [
        "https://127.0.0.1:5432/",
        "https://[::1]/hook",
        "https://10.0.0.8/hook",
        "https://172.16.0.1/hook",
        "https://192.168.0.10/hook",
        "https://100.64.0.1/hook",
        "https://169.254.169.254/latest/meta-data/iam/",
        "https://[fd00:ec2::254]/",
        "https://[::ffff:127.0.0.1]/",
        "https://0.0.0.0/",
        "https://db.internal/hook",
        "https://split.example.com/hook",
        "https://loopback.example.com/hook",
        "https://metadata.example.com/hook",
        "https://cgnat.example.com/hook",
        "https://nowhere.example.com/hook",
        "https://user:secret@hooks.example.com/hook",
        "http://hooks.example.com/hook",  # http without CALLBACK_ALLOW_HTTP
    ]
    with gw.client(gw.token("integration", channel="chat")) as client:
        for url in refused:
            body = assert_problem(client.put("/v1/outbound/callback", json={"url": url}), 422)
            assert body["type"].endswith("/callback-url-refused"), (url, body)
            assert body["detail"], url
        details = {
            url: client.put("/v1/outbound/callback", json={"url": url}).json()["detail"]
            for url in ("https://split.example.com/", "http://hooks.example.com/")
        }
        assert "172.16.5.5 is not a public address" in details["https://split.example.com/"]
        assert "must use https" in details["http://hooks.example.com/"]
        with psycopg.connect(gw.database_url) as conn:
            assert conn.execute("SELECT count(*) FROM outbound_callbacks").fetchone() == (0,)

        accepted = client.put("/v1/outbound/callback", json={"url": "https://hooks.example.com/hook"})
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["url"] == "https://hooks.example.com/hook"


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(start_gateway: Callable[..., Gateway]) -> None:
    gw = start_alone(start_gateway, callback_egress=LOOPBACK_POLICY)
    elsewhere = Receiver([])

    def redirect(handler: BaseHTTPRequestHandler, status: int) -> None:
        handler.send_response(307)
        handler.send_header("Location", elsewhere.url)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    first = Receiver([], answer=redirect)
    try:
        with gw.client(gw.token("integration", channel="web")) as client:
            client.put("/v1/outbound/callback", json={"url": first.url}).raise_for_status()
        [message_id] = add_messages(gw.database_url, "web", 1)
        with open_pool(gw.database_url, name="test-egress") as pool:
            assert notifications.sweep(pool, worker_settings(gw.database_url)) == 0
        assert len(first.received) == 1 and elsewhere.received == []
        assert state(gw.database_url, message_id) == (1, "HTTP 307: redirects are not followed", False, True)
    finally:
        first.close()
        elsewhere.close()


def test_a_name_that_resolves_elsewhere_after_registration_is_refused_at_delivery(
    start_gateway: Callable[..., Gateway],
) -> None:
    # Registered while the name pointed at a public address; by delivery it points at loopback,
    # where a receiver is listening: the sender refuses without connecting.
    dev_only = EgressPolicy(allow_http=True)
    gw = start_alone(start_gateway, callback_egress=dev_only, resolve=table({"rebind.example.com": [PUBLIC]}))
    receiver = Receiver([])
    try:
        with gw.client(gw.token("integration", channel="mobile")) as client:
            url = receiver.url_for("rebind.example.com")
            client.put("/v1/outbound/callback", json={"url": url}).raise_for_status()
        [message_id] = add_messages(gw.database_url, "mobile", 1)
        sender = CallbackSender(dev_only, 2.0, resolve=table({"rebind.example.com": ["127.0.0.1"]}))
        settings = worker_settings(gw.database_url, {"CALLBACK_ALLOW_HTTP": "1"})
        with open_pool(gw.database_url, name="test-egress") as pool:
            assert notifications.sweep(pool, settings, sender) == 0
        assert receiver.received == []
        attempts, error, delivered, retry_later = state(gw.database_url, message_id)
        assert (attempts, delivered, retry_later) == (1, False, True)
        assert error == "refused: rebind.example.com resolves to 127.0.0.1: 127.0.0.1 is not a public address"
    finally:
        receiver.close()


def test_a_callback_stored_before_the_policy_fails_its_attempts_with_the_reason(
    start_gateway: Callable[..., Gateway],
) -> None:
    gw = start_alone(start_gateway)
    gw.token("integration", channel="phone")
    with psycopg.connect(gw.database_url, autocommit=True) as conn:
        conn.execute(
            """INSERT INTO outbound_callbacks (channel, url, secret, credential_id)
               SELECT 'phone', 'http://127.0.0.1:5432/', repeat('s', 32), max(id) FROM api_credentials"""
        )
    ids = add_messages(gw.database_url, "phone", 2)
    settings = worker_settings(gw.database_url, {}, CALLBACK_MAX_ATTEMPTS="1")
    with open_pool(gw.database_url, name="test-egress") as pool:
        assert notifications.sweep(pool, settings) == 0
    with psycopg.connect(gw.database_url) as conn:
        rows = conn.execute(
            "SELECT last_error, failed_at IS NOT NULL FROM outbound_messages WHERE id = ANY(%s)", (ids,)
        ).fetchall()
    assert rows == [("refused: the URL must use https, not http", True)] * 2


def test_the_connection_goes_to_the_checked_address_under_the_registered_name(
    start_gateway: Callable[..., Gateway],
) -> None:
    # callbacks.test is a reserved name no DNS answers: only the pinned address can reach the receiver.
    names = table({"callbacks.test": ["127.0.0.1"]})
    gw = start_alone(start_gateway, callback_egress=LOOPBACK_POLICY, resolve=names)
    receiver = Receiver([])
    try:
        url = receiver.url_for("callbacks.test")
        with gw.client(gw.token("integration", channel="email")) as client:
            client.put("/v1/outbound/callback", json={"url": url}).raise_for_status()
        add_messages(gw.database_url, "email", 1)
        sender = CallbackSender(LOOPBACK_POLICY, 2.0, resolve=names)
        with open_pool(gw.database_url, name="test-egress") as pool:
            assert notifications.sweep(pool, worker_settings(gw.database_url), sender) == 1
        [(headers, _)] = receiver.received
        assert headers["Host"] == f"callbacks.test:{receiver.port}"
    finally:
        receiver.close()


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


def test_tls_names_and_verifies_the_registered_host_while_connecting_to_the_checked_address(
    ca: trustme.CA,
) -> None:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("callbacks.test").configure_cert(server_context)
    receiver = Receiver([], tls=server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    https_loopback = EgressPolicy(allowed_networks=LOOPBACK_POLICY.allowed_networks)
    names = table({"callbacks.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    sender = CallbackSender(https_loopback, 2.0, resolve=names, ssl_context=client_context)
    try:
        assert sender.post(receiver.url_for("callbacks.test"), b"{}", {}) is None
        assert receiver.sni == ["callbacks.test"]
        assert receiver.received[0][0]["Host"] == f"callbacks.test:{receiver.port}"
        # Same address, another name: the certificate is checked against the name, so it fails.
        error = sender.post(receiver.url_for("other.test"), b"{}", {})
        assert error is not None and "CERTIFICATE_VERIFY_FAILED" in error
        assert len(receiver.received) == 1
    finally:
        receiver.close()


def test_an_endless_or_dripping_response_neither_hangs_nor_fills_memory() -> None:
    written: list[int] = []

    def endless(handler: BaseHTTPRequestHandler, status: int) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(2**40))
        handler.end_headers()
        chunk = b"x" * 65536
        total = 0
        try:
            while total < 2**30:
                handler.wfile.write(chunk)
                total += len(chunk)
        except OSError:
            pass
        written.append(total)

    def dripping(handler: BaseHTTPRequestHandler, status: int) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000000")
        handler.end_headers()
        try:
            for _ in range(200):
                handler.wfile.write(b"x")
                handler.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    sender = CallbackSender(LOOPBACK_POLICY, 1.0)
    for answer in (endless, dripping):
        receiver = Receiver([], answer=answer)
        try:
            started = time.monotonic()
            assert sender.post(receiver.url, b"{}", {}) is None  # the status is what counts
            assert time.monotonic() - started < 5
        finally:
            receiver.close()
    # The sender hung up after its cap: the server could not write more than its socket buffers hold.
    deadline = time.monotonic() + 5
    while not written and time.monotonic() < deadline:
        time.sleep(0.05)
    assert written and written[0] < 64 * 2**20


def test_revoking_the_token_stops_its_callback_at_once(
    start_gateway: Callable[..., Gateway], broker_url: str, tmp_path: Path
) -> None:
    gw = start_alone(start_gateway, callback_egress=LOOPBACK_POLICY)
    receiver = Receiver([])
    env = worker_env(gw.database_url, broker_url, CELERY_RESULT_BACKEND="rpc://", **LOOPBACK_CALLBACKS)
    try:
        with running_worker(env, tmp_path / "worker.log") as worker:
            with gw.client(gw.token("integration", channel="chat")) as client:
                client.put("/v1/outbound/callback", json={"url": receiver.url}).raise_for_status()
            add_messages(gw.database_url, "chat", 1)
            assert worker.run(notifications.SWEEP) == 1

            with psycopg.connect(gw.database_url) as conn:
                row = conn.execute(
                    "SELECT credential_id FROM outbound_callbacks WHERE channel = 'chat'"
                ).fetchone()
            assert row is not None
            revoke = subprocess.run(
                [sys.executable, "-m", "services.admin", "revoke-token", str(row[0])],
                cwd=ROOT,
                env=os.environ | {"DATABASE_URL": gw.database_url},
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert revoke.returncode == 0, revoke.stderr

            [waiting] = add_messages(gw.database_url, "chat", 1)
            assert worker.run(notifications.SWEEP) == 0
            assert len(receiver.received) == 1
            assert state(gw.database_url, waiting) == (0, "", False, None)  # untouched, left for polling

            # A new token's registration takes the channel's callback over: posting resumes.
            with gw.client(gw.token("integration", channel="chat")) as client:
                client.put("/v1/outbound/callback", json={"url": receiver.url}).raise_for_status()
            assert worker.run(notifications.SWEEP) == 1
            assert len(receiver.received) == 2
    finally:
        receiver.close()
