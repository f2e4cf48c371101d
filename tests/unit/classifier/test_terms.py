"""Keyword terms: phrases, prefixes, co-occurrence and the index that finds them."""

import pytest

from services.classifier.terms import IndexedText, TermIndex, parse_term
from services.classifier.text import tokens


def matches(term: str, text: str) -> bool:
    return IndexedText(tokens(text)).matches(parse_term(term))


def test_phrase_needs_adjacent_words_in_order() -> None:
    assert matches("stolen card", "Help, my STOLEN card!")
    assert not matches("stolen card", "the card was stolen")
    assert not matches("stolen card", "stolen credit card")


def test_words_match_whole_words_only() -> None:
    assert not matches("pin", "spinning")
    assert not matches("card", "cardboard")


def test_prefix_word() -> None:
    assert matches("activat*", "how do I activate it")
    assert matches("activat*", "activation failed")
    assert not matches("activat*", "reactivate")


def test_co_occurrence_needs_every_part_anywhere() -> None:
    assert matches("pin + blocked", "blocked after three tries: my pin")
    assert not matches("pin + blocked", "change my pin")


def test_arabic_matches_after_normalisation_and_without_proclitics() -> None:
    assert matches("بطاق*", "وبالبطاقة")
    assert matches("تفعيل*", "لتفعيل بطاقتي")
    assert matches("سعر الصرف", "ما هو سِعر الصّرف؟")
    assert matches("اودع*", "أودعت شيكا")
    assert not matches("رسوم", "مرسوم")  # letters inside a word are not a proclitic


@pytest.mark.parametrize(
    ("source", "weight", "problem"),
    [
        ("card", 0, "weight must be above 0"),
        ("ca*", 1, "at least 3 letters"),
        ("card + ", 1, "empty phrase"),
        ("?!", 1, "no letters or digits"),
    ],
)
def test_parse_term_refuses(source: str, weight: float, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_term(source, weight)


def test_index_finds_exactly_the_matching_terms() -> None:
    sources = ["card", "stolen card", "activat*", "pin + blocked", "بطاق*", "top up", "fee + top*"]
    index = TermIndex([parse_term(source) for source in sources])
    for text in ["my stolen card", "top up fee please", "activate البطاقة", "blocked pin", "nothing here"]:
        indexed = IndexedText(tokens(text))
        expected = [number for number, term in enumerate(index.terms) if indexed.matches(term)]
        assert index.found(indexed) == expected
    assert [index.terms[n].source for n in index.found(IndexedText(tokens("fee to top up")))] == [
        "top up",
        "fee + top*",
    ]
