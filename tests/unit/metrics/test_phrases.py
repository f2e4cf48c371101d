"""Phrase mining over generated inquiries, Arabic and English."""

import random

from services.metrics.phrase_text import ngrams, normalise, words
from services.metrics.phrases import Inquiry, mine

COMMON_EN = ["my card is blocked", "transfer to my account failed", "balance of my account", "card fee"]
COMMON_AR = ["بطاقتي موقوفة", "التحويل الى حسابي ما وصل", "رصيد حسابي", "رسوم البطاقة"]


def _inquiries(seed: int) -> list[Inquiry]:
    rng = random.Random(seed)
    out = []
    for i in range(400):
        out.append(Inquiry(i, rng.choice(COMMON_EN + COMMON_AR), target=False))
    for i in range(400, 440):
        # What the taxonomy lacks: golden visa sponsorship letters, asked in both languages.
        text = rng.choice(
            [
                "Hello, I need a salary certificate for golden visa sponsorship please",
                "How do I get a golden visa sponsorship letter from the bank",
                "السلام عليكم ابغى شهادة راتب للإقامة الذهبية",
                "كيف احصل على خطاب للإقامة الذهبيّة",
            ]
        )
        out.append(Inquiry(i, text + " " + rng.choice(COMMON_EN + COMMON_AR), target=True))
    return out


def test_the_missing_topic_tops_the_list_in_both_languages() -> None:
    found = mine(_inquiries(1), top=10)
    top = [p.phrase for p in found[:4]]
    assert "golden visa sponsorship" in top
    assert "للاقامه الذهبيه" in top
    first = found[0]
    assert first.count >= 3 and first.total >= first.count
    assert all(400 <= t < 440 for t in first.examples)


def test_phrases_common_to_all_inquiries_score_low() -> None:
    found = {p.phrase: p.z for p in mine(_inquiries(2), top=50, min_documents=1)}
    assert found.get("card", 0.0) < 2.0
    assert found.get("رصيد حسابي", 0.0) < 2.0


def test_no_target_inquiries_no_phrases() -> None:
    assert mine([Inquiry(1, "card blocked", target=False)]) == []


def test_arabic_is_normalised() -> None:
    # Hamza forms, ta marbuta, alef maqsura, tatweel and harakat.
    assert normalise("الإقامـــة الذَّهبيّة على") == "الاقامه الذهبيه علي"
    assert words("رقم ٤٥٦ card") == ["رقم", "", "card"]


def test_phrases_neither_start_nor_end_on_a_stop_word_nor_span_a_number() -> None:
    grams = ngrams("please block my card 1234 now", 3)
    assert "block my card" in grams
    assert "my card" not in grams and "please block" not in grams
    assert not any("1234" in g for g in grams)
    assert "block" in ngrams("ابغى block", 3) and "ابغى" not in ngrams("ابغى block", 3)


def test_a_phrase_in_every_inquiry_scores_zero_not_an_error() -> None:
    everyone = [Inquiry(i, "card blocked", target=i % 2 == 0) for i in range(10)]
    assert {p.phrase: p.z for p in mine(everyone, min_documents=1)}["card blocked"] == 0.0
    only_target = [Inquiry(i, "card blocked", target=True) for i in range(5)]
    assert mine(only_target, min_documents=1)
