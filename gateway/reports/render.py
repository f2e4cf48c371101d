"""The yearly report (gateway/reports/view.py's dictionary) as CSV and as an HTML page in Arabic or
English (pure): labels from the catalogues, numbers and months as the language writes them."""

import csv
import io
from datetime import datetime
from html import escape
from typing import Any

from gateway.reports import proactive_tables
from gateway.reports.svg_charts import grouped_bars, stacked_bars
from gateway.reports.view import KPIS, VOLUMES
from services.shared.i18n import catalogue, formats
from services.shared.i18n.catalogue import text

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


def duration(seconds: float, language: str = "en") -> str:
    """A duration as people read one: 42 s, 3:07 (m:ss), 1:02:03 (h:mm:ss), then 101 d 12:05:42."""
    sign, whole = ("-" if seconds < 0 else ""), round(abs(seconds))
    if whole < 60:
        return sign + text(language, "unit.seconds", n=formats.number(language, whole))
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02}:{secs:02}"
    if days:
        return sign + text(language, "unit.days_clock", d=formats.number(language, days), clock=clock)
    if hours:
        return f"{sign}{clock}"
    return f"{sign}{minutes}:{secs:02}"


def show(value: float | None, unit: str, language: str = "en") -> str:
    if value is None:
        return "–"
    if unit == "rate":
        return formats.percent(language, value)
    if unit == "seconds":
        return duration(value, language)
    return formats.number(language, value)


def _change(row: dict[str, Any], unit: str, language: str) -> str:
    if row["change"] is None:
        return "–"
    if unit == "rate":
        absolute = text(language, "report.points", n=formats.signed(language, row["change"] * 100, 1))
    elif unit == "seconds":
        absolute = ("+" if row["change"] >= 0 else "") + duration(row["change"], language)
    elif unit == "count":
        absolute = formats.signed(language, row["change"])
    else:
        absolute = formats.signed(language, row["change"], 1)
    if row["change_pct"] is None:
        return absolute
    return f"{absolute} ({formats.signed(language, row['change_pct'], 1)}%)"


def _status(row: dict[str, Any], language: str) -> str:
    met = row.get("met")
    if met is None:
        return '<td class="status">–</td>'
    word = "met" if met else "missed"
    said = text(language, "report.met" if met else "report.missed")
    return f'<td class="status {word}">{escape(said)}</td>'


