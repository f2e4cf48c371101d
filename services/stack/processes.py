"""Child processes of the launcher: started with prefixed output, watched, and stopped together."""

import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TextIO

from services.stack.plan import Child, label

# Lines are prefixed with names padded to this width so the columns line up.
NAME_WIDTH = 10
# How long a finished child's last lines may take to drain before its exit is reported.
DRAIN_S = 2.0


@dataclass(frozen=True)
class Exited:
    name: str
    code: int


@dataclass(frozen=True)
class Signalled:
    signum: int


Event = Exited | Signalled


class Supervisor:
    """Runs children with one environment; every exit and every stop signal becomes an event on a queue."""

    def __init__(self, out: TextIO, *, color: bool):
        self._out = out
        self._env: dict[str, str] = {}
        self._color = color
        self._write_lock = threading.Lock()  # one line at a time, so lines of two children never interleave
        # SimpleQueue, not Queue: its put() is reentrant, so the signal handler may call it at any moment.
        self.events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._running: dict[str, subprocess.Popen[bytes]] = {}
        self._drains: list[threading.Thread] = []
        self._colors: dict[str, int] = {"stack": 0}

    def set_env(self, env: Mapping[str, str]) -> None:
        """The environment of every child spawned from now on."""
        self._env = dict(env)

    def signalled(self, signum: int, _frame: object = None) -> None:
        """A signal handler: the main thread finds the stop request on the event queue."""
        self.events.put(Signalled(signum))

    def say(self, text: str, name: str = "stack") -> None:
        color = self._colors.setdefault(name, len(self._colors)) if self._color else None
        with self._write_lock:
            self._out.write(label(name, NAME_WIDTH, color) + text.rstrip("\n") + "\n")
            self._out.flush()

    def spawn(self, child: Child) -> None:
        proc = subprocess.Popen(
            child.argv,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Its own process group: a terminal's Ctrl-C reaches only the launcher, which then stops the
            # children in order, and a stuck child's helpers (Celery's pool) can be killed as a group.
            process_group=0,
        )
        self._running[child.name] = proc
        drain = threading.Thread(target=self._drain, args=(child.name, proc), daemon=True)
        drain.start()
        self._drains.append(drain)
        threading.Thread(target=self._reap, args=(child.name, proc, drain), daemon=True).start()

    def _drain(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        with proc.stdout:
            for raw in proc.stdout:
                self.say(raw.decode("utf-8", errors="replace"), name)

    def _reap(self, name: str, proc: subprocess.Popen[bytes], drain: threading.Thread) -> None:
        code = proc.wait()
        drain.join(DRAIN_S)  # a traceback printed on the way out comes before the news of the exit
        self.events.put(Exited(name, code))

    def run_once(self, child: Child) -> int | None:
        """Runs a one-shot child to the end; None when a stop signal came first (stop_all then stops it)."""
        self.spawn(child)
        while True:
            event = self.events.get()
            if isinstance(event, Signalled):
                return None
            if event.name == child.name:
                del self._running[child.name]
                return event.code

    def watch(self) -> Event:
        """Blocks until a stop signal arrives or a child exits; the exited child is no longer running."""
        event = self.events.get()
        if isinstance(event, Exited):
            self._running.pop(event.name, None)
        return event

    def stop_all(self, grace_s: float) -> None:
        """SIGTERM to every running child, up to `grace_s` for all to finish, then SIGKILL to the rest.

        A second stop signal while waiting skips the rest of the wait.
        """
        running = dict(self._running)
        for name, proc in running.items():
            self.say(f"stopping {name}")
            _signal(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while running:
            try:
                event = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if isinstance(event, Signalled):
                self.say("second stop signal: killing what is left")
                break
            running.pop(event.name, None)
        for name in running:
            self.say(f"{name} is still running; killing it")
        for proc in self._running.values():
            # The whole group, also when the leader exited: no pool process outlives the launcher.
            _signal(proc, signal.SIGKILL, group=True)
            proc.wait()
        self._running.clear()
        for drain in self._drains:
            drain.join(DRAIN_S)


def _signal(proc: subprocess.Popen[bytes], signum: int, *, group: bool = False) -> None:
    try:
        if group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
    except ProcessLookupError:
        pass  # already gone
