"""The learned router's decisions, on a small model trained in the test session: queues, triage, priority."""

import numpy as np
import pytest

from services.classifier import features, keyword_table
from services.classifier.decision import Decision
from services.classifier.serve.learned_router import LearnedRouter
from services.classifier.serve.linear_model import LinearModel
from services.shared.domain import Priority
from tests.fixtures.learned_model import SMALL_INFO


def decide(router: LearnedRouter, text: str, tier: str = "", hint: str = "") -> Decision:
    return router.decide(text=text, subject="", channel="chat", language_hint=hint, customer_tier=tier)


@pytest.mark.parametrize(
    ("text", "language"),
    [("My card was stolen yesterday, please block it", "en"), ("سُرقت بطاقتي البارحة، أرجو إيقافها", "ar")],
)
def test_a_stolen_card_goes_to_the_fraud_desk_at_once(
    small_router: LearnedRouter, text: str, language: str
) -> None:
    decision = decide(small_router, text)
    assert (decision.queue, decision.intent, decision.reason) == (
        "disputes_fraud",
        "lost_or_stolen_card",
        "matched",
    )
    assert (decision.priority, decision.priority_reason) == (Priority.URGENT, "lost or stolen card")
    assert decision.language == language and 0.5 <= decision.confidence <= 1
    assert decision.model_version == "learned-test-small" and decision.faq_answer == ""
    assert decision.explanation and all(isinstance(item, str) and item for item in decision.explanation)


def test_the_explanation_names_features_of_the_text(small_router: LearnedRouter) -> None:
    decision = decide(small_router, "When will my new card arrive?")
    assert decision.queue == "cards"
    prepared = features.prepare("When will my new card arrive?")
    for item in decision.explanation:
        assert item.strip("…") in prepared


def test_an_off_topic_inquiry_goes_to_triage_as_out_of_scope(small_router: LearnedRouter) -> None:
    decision = decide(small_router, "What is a good recipe for lasagna?")
    assert (decision.queue, decision.reason, decision.intent) == ("triage", "out_of_scope", "")


def test_below_the_threshold_goes_to_triage_with_the_best_guess(small_model: LinearModel) -> None:
    priority = keyword_table.load().spec.priority
    text = "My card was stolen yesterday, please block it"
    sure = LearnedRouter(small_model, SMALL_INFO, priority, threshold=0.0)
    # A floor of 0 applies the threshold whatever the out-of-scope probability.
    unsure = LearnedRouter(small_model, SMALL_INFO, priority, threshold=1.0, out_of_scope_floor=0.0)
    assert decide(sure, text).queue == "disputes_fraud"
    decision = decide(unsure, text)
    assert (decision.queue, decision.reason, decision.intent) == (
        "triage",
        "low_confidence",
        "lost_or_stolen_card",
    )
    # The wording still raises priority; only the guessed intent does not.
    assert decision.priority == Priority.URGENT


def test_priority_follows_the_intent_when_the_wording_rules_miss_it(small_router: LearnedRouter) -> None:
    text = "Someone took my wallet with my card in it"
    assert keyword_table.load().decide(text, "", "chat", "", "").priority == Priority.NORMAL
    decision = decide(small_router, text)
    assert decision.intent == "lost_or_stolen_card" and decision.reason == "matched"
    assert (decision.priority, decision.priority_reason) == (Priority.URGENT, "lost or stolen card")


def test_tier_and_language_hint(small_router: LearnedRouter) -> None:
    decision = decide(small_router, "When will my new card arrive?", tier="Gold")
    assert (decision.priority, decision.priority_reason) == (Priority.HIGH, "priority customer tier")
    assert decide(small_router, "12345", hint="ar").language == "ar"


def test_served_features_equal_scikit_learns(small_model: LinearModel) -> None:
    """The NumPy TF-IDF of a text is the row scikit-learn's vectorizers gave it in training."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [
        features.prepare(t)
        for t in ["my card is lost", "بطاقتي لم تصل بعد", "top up failed twice", "my card, my card is lost"]
    ]
    # Twice: the second time each word's character n-grams come from the model's cache.
    for text in texts + texts:
        columns, values = small_model.vectorise(text)
        for number, (_, analyzer) in enumerate(features.BLOCKS):
            vectorizer = TfidfVectorizer(analyzer=analyzer, vocabulary=small_model.vocabularies[number])
            vectorizer.idf_ = small_model.idf[_block(small_model, number)]
            expected = vectorizer.transform([text]).toarray()[0]
            offset = sum(len(v) for v in small_model.vocabularies[:number])
            served = np.zeros(len(expected))
            mask = (columns >= offset) & (columns < offset + len(expected))
            served[columns[mask] - offset] = values[mask]
            assert np.allclose(served, expected)


def _block(model: LinearModel, number: int) -> slice:
    start = sum(len(v) for v in model.vocabularies[:number])
    return slice(start, start + len(model.vocabularies[number]))
