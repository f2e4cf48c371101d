"""The supervisor: prefixed output, exits reported as events, and stopping with SIGTERM then SIGKILL.

These spawn short-lived Python children (no sockets).
"""

import io
import signal
import sys
import time

from services.stack.plan import Child
from services.stack.processes import Exited, Signalled, Supervisor


def python(name: str, code: str) -> Child:
    return Child(name, (sys.executable, "-c", code))


def supervisor(out: io.StringIO) -> Supervisor:
    sup = Supervisor(out, color=False)
    sup.set_env({"GREETING": "hello"})
    return sup


def test_output_lines_are_prefixed_with_the_childs_name_and_exits_are_events() -> None:
    out = io.StringIO()
    sup = supervisor(out)
    code = sup.run_once(python("greeter", "import os, sys; print(os.environ['GREETING']); sys.exit(3)"))
    assert code == 3
    assert "greeter    | hello\n" in out.getvalue()


def test_a_stop_signal_ends_watching() -> None:
    sup = supervisor(io.StringIO())
    sup.spawn(python("sleeper", "import time; time.sleep(30)"))
    sup.signalled(signal.SIGTERM)
    assert sup.watch() == Signalled(signal.SIGTERM)
    sup.stop_all(5.0)


def test_a_child_that_exits_on_its_own_is_reported() -> None:
    sup = supervisor(io.StringIO())
    sup.spawn(python("sleeper", "import time; time.sleep(30)"))
    sup.spawn(python("crasher", "raise SystemExit(7)"))
    assert sup.watch() == Exited("crasher", 7)
    sup.stop_all(5.0)


def test_a_stop_signal_interrupts_a_one_shot_child_which_then_stops_gracefully() -> None:
    out = io.StringIO()
    sup = supervisor(out)
    sup.signalled(signal.SIGINT)
    assert sup.run_once(python("slow", "import time; time.sleep(30)")) is None
    started = time.monotonic()
    sup.stop_all(5.0)
    assert time.monotonic() - started < 4
    assert "stopping slow" in out.getvalue()
    assert "killing" not in out.getvalue()


def test_stop_all_terminates_then_kills_what_ignores_sigterm() -> None:
    out = io.StringIO()
    sup = supervisor(out)
    stubborn = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); "
        "time.sleep(30)"
    )
    sup.spawn(python("polite", "import time; print('up', flush=True); time.sleep(30)"))
    sup.spawn(python("stubborn", stubborn))
    deadline = time.monotonic() + 10
    while out.getvalue().count("| up") < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the SIGTERM must arrive after the handler is set, or the test proves nothing
    started = time.monotonic()
    sup.stop_all(1.0)
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 4
    assert "stubborn is still running; killing it" in out.getvalue()
    assert "polite is still running" not in out.getvalue()
