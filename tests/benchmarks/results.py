"""The benchmark figures of one run: each beside its floor measured in the same run, as a table and JSON.

A figure is what the product does (intake inquiries/s, routing decisions/s, ...); its floor is the
least the same machine needs for the same job (HTTP and one INSERT, a bare SKIP LOCKED loop, a
no-op Celery task), measured minutes apart in the same run, so the ratio means something on a busy
or small machine where the absolute numbers do not. Pure: formatting and writing only.
"""

import json
import os
import platform
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Where `make bench` leaves the JSON unless BENCH_RESULTS names another file.
DEFAULT_PATH = Path(".bench/results.json")


@dataclass(frozen=True)
class Figure:
    """One measured figure. `ratio` is figure / floor for rates, floor / figure for times (`lower`),
    so above 1 is always better than the floor and 1.0 is as good as it gets."""

    name: str
    value: float | None
    unit: str
    floor: float | None = None
    floor_name: str = ""
    # True for times (ms): less is better.
    lower: bool = False
    # The process that ran out of CPU first during the figure (per-process CPU, see procwatch).
    saturates: str = ""
    # Per process: percent of one core during the figure.
    cpu: dict[str, float] = field(default_factory=dict)
    note: str = ""
    target: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or self.floor is None or not self.value or not self.floor:
            return None
        return self.floor / self.value if self.lower else self.value / self.floor


class Results:
    """Figures gathered by the benchmarks of one session (the `bench_results` fixture)."""

    def __init__(self) -> None:
        self.figures: list[Figure] = []

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    def document(self, started: datetime, smoke: bool) -> dict[str, Any]:
        return {
            "started": started.isoformat(),
            "finished": datetime.now(UTC).isoformat(),
            "machine": {
                "cores": os.cpu_count(),
                "python": platform.python_version(),
                "node": platform.node(),
            },
            "smoke": smoke,
            "figures": [{**asdict(f), "ratio": f.ratio} for f in self.figures],
        }

    def write(self, path: Path, started: datetime, smoke: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.document(started, smoke), indent=2, ensure_ascii=False) + "\n")


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def table(figures: list[Figure]) -> str:
    """A Markdown table (it reads as well in a terminal as in docs/performance.md)."""
    lines = [
        "| figure | value | floor | ratio | saturates | note |",
        "|---|---|---|---|---|---|",
    ]
    for f in figures:
        floor = f"{_number(f.floor)} {f.unit} ({f.floor_name})" if f.floor is not None else "—"
        ratio = "—" if f.ratio is None else f"{f.ratio:.2f}"
        note = "; ".join(x for x in (f.target and f"target {f.target}", f.note) if x)
        lines.append(
            f"| {f.name} | {_number(f.value)} {f.unit} | {floor} | {ratio} | {f.saturates or '—'} | {note} |"
        )
    return "\n".join(lines)


def load(path: Path) -> list[Figure]:
    """The figures of a JSON file written by `Results.write`."""
    names = {f.name for f in fields(Figure)}
    document = json.loads(path.read_text())
    return [Figure(**{k: v for k, v in f.items() if k in names}) for f in document["figures"]]


if __name__ == "__main__":
    # `python -m tests.benchmarks.results a.json b.json`: one table of several runs' figures.
    import sys

    print(table([figure for name in sys.argv[1:] for figure in load(Path(name))]))
