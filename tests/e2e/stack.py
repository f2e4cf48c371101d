"""Starts the whole stack (`python -m services.stack`) as `make run` does, on free loopback ports."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from services.workers.app import create_app
from services.workers.settings import WorkerSettings
from tests.fixtures.celery_worker import delete_queues
from tests.fixtures.gateway import unused_port

T = TypeVar("T")


def wait_for(what: str, probe: Callable[[], T | None], timeout_s: float, log: Path | None = None) -> T:
    """Polls until `probe` returns something truthy; fails naming `what` (and showing the log)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            found = probe()
        except (httpx.HTTPError, OSError):
            found = None
        if found:
            return found
        time.sleep(0.25)
    tail = log.read_text(errors="replace")[-6000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}\n{tail}")


@dataclass
class Stack:
    url: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes]

    def admin(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "services.admin", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def token(self, *args: str) -> str:
        return self.admin("create-token", *args).strip().splitlines()[-1]


@contextmanager
def running_stack(run_dir: Path, extra_env: dict[str, Any], ready_timeout_s: float = 90) -> Iterator[Stack]:
    port = unused_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BROKER_URL")},
        "STACK_RUN_DIR": str(run_dir),
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "CLASSIFIER_BIND": f"127.0.0.1:{unused_port()}",
        "METRICS_BIND": f"127.0.0.1:{unused_port()}",
        "METRICS_HTTP_BIND": f"127.0.0.1:{unused_port()}",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "INFO",
        **{k: str(v) for k, v in extra_env.items()},
    }
    log = run_dir / "stack.log"
    run_dir.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.stack"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    stack = Stack(f"http://127.0.0.1:{port}", env, log, process)
    try:
        wait_for(
            "the stack's /readyz",
            lambda: httpx.get(f"{stack.url}/readyz", timeout=2).status_code == 200,
            ready_timeout_s,
            log,
        )
        if "DATABASE_URL" not in extra_env:
            # The admin CLI needs the database the launcher chose (the embedded one).
            stack.env["DATABASE_URL"] = wait_for("the database URL", lambda: _database_url(log), 5, log)
        yield stack
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise AssertionError("the stack did not stop within 60 s of Ctrl-C") from None
        _forget_queues(env)


def _forget_queues(env: dict[str, str]) -> None:
    """A run on the machine's RabbitMQ leaves its prefix's quorum queues behind unless deleted."""
    if not env.get("BROKER_URL", "").startswith("amqp") or not env.get("CELERY_QUEUE_PREFIX"):
        return
    settings = WorkerSettings.from_env(env)
    app = create_app(settings)
    try:
        delete_queues(app, settings)
    finally:
        app.close()


def _database_url(log: Path) -> str | None:
    for line in log.read_text(errors="replace").splitlines():
        if "postgresql://" in line:
            return "postgresql://" + line.split("postgresql://", 1)[1].split()[0]
    return None
