"""The yearly report's view (targets, changes), its CSV and HTML, and the SVG charts (pure)."""

import csv
import io

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from ticketing.v1 import metrics_pb2

from gateway.reports import render as report_render
from gateway.reports import svg_charts
from gateway.reports import view as report_view
from services.shared.domain import CHANNELS
from services.shared.kpi_targets import DEFAULT_TABLE, parse


def year(number: int, **overall) -> metrics_pb2.ReportYear:
    y = metrics_pb2.ReportYear(year=number, overall=metrics_pb2.KpiFigures(**overall))
    for c in CHANNELS:
        y.by_channel[c].CopyFrom(
            metrics_pb2.KpiFigures(**overall) if c == "phone" else metrics_pb2.KpiFigures()
        )
        y.channel_months[c].months.extend(metrics_pb2.KpiFigures() for _ in range(12))
    y.months.extend(metrics_pb2.KpiFigures(incoming=m) for m in range(12))
    return y


def reply() -> metrics_pb2.GetReportResponse:
    return metrics_pb2.GetReportResponse(
        current=year(2025, incoming=120, answered=90, fcr=0.95, asa_s=25.0, service_level=0.85),
        previous=year(2024, incoming=100, answered=90, fcr=0.90),
        formula_version="kpis-2",
        generated_at=Timestamp(seconds=1_760_000_000),
        sl_threshold_s={"phone": 20},
        time_zone="Asia/Dubai",
    )


def test_each_kpi_against_target_and_last_year():
    report = report_view.build(reply(), DEFAULT_TABLE)
    fcr = report["overall"]["kpis"]["fcr"]
    assert (fcr["value"], fcr["target"], fcr["met"], fcr["last_year"]) == (0.95, 0.9, True, 0.9)
    assert fcr["change"] == pytest.approx(0.05) and fcr["change_pct"] == pytest.approx(5.555555)
    asa = report["overall"]["kpis"]["asa_s"]
    assert (asa["met"], asa["last_year"], asa["change"]) == (False, None, None)
    incoming = report["by_channel"]["phone"]["volumes"]["incoming"]
    assert (incoming["change"], incoming["change_pct"]) == (20, 20.0)
    assert report["by_channel"]["chat"]["volumes"]["incoming"]["change_pct"] is None  # 0 last year
    assert [m["incoming"] for m in report["months"]] == list(range(12))


def test_targets_per_channel_override_the_overall_ones():
    table = parse("asa_s=30,phone.asa_s=10", CHANNELS)
    report = report_view.build(reply(), table)
    assert report["overall"]["kpis"]["asa_s"]["met"] is True
    assert (
        report["by_channel"]["phone"]["kpis"]["asa_s"] | {} == report["by_channel"]["phone"]["kpis"]["asa_s"]
    )
    assert report["by_channel"]["phone"]["kpis"]["asa_s"]["target"] == 10.0
    with pytest.raises(ValueError, match="bad KPI target"):
        parse("fax.asa_s=3", CHANNELS)
    with pytest.raises(ValueError, match="not a number"):
        parse("asa_s=soon", CHANNELS)


def test_csv_has_a_row_per_figure_and_html_has_charts():
    report = report_view.build(reply(), DEFAULT_TABLE)
    rows = list(csv.DictReader(io.StringIO(report_render.to_csv(report))))
    sections = {(r["section"], r["name"]) for r in rows}
    assert ("overall", "all") in sections and ("channel", "email") in sections
    fcr = next(r for r in rows if r["section"] == "overall" and r["figure"] == "fcr")
    assert (fcr["value"], fcr["met"], fcr["last_year"]) == ("0.95", "true", "0.9")
    page = report_render.to_html(report)
    assert page.count("<svg") == 3 and "Contact centre report 2025" in page


def test_chart_axes_round_up_and_missing_bars_are_left_out():
    assert [svg_charts._nice_top(v) for v in (0, 0.7, 3, 120, 1000)] == [1.0, 1.0, 5.0, 200.0, 1000.0]
    chart = svg_charts.grouped_bars("t", ["a", "b"], {"x": [1, None]})
    assert chart.count("<rect") == 2  # one bar and one legend swatch


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0 s"),
        (42.4, "42 s"),
        (187, "3:07"),
        (3723, "1:02:03"),
        (8_770_342.7, "101 d 12:12:23"),
        (-90, "-1:30"),
    ],
)
def test_durations_read_as_people_read_them(seconds: float, shown: str) -> None:
    assert report_render.duration(seconds) == shown


def test_html_shows_durations_as_times_and_has_the_per_queue_section():
    answer = reply()
    answer.current.by_queue["cards"].CopyFrom(metrics_pb2.KpiFigures(incoming=7, aht_s=8_770_342.7))
    page = report_render.to_html(report_view.build(answer, DEFAULT_TABLE))
    assert "<h2>Per queue</h2>" in page and '<section data-queue="cards">' in page
    assert "101 d 12:12:23" in page and "8,770,342.7" not in page
    assert "<td>25 s</td>" in page  # the overall ASA


def test_the_report_names_the_zone_of_its_years_in_json_csv_and_html():
    report = report_view.build(reply(), DEFAULT_TABLE)
    assert report["time_zone"] == "Asia/Dubai"
    rows = list(csv.DictReader(io.StringIO(report_render.to_csv(report))))
    assert (rows[0]["section"], rows[0]["figure"], rows[0]["value"]) == ("report", "time_zone", "Asia/Dubai")
    assert '<span class="zone">Asia/Dubai</span>' in report_render.to_html(report)
    # A metrics service from before the setting names none: its figures were cut in UTC.
    older = reply()
    older.ClearField("time_zone")
    assert report_view.build(older, DEFAULT_TABLE)["time_zone"] == "UTC"
