"""Validation figures from hand-made decisions."""

import pytest

from services.classifier.evaluate.validation import Routed, figures, per_queue
from services.classifier.train.datasets import Example


def row(source: str, language: str, queue: str, intent: str, routed: str, routed_intent: str = "") -> tuple:
    right = routed == queue or (queue, routed) == ("out_of_scope", "triage")
    return Example("t", intent, queue, language, source), Routed(routed, routed_intent, 0.9, right)


ROWS = [
    row("banking77", "en", "cards", "card_arrival", "cards", "card_arrival"),
    row("banking77", "en", "cards", "card_arrival", "cards", "card_linking"),
    row("banking77", "en", "top_up", "top_up_failed", "triage"),
    row("arbanking77", "ar", "cards", "card_arrival", "cards", "card_arrival"),
    row("arbanking77", "ar", "top_up", "top_up_failed", "cards", "card_arrival"),
    row("clinc150_oos", "en", "out_of_scope", "out_of_scope", "triage"),
    row("clinc150_oos", "en", "out_of_scope", "out_of_scope", "cards"),
    row("clinc150", "en", "out_of_scope", "out_of_scope", "triage"),
]


def test_figures() -> None:
    result = figures(ROWS)
    assert result["accuracy_banking77"] == pytest.approx(2 / 3) and result["accuracy_ar"] == 0.5
    assert result["intent_accuracy_en"] == pytest.approx(1 / 3)
    assert result["to_triage_en"] == pytest.approx(1 / 3)
    assert result["oos_recall"] == 0.5 and result["other_domains_to_triage"] == 1.0
    assert result["in_scope_to_triage"] == pytest.approx(1 / 5)
    # Every decision was 0.9 sure: 5 of 8 right.
    assert result["ece"] == pytest.approx(abs(0.9 - 5 / 8))


def test_per_queue_counts_out_of_scope_as_triage() -> None:
    table = per_queue(ROWS)
    assert set(table) == {"cards", "top_up", "triage"}
    assert table["cards"]["recall"] == 1.0 and table["cards"]["precision"] == pytest.approx(3 / 5)
    assert table["triage"]["rows"] == 3 and table["triage"]["recall"] == pytest.approx(2 / 3)
    assert table["top_up"]["f1"] == 0.0
