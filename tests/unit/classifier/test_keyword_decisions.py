"""Decisions of the keyword table: queues for English and Arabic inquiries, triage, confidence."""

from typing import Any

import pytest

from services.classifier import keyword_table
from services.classifier.decision import MATCHED, NO_MATCH, TRIAGE_QUEUE, Decision
from services.classifier.keyword_table import KeywordTable
from services.shared.domain import Priority


@pytest.fixture(scope="module")
def shipped() -> KeywordTable:
    return keyword_table.load()


def decide(table: KeywordTable, text: str, subject: str = "", hint: str = "", tier: str = "") -> Decision:
    return table.decide(text=text, subject=subject, channel="chat", language_hint=hint, customer_tier=tier)


@pytest.mark.parametrize(
    ("text", "queue", "intent"),
    [
        ("How do I activate my new card?", "cards", "activate_my_card"),
        ("I want to change my PIN", "cards", "change_pin"),
        ("Can I use Apple Pay to top up?", "cards", "apple_pay_or_google_pay"),
        (
            "My transfer to my landlord hasn't arrived yet",
            "transfers_payments",
            "transfer_not_received_by_recipient",
        ),
        ("My top up is still pending", "top_up", "pending_top_up"),
        ("I forgot my passcode", "account_identity", "passcode_forgotten"),
        ("Why was I charged a fee for my transfer?", "fees_charges", "transfer_fee_charged"),
        (
            "There is a direct debit on my account I didn't set up",
            "disputes_fraud",
            "direct_debit_payment_not_recognised",
        ),
        ("I was charged twice for the same coffee", "disputes_fraud", "transaction_charged_twice"),
        ("What is your exchange rate for US dollars?", "exchange_currency", "exchange_rate"),
        ("What countries do you operate in?", "general", "country_support"),
    ],
)
def test_english_inquiries(shipped: KeywordTable, text: str, queue: str, intent: str) -> None:
    decision = decide(shipped, text)
    assert (decision.queue, decision.intent, decision.language, decision.reason) == (
        queue,
        intent,
        "en",
        MATCHED,
    )
    assert 0 < decision.confidence <= 1
    assert decision.explanation and decision.model_version == shipped.version


@pytest.mark.parametrize(
    ("text", "queue", "intent"),
    [
        ("كيف أُفعّل بطاقتي الجديدة؟", "cards", "activate_my_card"),
        ("بدي أغير الرقم التعريفي تاعي", "cards", "change_pin"),
        (
            "لقد أرسلت المال إلى صديقي لكنه لم يصله",
            "transfers_payments",
            "transfer_not_received_by_recipient",
        ),
        ("تعبئة الرصيد لا تزال معلقة", "top_up", "pending_top_up"),
        ("نسيت رمز المرور", "account_identity", "passcode_forgotten"),
        ("أريد تغيير عنواني", "account_identity", "edit_personal_details"),
        ("لماذا تم خصم رسوم على التحويل؟", "fees_charges", "transfer_fee_charged"),
        ("هناك دفعة لا أتعرف عليها في كشف حسابي", "disputes_fraud", "card_payment_not_recognised"),
        ("ما هو سعر الصرف للدولار؟", "exchange_currency", "exchange_rate"),
        ("ما هو العمر المطلوب لفتح حساب لابني؟", "general", "age_limit"),
    ],
)
def test_arabic_inquiries(shipped: KeywordTable, text: str, queue: str, intent: str) -> None:
    decision = decide(shipped, text)
    assert (decision.queue, decision.intent, decision.language, decision.reason) == (
        queue,
        intent,
        "ar",
        MATCHED,
    )


def test_subject_counts_like_text(shipped: KeywordTable) -> None:
    assert decide(shipped, "", subject="Card stolen").queue == "disputes_fraud"
    assert decide(shipped, "please help", subject="exchange rate").queue == "exchange_currency"


def test_nothing_matched_goes_to_triage(shipped: KeywordTable) -> None:
    decision = decide(shipped, "Hello, good morning")
    assert (decision.queue, decision.intent, decision.reason, decision.confidence) == (
        TRIAGE_QUEUE,
        "",
        NO_MATCH,
        0.0,
    )
    assert decision.priority == Priority.NORMAL and decision.faq_answer == ""
    assert decide(shipped, "مرحبا، صباح الخير").queue == TRIAGE_QUEUE


def test_language_hint_decides_only_when_the_text_cannot(shipped: KeywordTable) -> None:
    assert decide(shipped, "123 ???", hint="ar").language == "ar"
    assert decide(shipped, "123 ???", hint="fr").language == "und"
    assert decide(shipped, "My card was stolen", hint="ar").language == "en"


def test_only_the_opening_of_a_long_message_is_read(shipped: KeywordTable) -> None:
    padding = "lorem ipsum " * (keyword_table.MAX_CHARS // 12 + 1)
    assert decide(shipped, padding + "my card was stolen").queue == TRIAGE_QUEUE
    assert decide(shipped, "my card was stolen " + padding).queue == "disputes_fraud"


def small_table(**overrides: Any) -> KeywordTable:
    raw: dict[str, Any] = {
        "name": "keyword routing table",
        "version": "test-1",
        "min_score": 1,
        "confidence_smoothing": 1,
        "queues": {
            "alpha": [
                {"intent": "alpha_any", "generic": True, "en": [{"shared": 0.5}]},
                {"intent": "alpha_one", "en": [{"apple": 2}]},
                {"intent": "alpha_two", "en": [{"pear": 1}, {"plum": 1}]},
            ],
            "beta": [{"intent": "beta_one", "en": [{"kiwi": 1}, {"lime": 2}, {"shared": 1}]}],
        },
        **overrides,
    }
    return keyword_table.parse(raw, "small.yaml")


def test_confidence_is_the_margin_over_best_plus_smoothing() -> None:
    decision = decide(small_table(), "apple kiwi")
    # alpha scores 2, beta 1: (2 - 1) / (2 + 1)
    assert (decision.queue, decision.confidence) == ("alpha", pytest.approx(1 / 3, abs=1e-4))
    decision = decide(small_table(confidence_smoothing=0), "apple")
    assert decision.confidence == 1.0


def test_a_tie_goes_to_the_queue_first_in_the_file_with_zero_confidence() -> None:
    decision = decide(small_table(), "apple lime")
    assert (decision.queue, decision.intent, decision.confidence) == ("alpha", "alpha_one", 0.0)


def test_explanation_lists_matched_terms_of_the_chosen_queue_best_first() -> None:
    decision = decide(small_table(), "plum, apple and pear")
    assert decision.explanation == ("apple", "pear", "plum")


def test_intent_is_the_best_specific_rule_of_the_queue() -> None:
    assert decide(small_table(), "pear plum").intent == "alpha_two"
    assert decide(small_table(), "pear apple").intent == "alpha_one"  # 2 beats 1
    assert decide(small_table(), "pear plum apple").intent == "alpha_one"  # 2 ties 2: the first rule
    # the generic rule names the intent only when nothing more specific matched
    assert decide(small_table(min_score=0.5), "shared apple").intent == "alpha_one"


def test_below_min_score_is_triage_with_the_terms_seen() -> None:
    decision = decide(small_table(min_score=1.5), "pear")
    assert (decision.queue, decision.reason, decision.explanation) == (TRIAGE_QUEUE, NO_MATCH, ("pear",))
    assert decide(small_table(min_score=1.5), "pear plum").queue == "alpha"
