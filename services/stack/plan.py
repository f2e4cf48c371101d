"""What the launcher runs and with which environment (pure: no processes, no sockets)."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from services.stack.settings import StackSettings

FILESYSTEM_BROKER = "filesystem://"
# Addresses a server binds to that a client cannot dial; a client on the same machine uses localhost.
WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}


@dataclass(frozen=True)
class Child:
    name: str
    argv: tuple[str, ...]


def migrate_command(python: str) -> Child:
    return Child("migrate", (python, "-m", "services.shared.migrations"))


def service_commands(python: str, run_dir: Path, log_level: str, *, mail: bool = False) -> list[Child]:
    """The long-running processes, in start order (servers before the clients that call them); the
    SMTP listener when `mail` (it is configured)."""
    celery = (python, "-m", "celery", "-A", "services.workers.app")
    listener = [Child("mail", (python, "-m", "services.mail"))] if mail else []
    return [
        Child("classifier", (python, "-m", "services.classifier")),
        Child("metrics", (python, "-m", "services.metrics")),
        Child("gateway", (python, "-m", "gateway")),
        *listener,
        # Any number of routers may run at once (each offer is made under row locks); one is enough here.
        Child("router", (python, "-m", "services.router")),
        # No -Q: the worker consumes exactly its app's queues, with CELERY_QUEUE_PREFIX applied.
        Child("worker", (*celery, "worker", "--loglevel", log_level)),
        # Beat keeps its schedule in memory (sweeps are idempotent), so it writes no file.
        Child("beat", (*celery, "beat", "--loglevel", log_level)),
    ]


def resolve_broker(settings: StackSettings) -> tuple[str, Path | None]:
    """The broker URL, and the folder of kombu's filesystem transport when that is the broker."""
    url = settings.broker_url or FILESYSTEM_BROKER
    if not url.startswith(FILESYSTEM_BROKER):
        return url, None
    return url, settings.broker_dir or settings.run_dir / "broker"


def client_addr(bind: str) -> str:
    """The address a local client dials for a server bound to `bind`: 0.0.0.0:50051 -> localhost:50051."""
    host, _, port = bind.rpartition(":")
    return f"{'localhost' if host in WILDCARD_HOSTS else host}:{port}"


def child_environment(
    base: Mapping[str, str],
    *,
    database_url: str,
    broker_url: str,
    broker_dir: Path | None,
    internal_grpc_token: str,
) -> dict[str, str]:
    """One environment for every child: the caller's, plus the servers chosen, the peers' addresses and
    the internal gRPC secret they share."""
    env = dict(base)
    env["INTERNAL_GRPC_TOKEN"] = internal_grpc_token
    env["DATABASE_URL"] = database_url
    env["BROKER_URL"] = broker_url
    if broker_dir is not None:
        env["BROKER_FILESYSTEM_DIR"] = str(broker_dir)
    # A server moved with *_BIND is still found by the gateway unless *_ADDR says otherwise.
    for peer, default_bind in (("CLASSIFIER", "127.0.0.1:50051"), ("METRICS", "127.0.0.1:50052")):
        if not env.get(f"{peer}_ADDR"):
            env[f"{peer}_ADDR"] = client_addr(env.get(f"{peer}_BIND") or default_bind)
    # Children write to a pipe; without this their lines arrive in blocks, long after they happened.
    env["PYTHONUNBUFFERED"] = "1"
    return env


def env_file_values(settings: StackSettings, database_url: str) -> dict[str, str]:
    """What `.run/env` tells a shell and the admin CLI: the gateway's URL and the database's."""
    gateway = client_addr(f"{settings.gateway_host}:{settings.gateway_port}")
    return {"GATEWAY": f"http://{gateway}", "DATABASE_URL": database_url}


def redact(url: str) -> str:
    """The URL with its password replaced, fit to print."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def banner(
    settings: StackSettings, *, database_url: str, embedded: bool, broker_url: str, broker_dir: Path | None
) -> list[str]:
    """The lines that tell a person where each part of the stack is."""
    gateway = f"http://{client_addr(f'{settings.gateway_host}:{settings.gateway_port}')}"
    classifier = client_addr(settings.classifier_bind)
    database = redact(database_url)
    if embedded:
        database += f"  (embedded, data in {settings.run_dir / 'pgdata'})"
    broker = f"{broker_url}  (folder {broker_dir})" if broker_dir else redact(broker_url)
    return [
        f"gateway     {gateway}  (API docs {gateway}/docs)",
        f"classifier  {classifier}  (gRPC; every call but health needs INTERNAL_GRPC_TOKEN)",
        f"metrics     {client_addr(settings.metrics_bind)}  (gRPC)",
        f"database    {database}",
        f"broker      {broker}",
        f"mail        smtp://{client_addr(settings.smtp_bind)}"
        if settings.mail
        else "mail        off (set MAIL_ADDRESSES and MAIL_INTAKE_TOKEN: docs/channels.md)",
    ]


def label(name: str, width: int, color_index: int | None) -> str:
    """The prefix of a child's output lines; coloured (ANSI) when color_index is given."""
    text = f"{name:<{width}} | "
    if color_index is None:
        return text
    return f"\x1b[{31 + color_index % 6}m{text}\x1b[0m"


def readiness_checks(settings: StackSettings) -> list[tuple[str, str, str]]:
    """(name, probe kind, target) for each server, in the order they become ready."""
    gateway = client_addr(f"{settings.gateway_host}:{settings.gateway_port}")
    return [
        ("classifier", "grpc", client_addr(settings.classifier_bind)),
        ("metrics", "grpc", client_addr(settings.metrics_bind)),
        ("gateway", "http", f"http://{gateway}/readyz"),
    ]
