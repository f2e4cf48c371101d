"""Simulated against published, and the stack's figures against the model's own (pure).

Tolerance (issue 13): rates within one point (0.01), times within 10 %. A figure the model cannot
produce by its nature is marked so, with the reason, rather than passed.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.simulate.presets import Figure

RATE_TOLERANCE = 0.01
TIME_TOLERANCE = 0.10
# Published figures the definitions of docs/kpis.md cannot give, and why.
UNREACHABLE = {
    "avg_wait_s": "the centre published 0 s beside an ASA of 14 s; by its definition (mean wait of "
    "answered and abandoned) the average wait is at least the ASA's share of it, so no year with an "
    "ASA of 14 s has an average wait of 0 s",
}
# Figures compared between the stack's report and the model's own counts.
COUNTS = (
    "incoming",
    "self_served",
    "offered",
    "answered",
    "abandoned",
    "resolved",
    "survey_replies",
    "evaluations",
)
MEANS = ("asa_s", "avg_wait_s", "aht_s", "service_level", "abandonment_rate", "fcr", "quality", "csat")


@dataclass(frozen=True)
class Row:
    figure: Figure
    simulated: float | None
    difference: float | None
    tolerance: str
    within: bool | None  # None: not reproducible by definition (see `note`)
    note: str = ""


def part(report: Mapping[str, Any], channel: str | None) -> Mapping[str, Any]:
    """The flat figures of `/v1/metrics/kpis` (overall, or one channel's)."""
    return report if channel is None else report["by_channel"][channel]


def against_published(figures: Sequence[Figure], kpis: Mapping[str, Any]) -> list[Row]:
    """Each published figure beside the stack's (happiness too: the replies are dated, see driver.py)."""
    rows = []
    for f in figures:
        value = part(kpis, f.channel).get(f.name)
        note = ""
        if value is None:
            rows.append(Row(f, None, None, _tolerance(f), False, "no figure"))
            continue
        diff = float(value) - f.value
        within: bool | None
        if f.kind == "rate":
            within = abs(diff) <= RATE_TOLERANCE + 1e-12
        else:
            within = abs(diff) <= TIME_TOLERANCE * f.value + 1e-9
        if f.name in UNREACHABLE and not within:
            within, note = None, UNREACHABLE[f.name]
        rows.append(Row(f, float(value), diff, _tolerance(f), within, note))
    return rows


def _tolerance(f: Figure) -> str:
    return "±1 pt" if f.kind == "rate" else f"±10 % ({TIME_TOLERANCE * f.value:.1f} s)"


def differences(stack: Mapping[str, Any], model: Mapping[str, Any], skip: Sequence[str] = ()) -> list[str]:
    """Where the stack's figures differ from the model's own, overall and per channel (empty: none).
    Counts must be equal; means agree to a microsecond's rounding."""
    found = []
    for scope, a, b in [("overall", stack, model)] + [
        (ch, stack["by_channel"][ch], model["by_channel"][ch]) for ch in model["by_channel"]
    ]:
        for name in COUNTS:
            if name in skip:
                continue
            if name in a and int(a[name] or 0) != int(b[name] or 0):
                found.append(f"{scope} {name}: stack {a[name]}, model {b[name]}")
        for name in MEANS:
            if name in skip:
                continue
            x, y = a.get(name), b.get(name)
            if (x is None) != (y is None) or (
                x is not None and abs(float(x) - float(y)) > 1e-4 * max(1.0, abs(y))
            ):
                found.append(f"{scope} {name}: stack {x}, model {y}")
    return found
