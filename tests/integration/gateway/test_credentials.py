"""Tokens over HTTP and from the admin CLI: expiry, last use, revocation heard at once by every
gateway process, and the back-fill flag."""

import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import psycopg
import pytest

from services.admin import cli as admin
from services.shared import tokens
from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem


def credential_id(database_url: str, secret: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT id FROM api_credentials WHERE token_hash = %s", (tokens.digest(secret),)
        ).fetchone()
    assert row is not None
    return int(row[0])


def wait_until(check: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def hearing_revocations(gw: Gateway) -> bool:
    return bool(gw.app.state.deps.token_cache.listening)


def test_an_expired_token_is_refused_and_told_so(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    expired = gw.token("supervisor", expires_in=timedelta(seconds=-1))
    with gw.client(expired) as client:
        problem = assert_problem(client.get("/v1/supervisor/overview"), 401)
    assert problem["title"] == "Token expired" and "expired at" in problem["detail"]
    # A token cached while valid is refused the moment it expires: the cache does not extend it.
    wait_until(lambda: hearing_revocations(gw))
    soon = gw.token("supervisor", expires_in=timedelta(seconds=1.5))
    with gw.client(soon) as client:
        assert client.get("/v1/supervisor/overview").status_code == 200
        time.sleep(1.6)
        assert_problem(client.get("/v1/supervisor/overview"), 401)


def test_the_last_use_is_recorded_at_most_once_a_minute(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    secret = gw.token("supervisor")
    ident = credential_id(gw.database_url, secret)

    def last_used() -> object:
        with psycopg.connect(gw.database_url) as conn:
            return conn.execute(
                "SELECT last_used_at FROM api_credentials WHERE id = %s", (ident,)
            ).fetchone()[0]  # type: ignore[index]

    assert last_used() is None
    with gw.client(secret) as client:
        assert client.get("/v1/supervisor/overview").status_code == 200
        first = last_used()
        assert first is not None
        for _ in range(5):
            assert client.get("/v1/supervisor/overview").status_code == 200
    assert last_used() == first


def test_revocation_is_heard_at_once_by_every_gateway_process(
    start_gateway: Callable[..., Gateway], database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two applications with their own pools and token caches, as two gateway processes have.
    first, second = start_gateway(), start_gateway()
    wait_until(lambda: hearing_revocations(first) and hearing_revocations(second))
    kept, revoked = first.token("supervisor"), first.token("supervisor")
    for gw in (first, second):
        for secret in (kept, revoked):
            with gw.client(secret) as client:
                assert client.get("/v1/supervisor/overview").status_code == 200
    # The caches are on: a row changed behind the admin's back (no notification) is not seen yet.
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE api_credentials SET revoked_at = now() WHERE id = %s",
            (credential_id(database_url, kept),),
        )
    for gw in (first, second):
        with gw.client(kept) as client:
            assert client.get("/v1/supervisor/overview").status_code == 200

    assert admin.run(["revoke-token", str(credential_id(database_url, revoked))], database_url) == 0
    assert "revoked" in capsys.readouterr().out
    # The very next request, in either process, is refused.
    with second.client(revoked) as client:
        problem = assert_problem(client.get("/v1/supervisor/overview"), 401)
    assert "revoked" in problem["detail"]
    with first.client(revoked) as client:
        assert_problem(client.get("/v1/supervisor/overview"), 401)


def test_admin_creates_tokens_with_an_expiry_and_the_backfill_flag_and_lists_them(
    gateway_alone: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    url = gateway_alone.database_url
    assert admin.run(["create-token", "--role", "supervisor", "--name", "Import", "--backfill"], url) == 0
    out = capsys.readouterr().out
    assert "backfill" in out
    importer = out.strip().splitlines()[-1]
    assert (
        admin.run(["create-token", "--role", "integration", "--channel", "phone", "--name", "PBX"], url) == 0
    )
    pbx = capsys.readouterr().out.strip().splitlines()[-1]
    assert admin.run(["create-agent", "Sara", "--queues", "triage"], url) == 0
    capsys.readouterr()
    argv = ["create-token", "--role", "agent", "--agent-id", "1", "--name", "Sara", "--expires-in", "7d"]
    assert admin.run(argv, url) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit):
        admin.run(
            ["create-token", "--role", "agent", "--agent-id", "1", "--name", "x", "--expires-in", "soon"], url
        )
    capsys.readouterr()

    with psycopg.connect(url) as conn:
        lifetimes: dict[str, Any] = dict(
            conn.execute(
                "SELECT name, round(extract(epoch FROM expires_at - created_at) / 86400) FROM api_credentials"
            ).fetchall()
        )
    assert lifetimes == {"Import": 30, "PBX": 365, "Sara": 7}

    with gateway_alone.client(importer) as client:
        assert client.get("/v1/supervisor/overview").status_code == 200
    assert admin.run(["revoke-token", str(credential_id(url, pbx))], url) == 0
    capsys.readouterr()
    assert admin.run(["list-tokens"], url) == 0
    rows = {line.split("\t")[1]: line.split("\t") for line in capsys.readouterr().out.strip().splitlines()}
    # id, name, role, channel, agent, created, expires, last used, backfill, state
    assert rows["Import"][8] == "backfill" and rows["Import"][9] == "active" and rows["Import"][7] != "never"
    assert rows["PBX"][8] == "" and rows["PBX"][9] == "revoked" and rows["PBX"][7] == "never"
    assert rows["Sara"][2] == "agent" and rows["Sara"][9] == "active"


def test_admin_prints_only_what_a_shell_keeps_with_quiet_and_json(
    gateway_alone: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    url = gateway_alone.database_url
    assert admin.run(["create-agent", "Sara", "--queues", "triage", "--quiet"], url) == 0
    agent_id = capsys.readouterr().out.strip()
    argv = ["create-token", "--role", "agent", "--agent-id", agent_id, "--name", "Sara", "--quiet"]
    assert admin.run(argv, url) == 0
    secret = capsys.readouterr().out.strip()
    assert admin.run(["create-token", "--role", "supervisor", "--name", "Old", "--json"], url) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["role"] == "supervisor" and shown["backfill"] is False and shown["secret"].startswith("tkt_")
    with gateway_alone.client(secret) as client:
        assert client.get("/v1/agent/me").json()["id"] == int(agent_id)
    assert admin.run(["revoke-token", str(shown["id"])], url) == 0
    with gateway_alone.client(shown["secret"]) as client:
        assert_problem(client.get("/v1/supervisor/overview"), 401)
