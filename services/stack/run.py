"""Runs the stack: chooses the servers, migrates, starts the children, and stops everything together."""

import secrets
import signal
import sys
import threading
import time
from collections.abc import Mapping
from typing import TextIO

from services.shared import run_env
from services.stack import embedded, plan, probe
from services.stack.processes import Exited, Supervisor
from services.stack.settings import StackSettings

# Celery's warm shutdown finishes running tasks first; a longer grace lets slow tasks end cleanly,
# a shorter one makes Ctrl-C feel quicker (tasks are acks_late, so a killed one runs again later).
STOP_GRACE_S = 10.0
# Servers that are not ready after this long are reported (the stack keeps running: they may recover).
READY_WITHIN_S = 60.0


def run(settings: StackSettings, environ: Mapping[str, str], out: TextIO) -> int:
    """Runs until SIGINT/SIGTERM (exit 0) or until a child exits on its own (exit 1)."""
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(out, color=out.isatty() and not environ.get("NO_COLOR"))
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, supervisor.signalled)
    database: embedded.EmbeddedPostgres | None = None
    ready_stop = threading.Event()
    env_file = settings.run_dir / run_env.FILE_NAME
    try:
        database_url = settings.database_url
        if database_url is None:
            pgdata = settings.run_dir / "pgdata"
            supervisor.say(f"DATABASE_URL not set: starting the embedded PostgreSQL in {pgdata}")
            database = embedded.start(pgdata)
            database_url = database.url
        broker_url, broker_dir = plan.resolve_broker(settings)
        if broker_dir is not None:
            broker_dir.mkdir(parents=True, exist_ok=True)
        env = plan.child_environment(
            environ,
            database_url=database_url,
            broker_url=broker_url,
            broker_dir=broker_dir,
            # One secret per run unless the caller chose one: nothing outside this run knows it.
            internal_grpc_token=environ.get("INTERNAL_GRPC_TOKEN") or secrets.token_urlsafe(32),
        )
        supervisor.set_env(env)
        code = supervisor.run_once(plan.migrate_command(sys.executable))
        if code is None:
            return 0
        if code != 0:
            supervisor.say(f"migrations failed (exit {code}); not starting the services")
            return code
        for child in plan.service_commands(
            sys.executable, settings.run_dir, settings.log_level, mail=settings.mail
        ):
            supervisor.spawn(child)
        for line in plan.banner(
            settings,
            database_url=database_url,
            embedded=database is not None,
            broker_url=broker_url,
            broker_dir=broker_dir,
        ):
            supervisor.say(line)
        # For a shell beside this one (`. .run/env`) and the admin CLI: this run's gateway and database.
        run_env.write(env_file, plan.env_file_values(settings, database_url))
        supervisor.say(f"{env_file}: GATEWAY and DATABASE_URL for a shell (. {env_file}) and the admin CLI")
        supervisor.say("Ctrl-C stops everything")
        threading.Thread(target=_announce_ready, args=(settings, supervisor, ready_stop), daemon=True).start()
        event = supervisor.watch()
        if isinstance(event, Exited):
            supervisor.say(f"{event.name} exited unexpectedly (exit {event.code}); stopping everything")
            return 1
        supervisor.say(f"{signal.Signals(event.signum).name} received; stopping everything")
        return 0
    finally:
        ready_stop.set()
        env_file.unlink(missing_ok=True)
        supervisor.stop_all(STOP_GRACE_S)
        if database is not None:
            supervisor.say("stopping the embedded PostgreSQL")
            database.stop()
        supervisor.say("stopped")


def _announce_ready(settings: StackSettings, supervisor: Supervisor, stop: threading.Event) -> None:
    """Says when each server first answers its health check, and which ones never did."""
    waiting = plan.readiness_checks(settings)
    deadline = time.monotonic() + READY_WITHIN_S
    while waiting and time.monotonic() < deadline and not stop.wait(1.0):
        for check in list(waiting):
            name, kind, target = check
            if probe.CHECKS[kind](target, 1.0):
                supervisor.say(f"{name} ready")
                waiting.remove(check)
    if waiting and not stop.is_set():
        names = ", ".join(name for name, _, _ in waiting)
        supervisor.say(f"not ready after {READY_WITHIN_S:.0f} s: {names} (see their lines above)")
    elif not stop.is_set():
        supervisor.say("all servers ready")
