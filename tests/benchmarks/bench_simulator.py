"""The simulator's contacts per second (issue 13, part 1), beside the intake's own floor.

Runs `python -m services.simulate --stack` (its own whole stack, the real HTTP API, a back-fill
token's virtual clock) over the first TEST_BENCH_SIM_DAYS days (default 7) of the `centre-2024`
preset at TEST_BENCH_SIM_SCALE of its volumes (default 1), and records the JSON the simulator
writes: contacts per second, and its HTTP requests per second beside its own floor (GET /healthz on
the same stack at the same concurrency, measured just before the replay). Skipped in a tree without
`services.simulate`, and in the smoke run.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.benchmarks.conftest import SMOKE
from tests.benchmarks.results import Figure, Results

pytestmark = [pytest.mark.benchmark, pytest.mark.timeout(3600)]

DAYS = os.environ.get("TEST_BENCH_SIM_DAYS") or "7"
SCALE = os.environ.get("TEST_BENCH_SIM_SCALE") or "1"
PRESET = "centre-2024"


def run_simulation(tmp_path: Path) -> dict[str, Any]:
    """The simulator's JSON for the preset (contacts, seconds, contacts_per_s, requests_per_s,
    floor_healthz_per_s, ...)."""
    out = tmp_path / "simulation.json"
    argv = [sys.executable, "-m", "services.simulate", "--preset", PRESET, "--days", DAYS, "--scale", SCALE]
    argv += ["--stack", "--run-dir", str(tmp_path / "run"), "--json", str(out)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=3000)
    if not out.is_file():
        raise AssertionError(
            f"the simulator wrote no figures ({done.returncode}):\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )
    figures: dict[str, Any] = json.loads(out.read_text())[PRESET]
    return figures


def test_simulator_contacts_per_second(tmp_path: Path, bench_results: Results) -> None:
    if importlib.util.find_spec("services.simulate") is None:
        pytest.skip("services.simulate is not in this tree (issue 13, part 1)")
    if SMOKE:
        pytest.skip("the simulator starts a whole stack of its own: not in the smoke run")
    run = run_simulation(tmp_path)
    assert run["contacts"] > 0
    bench_results.add(
        Figure(
            f"simulator: contacts driven ({PRESET}, {DAYS} days × {SCALE})",
            run["contacts_per_s"],
            "contacts/s",
            note=f"{run['contacts']:,} contacts in {run['seconds']:.1f} s; "
            f"{run['mismatches']} treated otherwise than the model",
        )
    )
    bench_results.add(
        Figure(
            "simulator: HTTP requests",
            run["requests_per_s"],
            "requests/s",
            run["floor_healthz_per_s"],
            "GET /healthz, same stack and concurrency",
        )
    )
