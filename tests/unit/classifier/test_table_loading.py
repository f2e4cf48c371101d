"""Loading the keyword routing table: the shipped default, and clear errors for broken tables."""

import copy
from pathlib import Path
from typing import Any

import pytest

from services.classifier import keyword_table
from services.classifier.keyword_table import RoutingTableError
from services.shared.domain import Priority
from tests.unit.classifier.bank_queues import BANK_QUEUES

VALID: dict[str, Any] = {
    "name": "keyword routing table",
    "version": "test-1",
    "min_score": 1,
    "confidence_smoothing": 1,
    "queues": {"cards": [{"intent": "activate_my_card", "en": ["activat*"], "ar": ["تفعيل*"]}]},
    "priority_rules": [{"name": "fraud", "priority": "urgent", "reason": "fraud", "en": ["fraud"]}],
    "tier_rules": [{"tiers": ["gold"], "raise_by": 1, "reason": "gold tier"}],
}


def broken(path: list[str | int], value: Any) -> dict[str, Any]:
    """VALID with the item at `path` replaced by `value` (or removed when value is ...)."""
    raw = copy.deepcopy(VALID)
    target: Any = raw
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return raw


def test_shipped_table_is_a_keyword_routing_table_for_the_eight_bank_queues() -> None:
    table = keyword_table.load()
    assert table.spec.name == "keyword routing table"
    assert table.version.startswith("keywords-")
    assert {rule.queue for rule in table.spec.rules} == BANK_QUEUES
    languages: dict[str, set[str]] = {queue: set() for queue in BANK_QUEUES}
    for rule in table.spec.rules:
        for term in rule.terms:
            languages[rule.queue].add("ar" if any("\u0600" <= ch <= "\u06ff" for ch in term.source) else "en")
    assert all(found == {"ar", "en"} for found in languages.values()), languages
    assert {rule.priority for rule in table.spec.priority.rules} == {Priority.URGENT, Priority.HIGH}


def test_valid_minimal_table_parses() -> None:
    table = keyword_table.parse(VALID, "t.yaml")
    assert table.version == "test-1"
    assert [rule.intent for rule in table.spec.rules] == ["activate_my_card"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (["not", "a", "mapping"], "t.yaml: top level: must be a YAML mapping"),
        (broken(["version"], ...), "t.yaml: top level: 'version' is missing"),
        (broken(["version"], " "), "t.yaml: version: must not be empty"),
        (broken(["min_score"], "high"), "t.yaml: min_score: must be a number, not 'high'"),
        (broken(["min_score"], True), "t.yaml: min_score: must be a number, not True"),
        (broken(["confidence_smoothing"], -1), "t.yaml: confidence_smoothing: must be at least 0"),
        (broken(["queues"], {}), "t.yaml: queues: must map each queue name"),
        (broken(["queues", "triage"], [{"intent": "x", "en": ["x"]}]), "queues.triage: queue name must be"),
        (broken(["queues", "cards"], []), "queues.cards: must be a non-empty list of rules"),
        (broken(["queues", "cards", 0, "intent"], ...), "queues.cards[0]: 'intent' is missing"),
        (
            broken(["queues", "cards", 0, "en"], "activate"),
            "queues.cards[0] (activate_my_card).en: must be a list",
        ),
        (broken(["queues", "cards", 0, "colour"], "red"), "unknown key(s) colour"),
        (broken(["queues", "cards", 0, "generic"], "yes"), "queues.cards[0].generic: must be true or false"),
        (broken(["queues", "cards", 0], {"intent": "x"}), "queues.cards[0] (x): has no terms"),
        (
            broken(["queues", "cards", 0, "en", 0], "a*"),
            "en[0]: term 'a*': a prefix needs at least 3 letters",
        ),
        (broken(["queues", "cards", 0, "en", 0], {"card": 0}), "en[0]: term 'card': weight must be above 0"),
        (broken(["queues", "cards", 0, "en", 0], {"card": "x"}), "en[0]: must be a term or {term: weight}"),
        (broken(["queues", "cards", 0, "en", 0], "بطاقة"), "en[0]: 'بطاقة' is written in the 'ar' script"),
        (broken(["queues", "cards", 0, "ar", 0], "card"), "ar[0]: 'card' is written in the 'en' script"),
        (
            broken(["queues", "cards", 0, "en"], ["top up", "top-up"]),
            "queues.cards[0]: 'top-up' repeats 'top up' of queue cards",
        ),
        (
            broken(["queues", "cards", 0, "en"], ["pin + blocked", "blocked + pin"]),
            "'blocked + pin' repeats 'pin + blocked'",
        ),
        (
            broken(["priority_rules", 0, "priority"], "asap"),
            "priority_rules[0].priority: must be one of low,",
        ),
        (
            broken(["priority_rules", 0, "priority"], "normal"),
            "rules only raise priority: must be above normal",
        ),
        (broken(["priority_rules", 0, "reason"], ...), "priority_rules[0]: 'reason' is missing"),
        (
            broken(["priority_rules", 0, "intents"], "fraud"),
            "priority_rules[0].intents: must be a list of intent",
        ),
        (
            broken(["priority_rules", 0, "intents"], [""]),
            "priority_rules[0].intents: must be a list of intent",
        ),
        (broken(["tier_rules", 0, "tiers"], []), "tier_rules[0].tiers: must be a non-empty list"),
        (broken(["tier_rules", 0, "raise_by"], 0), "tier_rules[0].raise_by: must be at least 1"),
        (broken(["tier_rules", 0, "raise_by"], 1.5), "tier_rules[0].raise_by: must be a whole number"),
        (broken(["name"], 7), "t.yaml: name: must be text, not 7"),
        (broken(["default_priority"], "meh"), "default_priority: must be one of"),
    ],
)
def test_broken_tables_are_refused_with_the_place_of_the_mistake(raw: Any, message: str) -> None:
    with pytest.raises(RoutingTableError) as caught:
        keyword_table.parse(raw, "t.yaml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("t.yaml: ")


def test_load_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RoutingTableError, match=r"nope\.yaml: cannot read the routing table"):
        keyword_table.load(tmp_path / "nope.yaml")


def test_load_names_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "table.yaml"
    path.write_text("queues: [unclosed\n", encoding="utf-8")
    with pytest.raises(RoutingTableError, match=r"table\.yaml: not valid YAML"):
        keyword_table.load(path)
