"""The embedded PostgreSQL (the `pgserver` package) that `make run` uses when DATABASE_URL is not set."""

import contextlib
import logging
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

DATABASE = "ticketing"


class EmbeddedUnavailable(RuntimeError):
    """pgserver is not installed; the message says how to install it or what to set instead."""


@dataclass(frozen=True)
class EmbeddedPostgres:
    pgdata: Path
    url: str
    # pgserver runs the server as its own system user when started by root (PostgreSQL refuses root).
    system_user: str | None

    def stop(self) -> None:
        pgserver = _import_pgserver()
        # A failure means it is not running any more, which is what stop wants.
        with contextlib.suppress(subprocess.CalledProcessError):
            # "fast": open sessions are ended at once; the children that held them are already gone.
            pgserver.pg_ctl(["-m", "fast", "-w", "stop"], pgdata=self.pgdata, user=self.system_user)


def start(pgdata: Path) -> EmbeddedPostgres:
    """Starts (or reuses, after a crash) the server in `pgdata`, creating it and its database on first use.

    The server listens on a Unix socket in `pgdata` only, so it never clashes with another PostgreSQL.
    """
    pgserver = _import_pgserver()
    # pgserver logs every command it runs at INFO; only its warnings matter to someone running the stack.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    pgdata = pgdata.resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: pgserver's own stop at exit is skipped whenever a crashed earlier run left its
    # pid in pgserver's handle list, so the launcher stops the server itself, after its children.
    # The constructor, not get_server(): that caches one handle per folder, which would outlive stop().
    server = pgserver.PostgresServer(pgdata, cleanup_mode=None)
    _ensure_database(server.get_uri(), DATABASE)
    return EmbeddedPostgres(pgdata, server.get_uri(DATABASE), server.system_user)


def _ensure_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _import_pgserver():  # type: ignore[no-untyped-def]
    try:
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset (as under root); pgserver copes.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver
    except ImportError:
        raise EmbeddedUnavailable(
            "DATABASE_URL is not set and the embedded PostgreSQL is not installed: "
            "pip install -e '.[embedded]', or set DATABASE_URL"
        ) from None
    return pgserver
