"""The label space: ArBanking77's labels matched to BANKING77's, CLINC150's intents in and out of scope."""

import pytest

from services.classifier import labels

MAPPING = {
    "banking77": {
        "queue_to_intents": {"cards": ["card_arrival"], "transfers_payments": ["reverted_card_payment?"]}
    },
    "clinc150": {
        "optional_banking_crosswalk": {"banking": {"report_fraud": "disputes_fraud"}, "credit_cards": {}}
    },
}


def test_arabic_labels_match_through_the_normalised_english_name() -> None:
    queues = labels.banking77_queues(MAPPING)
    assert queues == {"card_arrival": "cards", "reverted_card_payment?": "transfers_payments"}
    pairs = [("card arrival", "وصول البطاقة"), ("Reverted card payment?", " الدفع المسترجع ")]
    assert labels.arabic_intents(pairs, queues) == {
        "وصول البطاقة": "card_arrival",
        "الدفع المسترجع": "reverted_card_payment?",  # the upstream spelling is kept
    }


def test_an_unmatched_arabic_label_is_an_error() -> None:
    with pytest.raises(ValueError, match="'card delivery' matches no BANKING77 intent"):
        labels.arabic_intents([("card delivery", "توصيل")], {"card_arrival": "cards"})


def test_clinc_bank_intents_are_in_scope_and_other_domains_are_not() -> None:
    domains = {"banking": ["report_fraud"], "travel": ["exchange_rate", "book_flight", "travel_notification"]}
    assert labels.clinc_labels(MAPPING, domains) == {
        "oos": ("out_of_scope", "out_of_scope"),
        "report_fraud": ("report_fraud", "disputes_fraud"),
        "exchange_rate": ("exchange_rate", "exchange_currency"),  # BANKING77's own intent
        "travel_notification": ("travel_notification", "cards"),
        "book_flight": ("out_of_scope", "out_of_scope"),
    }


def test_correction_classes_name_no_intent() -> None:
    assert labels.correction_label("cards") == "queue:cards"
    assert (
        labels.public_intent("queue:cards") == "" and labels.public_intent("card_arrival") == "card_arrival"
    )
