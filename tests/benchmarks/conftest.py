"""The session's figures: each benchmark adds to `bench_results`; at the end they are printed as a
table and written as JSON (BENCH_RESULTS, default .bench/results.json).

BENCH_SMOKE=1 runs every benchmark at a tiny size (seconds each, the keyword table instead of the
learned model): it proves the benchmarks run, and its figures mean nothing.
"""

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.benchmarks.results import DEFAULT_PATH, Results, table

SMOKE = os.environ.get("BENCH_SMOKE") == "1"


def size(variable: str, full: int, smoke: int) -> int:
    """A benchmark's size: the variable when set, else the full or the smoke size."""
    return int(os.environ.get(variable) or (smoke if SMOKE else full))


@pytest.fixture(scope="session")
def bench_results() -> Iterator[Results]:
    results = Results()
    started = datetime.now(UTC)
    yield results
    if not results.figures:
        return
    path = Path(os.environ.get("BENCH_RESULTS") or DEFAULT_PATH)
    results.write(path, started, SMOKE)
    smoke = ", SMOKE: sizes too small to mean anything" if SMOKE else ""
    print(f"\n\nbenchmark figures ({os.cpu_count()} cores{smoke})")
    print(table(results.figures))
    print(f"written to {path}")