def _kpi_table(body: dict[str, Any], year: int, previous: int, language: str) -> str:
    rows = []
    for name, (_, unit) in KPIS.items():
        row = body["kpis"][name]
        target = (
            "–"
            if row.get("target") is None
            else ("≥ " if row["direction"] == "min" else "≤ ") + show(row["target"], unit, language)
        )
        rows.append(
            f'<tr data-kpi="{name}"><th>{escape(catalogue.name(language, "kpi", name))}</th>'
            f"<td>{show(row['value'], unit, language)}</td><td>{target}</td>{_status(row, language)}"
            f"<td>{show(row['last_year'], unit, language)}</td><td>{_change(row, unit, language)}</td></tr>"
        )
    t = {k: escape(text(language, k)) for k in ("report.figure", "report.target", "report.change")}
    return (
        f'<table class="kpis"><thead><tr><th>{t["report.figure"]}</th><th>{year}</th>'
        f"<th>{t['report.target']}</th><th></th><th>{previous}</th><th>{t['report.change']}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _volume_table(report: dict[str, Any], language: str) -> str:
    change = escape(text(language, "report.change"))
    head = "".join(
        f"<th>{escape(catalogue.name(language, 'volume', v))}</th><th>{change}</th>" for v in VOLUMES
    )
    rows = []
    total = {**report["overall"], "names": {language: text(language, "report.total")}}
    for channel, body in [*report["by_channel"].items(), ("total", total)]:
        cells = "".join(
            f"<td>{show(body['volumes'][v]['value'], 'count', language)}</td>"
            f"<td>{_change(body['volumes'][v], 'count', language)}</td>"
            for v in VOLUMES
        )
        label = escape(_named(body, channel, language))
        rows.append(f'<tr data-channel="{escape(channel)}"><th>{label}</th>{cells}</tr>')
    return (
        f'<table class="volumes"><thead><tr><th>{escape(text(language, "report.channel"))}</th>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _named(body: dict[str, Any], ident: str, language: str) -> str:
    return str(body.get("names", {}).get(language) or ident)


STYLE = """
body { font-family: system-ui, sans-serif; margin-block: 2rem; margin-inline: auto; max-width: 980px; }
body { color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-block-start: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { padding-block: .3rem; padding-inline: .5rem; border-bottom: 1px solid #eee; text-align: end; }
th:first-child { text-align: start; }
.status.met { color: #1d7a3a; font-weight: bold; } .status.missed { color: #b03a48; font-weight: bold; }
.chart { width: 100%; height: auto; margin-block: 1rem; }
.note { color: #666; font-size: .85rem; }
"""


def _moment(language: str, iso: str | None) -> str:
    if iso is None:
        return text(language, "report.not_caught_up")
    return formats.date_time(language, datetime.fromisoformat(iso.replace("Z", "+00:00")))


def _demand_chart(demand: list[dict[str, Any]], year: int, rtl: bool, language: str) -> str:
    """Tickets per week by intent (the busiest five, then the rest); nothing when no ticket had one."""
    if not any(any(d["weeks"]) for d in demand if d["intent"]):
        return ""
    weeks = max(len(d["weeks"]) for d in demand)
    return stacked_bars(
        text(language, "report.chart_demand_by_intent", year=year),
        [formats.number(language, w) for w in range(1, weeks + 1)],
        # The catalogue's intent names are unique per language (its test checks): no series hides another.
        {_named(d, d["intent"], language): d["weeks"] for d in demand},
        label_every=4,
        rtl=rtl,
        language=language,
    )


def to_html(report: dict[str, Any], language: str = "en") -> str:
    year, previous = report["year"], report["previous_year"]
    rtl = catalogue.DIRECTIONS[language] == "rtl"
    months = [formats.month(language, m["month"]) for m in report["months"]]
    volume_chart = grouped_bars(
        text(language, "report.chart_tickets_per_month", year=year),
        months,
        {catalogue.name(language, "volume", v): [m[v] for m in report["months"]] for v in VOLUMES},
        rtl=rtl,
        language=language,
    )
    channels = list(report["by_channel"])
    channel_chart = grouped_bars(
        text(language, "report.chart_incoming_per_channel", previous=previous, year=year),
        [_named(report["by_channel"][c], c, language) for c in channels],
        {
            str(previous): [report["by_channel"][c]["volumes"]["incoming"]["last_year"] for c in channels],
            str(year): [report["by_channel"][c]["volumes"]["incoming"]["value"] for c in channels],
        },
        rtl=rtl,
        language=language,
    )
    sl_chart = grouped_bars(
        text(language, "report.chart_service_level", year=year),
        months,
        {catalogue.name(language, "kpi", "service_level"): [m["service_level"] for m in report["months"]]},
        target=report["overall"]["kpis"]["service_level"].get("target"),
        rtl=rtl,
        language=language,
    )
    demand_chart = _demand_chart(report.get("demand_weeks", []), year, rtl, language)
    per_channel = "".join(
        f"<h3>{escape(_named(body, c, language))}</h3>{_kpi_table(body, year, previous, language)}"
        for c, body in report["by_channel"].items()
    )
    per_queue = "".join(
        f'<section data-queue="{escape(q)}"><h3>{escape(_named(body, q, language))}</h3>'
        f"{_kpi_table(body, year, previous, language)}</section>"
        for q, body in report["by_queue"].items()
    )
    thresholds = text(language, "page.list_separator").join(
        f"{escape(catalogue.name(language, 'channel', c))} {duration(t, language)}"
        for c, t in report["sl_threshold_s"].items()
    )
    formulas = "".join(
        f"<li><b>{escape(catalogue.name(language, 'kpi' if k in KPIS else 'volume', k))}</b>: "
        f"{escape(text(language, 'formula.' + k))}</li>"
        for k in report["formulas"]
    )
    zone = f'<span class="zone">{escape(report["time_zone"])}</span>'
    note = text(
        language,
        "report.note",
        year=year,
        previous=previous,
        zone="\x00zone\x00",
        formulas="\x00formulas\x00",
        generated=_moment(language, report["generated_at"]),
        through=_moment(language, report["recorded_through"]),
    )
    note = escape(note).replace("\x00zone\x00", zone)
    note = note.replace("\x00formulas\x00", f"<code>{escape(report['formula_version'])}</code>")
    title = escape(text(language, "report.heading", year=year))
    headings = ("report.key_figures", "report.volumes_per_channel", "report.per_channel", "report.per_queue",
                "report.definitions", "report.no_queue")  # fmt: skip
    h = {k.removeprefix("report."): escape(text(language, k)) for k in headings}
    sl_note = escape(text(language, "report.sl_thresholds", thresholds="\x00"))
    sl_note = sl_note.replace("\x00", thresholds)
    return f"""<!doctype html>
<html lang="{language}" dir="{catalogue.DIRECTIONS[language]}"><head><meta charset="utf-8">
<title>{title}</title>
<style>{STYLE}</style></head><body>
<h1>{title}</h1>
<p class="note">{note}</p>
<h2>{h["key_figures"]}</h2>
{_kpi_table(report["overall"], year, previous, language)}
{sl_chart}
<h2>{h["volumes_per_channel"]}</h2>
{_volume_table(report, language)}
{channel_chart}
{volume_chart}
{demand_chart}
{proactive_tables.section(report.get("proactive"), language)}
<h2>{h["per_channel"]}</h2>
{per_channel}
<h2>{h["per_queue"]}</h2>
{per_queue or f'<p class="note">{h["no_queue"]}</p>'}
<h2>{h["definitions"]}</h2>
<p class="note">{sl_note}</p>
<ul class="note">{formulas}</ul>
</body></html>
"""
