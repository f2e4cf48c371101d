"""The yearly report's proactive messages in Arabic and English: messages sent by kind and channel with
those held back and stale, and the repeat-contact rate of tickets told of their resolution beside the rest."""

import re

import pytest

from gateway.reports import render as report_render
from gateway.reports import view as report_view
from services.shared.i18n import catalogue, formats
from services.shared.kpi_targets import DEFAULT_TABLE
from tests.unit.gateway.test_report_view import reply

FIGURES = {
    "year": 2026,
    "time_zone": "Asia/Dubai",
    "counts": [
        {"kind": "resolved", "channel": "chat", "outcome": "sent", "count": 412},
        {"kind": "resolved", "channel": "email", "outcome": "sent", "count": 1250},
        {"kind": "resolved", "channel": "phone", "outcome": "suppressed", "count": 30},
        {"kind": "taken", "channel": "chat", "outcome": "stale", "count": 5},
        {"kind": "taken", "channel": "chat", "outcome": "sent", "count": 300},
        {"kind": "wait", "channel": "email", "outcome": "sent", "count": 7},
    ],
    "window_days": 7,
    "told": {"resolved": 1662, "repeated": 133, "rate": 133 / 1662},
    "not_told": {"resolved": 150, "repeated": 21, "rate": 0.14},
}


def _page(language: str, figures: dict | None = FIGURES) -> str:
    return report_render.to_html(report_view.build(reply(), DEFAULT_TABLE, None, figures), language)


def _cells(table: str, row: str) -> list[str]:
    found = re.search(rf"<tr {row}>(.*?)</tr>", table, re.S)
    assert found, row
    return re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found.group(1))


@pytest.mark.parametrize("language", ["ar", "en"])
def test_messages_by_kind_and_channel_and_the_repeat_rates(language: str) -> None:
    page = _page(language)
    section = re.search(r'<section id="proactive">.*?</section>', page, re.S)
    assert section is not None
    html = section.group(0)
    assert f"<h2>{catalogue.text(language, 'report.proactive_heading')}</h2>" in html
    counts = re.search(r'<table class="proactive-counts">.*?</table>', html, re.S).group(0)
    # Columns: the kind, the channels seen in the domain's order, then sent, held back and stale.
    head = re.findall(r"<th>(.*?)</th>", re.search(r"<thead>(.*?)</thead>", counts).group(1))
    assert head == [
        catalogue.text(language, "report.proactive_kind"),
        *(catalogue.name(language, "channel", c) for c in ("phone", "chat", "email")),
        *(catalogue.text(language, f"report.proactive_{o}") for o in ("sent", "suppressed", "stale")),
    ]
    n = lambda v: formats.number(language, v)  # noqa: E731
    # In the order a ticket meets them; a kind never decided has no row.
    assert re.findall(r'data-kind="(\w+)"', counts) == ["wait", "taken", "resolved"]
    resolved = _cells(counts, 'data-kind="resolved"')
    assert resolved == [catalogue.text(language, "report.proactive_resolved"), n(0), n(412), n(1250),
                        n(1662), n(30), n(0)]  # fmt: skip
    assert _cells(counts, 'data-kind="taken"')[1:] == [n(0), n(300), n(0), n(300), n(0), n(5)]

    repeats = re.search(r'<table class="proactive-repeats">.*?</table>', html, re.S).group(0)
    assert _cells(repeats, 'data-group="told"') == [
        catalogue.text(language, "report.proactive_told"),
        n(1662),
        n(133),
        formats.percent(language, 133 / 1662),
    ]
    assert _cells(repeats, 'data-group="not_told"')[3] == formats.percent(language, 0.14)
    assert catalogue.text(language, "report.proactive_repeated", days=n(7)) in repeats
    assert catalogue.text(language, "report.proactive_repeat_heading", days=n(7)) in html


def test_nothing_decided_says_so_and_no_rate_without_resolved_tickets() -> None:
    quiet = FIGURES | {"counts": [], "told": {"resolved": 0, "repeated": 0, "rate": None}}
    page = _page("ar", quiet)
    assert catalogue.text("ar", "report.proactive_none") in page and "proactive-counts" not in page
    assert _cells(page, 'data-group="told"')[1:] == ["0", "0", "–"]


def test_without_the_figures_no_section_and_the_json_carries_them() -> None:
    assert 'id="proactive"' not in _page("en", None)
    report = report_view.build(reply(), DEFAULT_TABLE, None, FIGURES)
    assert report["proactive"]["told"]["repeated"] == 133 and len(report["proactive"]["counts"]) == 6
    assert "year" not in report["proactive"]
