"""The catalogues walked: the same keys in Arabic and English, each translated, each used, every key the
pages, the report and the workers use present; the language chosen; numbers and dates per locale."""

import json
import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.pages.localize import localize
from gateway.reports.view import FORMULAS, KPIS, VOLUMES
from services.classifier import intents
from services.shared.domain import CHANNELS
from services.shared.i18n import catalogue, choice, formats
from services.shared.store.agents import PRESENCES
from services.shared.ticket_states import TRANSITIONS

ROOT = Path(__file__).resolve().parents[3]
# The customer's survey page is rendered by gateway/actions/survey_page.py (listed below), not localize;
# the quality page switches language in place and gets both languages' words from its route (listed).
OWN_WORDS = {ROOT / "gateway" / "pages" / "survey.html", ROOT / "gateway" / "pages" / "quality.html"}
PAGES = [
    *sorted(p for p in (ROOT / "gateway" / "pages").glob("*.html") if p not in OWN_WORDS),
    ROOT / "gateway" / "pages" / "i18n.js",
    # The chat widget's script gets the `widget.*` words of both languages from its route.
    ROOT / "gateway" / "pages" / "widget.js",
]
# Python that reads the catalogues: the report, the workers' texts and notifications, the store's note.
PYTHON = [
    ROOT / "gateway" / "reports" / "render.py",
    ROOT / "gateway" / "reports" / "view.py",
    ROOT / "gateway" / "reports" / "proactive_tables.py",
    ROOT / "services" / "workers" / "survey_text.py",
    ROOT / "services" / "workers" / "escalation.py",
    ROOT / "services" / "shared" / "store" / "surveys.py",
    ROOT / "gateway" / "actions" / "survey_page.py",
    ROOT / "gateway" / "routes" / "quality.py",
    ROOT / "services" / "shared" / "proactive" / "policy.py",
    ROOT / "gateway" / "documents" / "document_answers.py",
]
NAMESPACES = (
    "page",
    "unit",
    "console",
    "supervisor",
    "wallboard",
    "report",
    "survey",
    "surveypage",
    "quality",
    "notify",
    "proactive",
    "docanswer",
)
ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
# Key families looked up by an id the code holds: each must name exactly these ids.
FAMILIES = {
    "channel": set(CHANNELS),
    "presence": set(PRESENCES),
    "status": {s for t in TRANSITIONS.values() for s in (*t.sources, t.target)},
    "kpi": set(KPIS),
    "volume": set(VOLUMES),
    "formula": set(FORMULAS),
    # Every intent the shipped classifier can name (its label lists and keyword table): a new one
    # without its names fails here. The gateway only looks names up (services/shared/i18n/intent_names.py).
    "intent": intents.emitted(),
}


def _used_keys() -> set[str]:
    found: set[str] = set()
    for page in PAGES:
        source = page.read_text(encoding="utf-8")
        found |= set(re.findall(r"\{\{\s*([a-z0-9_.]+)\s*\}\}", source))
        found |= set(re.findall(r"\bt\(\"([a-z0-9_.]+)\"", source))
    literal = re.compile(r"[\"']((?:" + "|".join(NAMESPACES) + r")\.[a-z0-9_]+)[\"']")
    for module in PYTHON:
        found |= set(literal.findall(module.read_text(encoding="utf-8")))
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys() -> None:
    arabic, english = catalogue.messages("ar"), catalogue.messages("en")
    assert sorted(arabic.keys() - english.keys()) == [] and sorted(english.keys() - arabic.keys()) == []


def test_no_key_is_left_untranslated() -> None:
    arabic, english = catalogue.messages("ar"), catalogue.messages("en")
    empty = [k for k in arabic if not arabic[k].strip() or not english[k].strip()]
    # An Arabic text with no Arabic letter is English (or a key) copied in, not a translation.
    untranslated = [k for k, v in arabic.items() if not ARABIC_LETTER.search(v)]
    english_with_arabic = [k for k, v in english.items() if ARABIC_LETTER.search(v)]
    assert empty == [] and untranslated == [] and english_with_arabic == []


def test_each_text_has_the_same_placeholders_in_both_languages() -> None:
    arabic, english = catalogue.messages("ar"), catalogue.messages("en")
    differ = [k for k in arabic if _placeholders(arabic[k]) != _placeholders(english[k])]
    assert differ == []


def test_every_key_used_exists_and_every_key_is_used() -> None:
    keys = catalogue.messages("en").keys()
    used = _used_keys()
    assert sorted(used - keys) == [], "used but in no catalogue"
    by_family = {f"{family}.{ident}" for family, ids in FAMILIES.items() for ident in ids}
    assert sorted(by_family - keys) == [], "an id of a family without its name"
    unused = sorted(k for k in keys - used - by_family)
    assert unused == [], "in the catalogues but used nowhere"


@pytest.mark.parametrize("language", catalogue.LANGUAGES)
def test_intent_names_are_distinct_so_a_chart_or_list_never_shows_two_alike(language: str) -> None:
    shown = [v for k, v in catalogue.messages(language).items() if k.startswith("intent.")]
    assert len(shown) == len(FAMILIES["intent"]) and sorted(v for v in shown if shown.count(v) > 1) == []


@pytest.mark.parametrize("page", [p for p in PAGES if p.suffix == ".html"], ids=lambda p: p.name)
@pytest.mark.parametrize("language", catalogue.LANGUAGES)
def test_a_page_served_in_a_language_has_no_placeholder_left(page: Path, language: str) -> None:
    served = localize(page.read_text(encoding="utf-8"), language)
    assert "{{" not in served and "/*@i18n.js*/" not in served
    assert f'<html lang="{language}" dir="{catalogue.DIRECTIONS[language]}"' in served
    embedded = re.search(r'<script type="application/json" id="messages">(.*?)</script>', served, re.S)
    assert embedded and json.loads(embedded.group(1)) == catalogue.messages(language)


@pytest.mark.parametrize(
    ("setting", "query", "header", "chosen"),
    [
        (None, None, None, "ar"),  # nobody said: Arabic first
        (None, None, "en-GB,en;q=0.9", "en"),
        (None, None, "fr-FR, en;q=0.5, ar;q=0.8", "ar"),  # by quality, not order
        (None, None, "fr, de", "ar"),
        (None, None, "en;q=0, ar", "ar"),
        (None, "en", "ar", "en"),  # ?lang= beats the browser
        ("ar", "en", "en", "ar"),  # the person's setting beats both
        (None, "xx", "en", "en"),  # an unknown ?lang= is ignored
    ],
)
def test_the_language_chosen(setting: str | None, query: str | None, header: str | None, chosen: str) -> None:
    assert choice.choose(setting, query, header) == chosen


def test_ar_ae_writes_latin_digits_as_cldr_says_and_arabic_month_names() -> None:
    assert formats.number("ar", 1234567) == "1,234,567"
    assert "87.5" in formats.percent("ar", 0.875) and "%" in formats.percent("ar", 0.875)
    moment = datetime(2026, 3, 1, 9, 5, tzinfo=UTC)
    assert "مارس" not in formats.date_time("en", moment) and "Mar" in formats.date_time("en", moment)
    assert formats.month("ar", 3) == "مارس" and formats.month("en", 3) == "Mar"


def test_both_puts_arabic_first() -> None:
    both = catalogue.both("notify.comment", comment="x")
    assert both.index("التعليق") < both.index("Comment")
