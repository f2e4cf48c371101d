"""The yearly report's demand chart: tickets per week by intent, stacked, in Arabic and English."""

import re

import pytest
from ticketing.v1 import metrics_pb2

from gateway.reports import render as report_render
from gateway.reports import view as report_view
from services.shared.i18n import catalogue
from services.shared.kpi_targets import DEFAULT_TABLE
from tests.unit.gateway.test_report_view import reply


def _with_demand() -> metrics_pb2.GetReportResponse:
    answer = reply()
    weeks = [0] * 52
    weeks[9] = 16
    answer.demand.add(intent="card_arrival", weeks=weeks)
    answer.demand.add(intent="", weeks=[1] * 52)
    return answer


def test_the_json_carries_the_weeks_per_intent() -> None:
    report = report_view.build(_with_demand(), DEFAULT_TABLE)
    assert report["demand_weeks"][0]["intent"] == "card_arrival"
    assert report["demand_weeks"][0]["names"] == {
        "ar": catalogue.text("ar", "intent.card_arrival"),
        "en": catalogue.text("en", "intent.card_arrival"),
    }
    assert report["demand_weeks"][1]["names"]["ar"] == catalogue.text("ar", "report.demand_other")
    assert report["demand_weeks"][0]["weeks"][9] == 16 and len(report["demand_weeks"][1]["weeks"]) == 52


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_chart_stacks_each_week_in_the_pages_language(language: str) -> None:
    page = report_render.to_html(report_view.build(_with_demand(), DEFAULT_TABLE), language)
    chart = re.search(r'<svg[^>]*class="chart stacked"[^>]*>.*?</svg>', page, re.S)
    assert chart is not None
    svg = chart.group(0)
    year = report_view.build(_with_demand(), DEFAULT_TABLE)["year"]
    assert catalogue.text(language, "report.chart_demand_by_intent", year=year) in svg
    assert f'direction="{catalogue.DIRECTIONS[language]}"' in svg
    # The legend names the intent as the catalogue does, in the page's language, not by its id.
    assert f">{catalogue.text(language, 'intent.card_arrival')}</text>" in svg and "card_arrival" not in svg
    assert catalogue.text(language, "report.demand_other") in svg
    # Week 10: 16 card_arrival tickets and one other, two segments.
    assert svg.count("<rect") == 52 + 1 + 2


def test_no_intents_no_chart() -> None:
    assert 'class="chart stacked"' not in report_render.to_html(report_view.build(reply(), DEFAULT_TABLE))
    # Tickets the classifier named no intent for: nothing to tell apart.
    only_other = reply()
    only_other.demand.add(intent="", weeks=[3] * 52)
    assert 'class="chart stacked"' not in report_render.to_html(report_view.build(only_other, DEFAULT_TABLE))


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_taxonomys_intent_is_named_as_its_queue_and_an_unknown_one_humanised(language: str) -> None:
    answer = reply()
    answer.demand.add(intent="vat_refunds", weeks=[2] * 52)
    answer.demand.add(intent="visa_letter", weeks=[1] * 52)
    queues = {"vat_refunds": {"ar": "استرداد ضريبة القيمة المضافة", "en": "VAT refunds"}}
    svg = report_render.to_html(report_view.build(answer, DEFAULT_TABLE, queues), language)
    assert f">{queues['vat_refunds'][language]}</text>" in svg and ">visa letter</text>" in svg
