"""Priority rules of the shipped table: urgent wording, angry wording, customer tiers."""

import pytest

from services.classifier import keyword_table
from services.classifier.keyword_table import KeywordTable
from services.classifier.priority import DEFAULT_REASON
from services.classifier.terms import IndexedText
from services.classifier.text import tokens
from services.shared.domain import Priority


@pytest.fixture(scope="module")
def shipped() -> KeywordTable:
    return keyword_table.load()


def assess(table: KeywordTable, text: str, tier: str = "") -> tuple[Priority, str]:
    decision = table.decide(text=text, subject="", channel="phone", language_hint="", customer_tier=tier)
    return decision.priority, decision.priority_reason


@pytest.mark.parametrize(
    ("text", "priority", "reason"),
    [
        ("I think this is fraud", Priority.URGENT, "suspected fraud or a compromised card"),
        (
            "Someone is using my card without my permission",
            Priority.URGENT,
            "suspected fraud or a compromised card",
        ),
        ("أعتقد أن هناك احتيال على حسابي", Priority.URGENT, "suspected fraud or a compromised card"),
        ("My card was stolen on the train", Priority.URGENT, "lost or stolen card"),
        ("I lost my card", Priority.URGENT, "lost or stolen card"),
        ("سُرقت بطاقتي", Priority.URGENT, "lost or stolen card"),
        ("فقدت بطاقتي في المطار", Priority.URGENT, "lost or stolen card"),
        ("There is a payment I don't recognise", Priority.HIGH, "unauthorised or unrecognised transaction"),
        ("في دفعة ما عملتها", Priority.HIGH, "unauthorised or unrecognised transaction"),
        ("This is ridiculous, I'm fed up with waiting", Priority.HIGH, "angry or distressed wording"),
        ("هذا غير مقبول، خدمة سيئة جدا", Priority.HIGH, "angry or distressed wording"),
        ("How do I activate my card?", Priority.NORMAL, DEFAULT_REASON),
    ],
)
def test_wording_rules(shipped: KeywordTable, text: str, priority: Priority, reason: str) -> None:
    assert assess(shipped, text) == (priority, reason)


def test_the_most_urgent_rule_wins(shipped: KeywordTable) -> None:
    assert assess(shipped, "This is outrageous: my card was stolen") == (
        Priority.URGENT,
        "lost or stolen card",
    )


def test_priority_tiers_go_one_step_up(shipped: KeywordTable) -> None:
    assert assess(shipped, "How do I activate my card?", tier="Gold") == (
        Priority.HIGH,
        "priority customer tier",
    )
    assert assess(shipped, "This is ridiculous", tier="vip") == (
        Priority.URGENT,
        "angry or distressed wording; priority customer tier",
    )
    assert assess(shipped, "How do I activate my card?", tier="standard") == (Priority.NORMAL, DEFAULT_REASON)


def test_urgent_stays_urgent_for_a_priority_tier(shipped: KeywordTable) -> None:
    assert assess(shipped, "my card was stolen", tier="gold") == (Priority.URGENT, "lost or stolen card")


def test_priority_applies_even_when_nothing_routes(shipped: KeywordTable) -> None:
    decision = shipped.decide(
        text="This is unacceptable!", subject="", channel=None, language_hint="", customer_tier=""
    )
    assert (decision.queue, decision.priority) == ("triage", Priority.HIGH)


def test_a_rule_also_matches_the_intents_it_names(shipped: KeywordTable) -> None:
    policy = shipped.spec.priority
    words = IndexedText(tokens("please help me"))
    assert policy.assess(words, "") == (Priority.NORMAL, DEFAULT_REASON)
    assert policy.assess(words, "", intent="lost_or_stolen_card") == (Priority.URGENT, "lost or stolen card")
    assert policy.assess(words, "", intent="card_payment_not_recognised") == (
        Priority.HIGH,
        "unauthorised or unrecognised transaction",
    )
    assert policy.assess(words, "gold", intent="card_arrival") == (Priority.HIGH, "priority customer tier")
