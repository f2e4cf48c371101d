"""The yearly report (gateway/reports/view.py's dictionary) as CSV and as an HTML page (pure)."""

import csv
import io
from html import escape
from typing import Any

from gateway.reports.svg_charts import grouped_bars
from gateway.reports.view import KPIS, VOLUMES

CSV_HEADER = ["section", "name", "figure", "value", "target", "direction", "met", "last_year", "change",
              "change_pct"]  # fmt: skip


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def to_csv(report: dict[str, Any]) -> str:
    """One row per figure: the report's clock first (section `report`, figure `time_zone`), then
    overall, per channel and per queue, KPIs then volumes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerow(["report", "all", "time_zone", report["time_zone"]] + [""] * (len(CSV_HEADER) - 4))
    sections = [("overall", "all", report["overall"])]
    sections += [("channel", c, s) for c, s in report["by_channel"].items()]
    sections += [("queue", q, s) for q, s in report["by_queue"].items()]
    for kind, name, body in sections:
        for group in ("kpis", "volumes"):
            for figure, row in body[group].items():
                writer.writerow(
                    [kind, name, figure]
                    + [
                        _cell(row.get(k))
                        for k in ("value", "target", "direction", "met", "last_year", "change", "change_pct")
                    ]
                )
    return out.getvalue()


def duration(seconds: float) -> str:
    """A duration as people read one: 42 s, 3:07 (m:ss), 1:02:03 (h:mm:ss), then 101 d 12:05:42."""
    sign, whole = ("-" if seconds < 0 else ""), round(abs(seconds))
    if whole < 60:
        return f"{sign}{whole} s"
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days:,} d {hours}:{minutes:02}:{secs:02}"
    if hours:
        return f"{sign}{hours}:{minutes:02}:{secs:02}"
    return f"{sign}{minutes}:{secs:02}"


def show(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "seconds":
        return duration(value)
    return f"{value:,.0f}"


def _change(row: dict[str, Any], unit: str) -> str:
    if row["change"] is None:
        return "–"
    absolute = f"{row['change'] * 100:+.1f} pts" if unit == "rate" else f"{row['change']:+,.1f}"
    if unit == "count":
        absolute = f"{row['change']:+,.0f}"
    if unit == "seconds":
        absolute = ("+" if row["change"] >= 0 else "") + duration(row["change"])
    percent = "" if row["change_pct"] is None else f" ({row['change_pct']:+.1f}%)"
    return absolute + percent


def _status(row: dict[str, Any]) -> str:
    met = row.get("met")
    if met is None:
        return '<td class="status">–</td>'
    return f'<td class="status {"met" if met else "missed"}">{"met" if met else "missed"}</td>'


def _kpi_table(body: dict[str, Any], year: int, previous: int) -> str:
    rows = []
    for name, (label, unit) in KPIS.items():
        row = body["kpis"][name]
        target = (
            "–"
            if row.get("target") is None
            else ("≥ " if row["direction"] == "min" else "≤ ") + show(row["target"], unit)
        )
        rows.append(
            f'<tr data-kpi="{name}"><th>{escape(label)}</th><td>{show(row["value"], unit)}</td>'
            f"<td>{target}</td>"
            f"{_status(row)}<td>{show(row['last_year'], unit)}</td><td>{_change(row, unit)}</td></tr>"
        )
    return (
        f'<table class="kpis"><thead><tr><th>Figure</th><th>{year}</th><th>Target</th><th></th>'
        f"<th>{previous}</th><th>Change</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _volume_table(report: dict[str, Any]) -> str:
    head = "".join(f"<th>{escape(label)}</th><th>change</th>" for label in VOLUMES.values())
    rows = []
    for channel, body in [*report["by_channel"].items(), ("total", report["overall"])]:
        cells = "".join(
            f"<td>{show(body['volumes'][v]['value'], 'count')}</td>"
            f"<td>{_change(body['volumes'][v], 'count')}</td>"
            for v in VOLUMES
        )
        rows.append(f'<tr data-channel="{escape(channel)}"><th>{escape(channel)}</th>{cells}</tr>')
    return (
        f'<table class="volumes"><thead><tr><th>Channel</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 980px; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid #eee; text-align: right; }
th:first-child { text-align: left; }
.status.met { color: #1d7a3a; font-weight: bold; } .status.missed { color: #b03a48; font-weight: bold; }
.chart { width: 100%; height: auto; margin: 1rem 0; }
.note { color: #666; font-size: .85rem; }
"""


def to_html(report: dict[str, Any]) -> str:
    year, previous = report["year"], report["previous_year"]
    months = [m["name"] for m in report["months"]]
    volume_chart = grouped_bars(
        f"Tickets per month, {year}",
        months,
        {VOLUMES[v]: [m[v] for m in report["months"]] for v in VOLUMES},
    )
    channels = list(report["by_channel"])
    channel_chart = grouped_bars(
        f"Incoming per channel, {previous} and {year}",
        channels,
        {
            str(previous): [report["by_channel"][c]["volumes"]["incoming"]["last_year"] for c in channels],
            str(year): [report["by_channel"][c]["volumes"]["incoming"]["value"] for c in channels],
        },
    )
    sl_chart = grouped_bars(
        f"Service level per month, {year} (target line)",
        months,
        {"service level": [m["service_level"] for m in report["months"]]},
        target=report["overall"]["kpis"]["service_level"].get("target"),
    )
    per_channel = "".join(
        f"<h3>{escape(c)}</h3>{_kpi_table(body, year, previous)}" for c, body in report["by_channel"].items()
    )
    per_queue = "".join(
        f'<section data-queue="{escape(q)}"><h3>{escape(q)}</h3>{_kpi_table(body, year, previous)}</section>'
        for q, body in report["by_queue"].items()
    )
    thresholds = ", ".join(f"{escape(c)} {duration(t)}" for c, t in report["sl_threshold_s"].items())
    formulas = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in report["formulas"].items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Contact centre report {year}</title>
<style>{STYLE}</style></head><body>
<h1>Contact centre report {year}</h1>
<p class="note">Figures for {year} beside {previous}, years and months in
<span class="zone">{escape(report["time_zone"])}</span> time;
formulas <code>{escape(report["formula_version"])}</code>; generated {escape(report["generated_at"])},
events recorded through {escape(report["recorded_through"] or "(not caught up yet)")}.</p>
<h2>Key figures against target</h2>
{_kpi_table(report["overall"], year, previous)}
{sl_chart}
<h2>Volumes per channel</h2>
{_volume_table(report)}
{channel_chart}
{volume_chart}
<h2>Per channel</h2>
{per_channel}
<h2>Per queue</h2>
{per_queue or '<p class="note">No queue had tickets this year.</p>'}
<h2>Definitions</h2>
<p class="note">Service-level thresholds: {thresholds}.</p>
<ul class="note">{formulas}</ul>
</body></html>
"""
