"""The simulator's contacts per second (issue 13, part 1): a placeholder until `services.simulate` lands.

HOOK for the simulator's author: replace `run_simulation` below with a short run of
`python -m services.simulate` against a stack started as in bench_intake.py (a day of the
`centre-2024` preset, or TEST_BENCH_SIM_DAYS days), returning the contacts it drove and the wall
seconds it took. The figure's floor is the intake's own rate in the same run (the simulator drives
the real HTTP API, so the intake is the most it can reach); record it with `bench_results.add`
exactly as below. Until then the test is skipped and the table has no simulator row.
"""

import importlib.util

import pytest

from tests.benchmarks.results import Figure, Results

pytestmark = pytest.mark.benchmark


def run_simulation() -> tuple[int, float]:
    """(contacts driven, seconds): to be written with the simulator."""
    raise NotImplementedError


def test_simulator_contacts_per_second(bench_results: Results) -> None:
    if importlib.util.find_spec("services.simulate") is None:
        pytest.skip("services.simulate is not in this tree yet (issue 13, part 1)")
    try:
        contacts, seconds = run_simulation()
    except NotImplementedError:
        pytest.skip("the simulator exists: write run_simulation() in tests/benchmarks/bench_simulator.py")
    bench_results.add(Figure("simulator: contacts driven", contacts / seconds, "contacts/s"))
