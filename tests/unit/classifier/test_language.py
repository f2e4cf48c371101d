"""Language detection from script proportions."""

import pytest

from services.classifier.language import detect


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My card was stolen", "en"),
        ("سُرقت بطاقتي", "ar"),
        ("هل يمكنني استخدام بطاقتي مع Visa في الخارج", "ar"),  # a brand name keeps the sentence Arabic
        ("مرحبا I need help with my بطاقة", "mixed"),
        ("ok", "en"),
        ("?!", "und"),
        ("12345 ٣٤", "und"),
        ("", "und"),
        ("a", "und"),
    ],
)
def test_detect(text: str, expected: str) -> None:
    assert detect(text) == expected
