"""The simulator's tables on the terminal (rich), and rows as JSON."""

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from services.simulate.compare import Row
from services.simulate.presets import Preset


def _show(kind: str, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.2f} %" if kind == "rate" else f"{value:.1f} s"


def _diff(kind: str, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:+.2f} pt" if kind == "rate" else f"{value:+.1f} s"


def published_table(console: Console, preset: Preset, rows: Sequence[Row]) -> None:
    table = Table(title=f"{preset.name}: simulated against published")
    for head in (
        "figure",
        "scope",
        "published",
        "simulated",
        "difference",
        "tolerance",
        "within",
        "model parameters",
    ):
        table.add_column(head)
    for r in rows:
        f = r.figure
        within = "yes" if r.within else ("n/a" if r.within is None else "NO")
        table.add_row(
            f.name, f.channel or "all", _show(f.kind, f.value), _show(f.kind, r.simulated),
            _diff(f.kind, r.difference), r.tolerance, within, f.produced_by,
        )  # fmt: skip
    console.print(table)
    for r in rows:
        if r.note:
            console.print(f"[bold]{r.figure.name}[/bold]: {r.note}")


def model_summary(console: Console, found: Mapping[str, Any], took: float) -> None:
    table = Table(title=f"the model's own figures ({took:.1f} s)")
    names = ("incoming", "self_served", "offered", "answered", "abandoned", "resolved", "asa_s",
             "service_level", "abandonment_rate", "aht_s", "fcr", "csat", "quality")  # fmt: skip
    table.add_column("scope")
    for n in names:
        table.add_column(n)
    for scope, body in [("all", found), *found["by_channel"].items()]:
        table.add_row(scope, *(_cell(body.get(n)) for n in names))
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}" if value < 2 else f"{value:.1f}"
    return str(value)


def differences(console: Console, diffs: Sequence[str]) -> None:
    if diffs:
        console.print(f"[red]the stack's figures differ from the model's own in {len(diffs)} places:[/red]")
        for d in diffs[:20]:
            console.print(f"  {d}")
    else:
        console.print("the stack's figures equal the model's own (every count, every mean)")


def report_table(console: Console, report: Mapping[str, Any]) -> None:
    """The yearly report's figures with last year's and the change, overall and for calls."""
    table = Table(title=f"GET /v1/metrics/report?year={report.get('year')} ({report.get('time_zone')})")
    for head in ("scope", "figure", "value", "last year", "change", "change %"):
        table.add_column(head)
    scopes = [("all", report["overall"]), ("phone", report["by_channel"]["phone"])]
    for scope, body in scopes:
        for group in ("kpis", "volumes"):
            for name, row in body[group].items():
                table.add_row(
                    scope, name, _cell(row.get("value")), _cell(row.get("last_year")),
                    _cell(row.get("change")), _cell(row.get("change_pct")),
                )  # fmt: skip
    console.print(table)


def row_dict(r: Row) -> dict[str, Any]:
    return {
        "figure": r.figure.name,
        "scope": r.figure.channel or "all",
        "published": r.figure.value,
        "simulated": r.simulated,
        "difference": r.difference,
        "tolerance": r.tolerance,
        "within": r.within,
        "produced_by": r.figure.produced_by,
        "note": r.note,
    }
