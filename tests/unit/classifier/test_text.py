"""Normalisation and tokenising of English and Arabic text."""

import pytest

from services.classifier.text import match_forms, normalise, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＣＡＲＤ １２", "card 12"),  # NFKC folds full-width forms
        ("Straße", "strasse"),  # case folding, not just lower-casing
        ("ﻻ", "لا"),  # NFKC turns presentation forms into letters
        ("بِطَاقَتِي", "بطاقتي"),  # harakat removed
        ("بطـــاقة", "بطاقه"),  # tatweel removed, ة -> ه
        ("أإآٱ", "اااا"),  # alef variants unified
        ("مستشفى", "مستشفي"),  # alef maqsura -> yaa
        ("١٢٣ ۴۵۶", "123 456"),  # Arabic-Indic and extended digits
        ("hasn’t", "hasn't"),  # typographic apostrophe
        ("ی ک", "ي ك"),  # Persian yeh and kaf
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_tokens_split_on_punctuation_and_keep_contractions() -> None:
    assert tokens("My card hasn't arrived!! Top-up, then (PIN)?") == [
        "my",
        "card",
        "hasn't",
        "arrived",
        "top",
        "up",
        "then",
        "pin",
    ]


def test_tokens_normalise_arabic_words() -> None:
    assert tokens("لقد سُرِقت بطاقتي الائتمانية، ماذا أفعل؟") == [
        "لقد",
        "سرقت",
        "بطاقتي",
        "الائتمانيه",
        "ماذا",
        "افعل",
    ]


def test_match_forms_strip_arabic_proclitics() -> None:
    assert set(match_forms("وبالبطاقه")) >= {"وبالبطاقه", "بطاقه", "بالبطاقه"}
    assert "بطاقه" in match_forms("البطاقه")


def test_match_forms_keep_short_words_and_english_whole() -> None:
    assert match_forms("بل") == ("بل",)  # stripping "ب" would leave a single letter
    assert match_forms("virtual") == ("virtual",)
    assert match_forms("") == ("",)
