"""A private RabbitMQ node for tests that stop and start the broker.

The machine's RabbitMQ serves every other test (and other developers' runs), so it is never stopped;
this node has its own name, ports, Erlang cookie and data folder under a temporary directory.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# Debian's /usr/sbin wrappers switch to the rabbitmq user when run as root; the scripts they wrap
# run as whoever calls them, with the environment given here.
SCRIPTS = Path("/usr/lib/rabbitmq/bin")
START_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _script(name: str) -> str | None:
    path = SCRIPTS / name
    return str(path) if path.exists() else shutil.which(name)


@dataclass
class PrivateRabbit:
    node: str
    port: int
    base: Path
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@localhost:{self.port}//"

    def _ctl(self, *args: str, timeout: float = START_TIMEOUT_S + 10) -> None:
        ctl = _script("rabbitmqctl")
        assert ctl is not None
        subprocess.run(
            [ctl, "-n", self.node, *args],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=timeout,
            cwd=self.base,
        )

    def start(self) -> None:
        server = _script("rabbitmq-server")
        assert server is not None
        # Run in the node's own folder: a crashing node writes its dumps (MnesiaCore.*) to the cwd.
        subprocess.run(
            [server, "-detached"], env=self.env, check=True, capture_output=True, timeout=30, cwd=self.base
        )
        # The detached node takes a moment to register with epmd; until then the CLI cannot reach it.
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                self._ctl("await_startup", "--timeout", "10", timeout=20)
                return
            except subprocess.CalledProcessError as exc:
                if time.monotonic() > deadline:
                    log = "\n".join(
                        p.read_text(errors="replace")[-3000:] for p in (self.base / "log").glob("*.log")
                    )
                    raise RuntimeError(f"the private RabbitMQ did not start: {exc.stderr!r}\n{log}") from None
                time.sleep(0.5)

    def kill_leftover(self) -> None:
        """Kills this node's own process (by the pid file it wrote) if a failed stop left it running."""
        pid_file = self.base / "pid"
        if pid_file.exists() and pid_file.read_text().strip().isdigit():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)

    def stop(self) -> None:
        """Stops the whole node (connections drop, the port closes); its durable queues stay on disk."""
        self._ctl("stop")


@contextmanager
def private_rabbit(tmp_path: Path) -> Iterator[PrivateRabbit]:
    if _script("rabbitmq-server") is None or _script("rabbitmqctl") is None:
        message = "rabbitmq-server is not installed: the broker restart test needs a private node"
        # As for the machine's servers (tests/fixtures/services.py): in CI a missing server fails.
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    base = tmp_path / "rabbit"
    base.mkdir()
    (base / "enabled_plugins").write_text("[].\n")
    (base / "rabbitmq-env.conf").write_text("")
    port = _free_port()
    node = f"ticketing-test-{port}@localhost"
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        # The Erlang cookie lives in HOME: the node and rabbitmqctl share this one.
        "HOME": str(base),
        "RABBITMQ_NODENAME": node,
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(_free_port()),
        "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
        "RABBITMQ_LOG_BASE": str(base / "log"),
        "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq"),
        "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
        "RABBITMQ_PID_FILE": str(base / "pid"),
    }
    rabbit = PrivateRabbit(node, port, base, env)
    try:
        # Inside the try: a node that started but never answered is stopped too, not left running.
        rabbit.start()
        yield rabbit
    finally:
        try:
            rabbit.stop()
        except subprocess.CalledProcessError:
            # Never reachable (it failed to start) or stopped already: make sure it is gone.
            rabbit.kill_leftover()
