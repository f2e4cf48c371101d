"""What the learned model reads of a text: normalised words, word pairs, character n-grams within words."""

from services.classifier import features


def test_prepare_normalises_and_collapses_white_space() -> None:
    assert features.prepare("  My   CARD\n\twas stolen  ") == "my card was stolen"
    assert features.prepare("سُرِقَت بطـاقتي ٣ مرات") == "سرقت بطاقتي 3 مرات"


def test_prepare_reads_only_the_opening_of_a_long_text() -> None:
    assert len(features.prepare("a" * (features.MAX_CHARS + 500))) == features.MAX_CHARS


def test_words_are_single_words_then_pairs() -> None:
    assert features.words("my card hasn't come") == [
        "my",
        "card",
        "hasn't",
        "come",
        "my card",
        "card hasn't",
        "hasn't come",
    ]


def test_chars_stay_inside_space_padded_words() -> None:
    grams = features.chars("ab cd?")
    assert grams[:4] == [" a", "ab", "b ", " ab"]  # " ab" (3) follows the 2-grams of the word
    assert " ab " in grams and " cd? " in grams and "d?" in grams
    assert not any("b c" in gram for gram in grams)  # never across two words
    assert {len(gram) for gram in grams} == {2, 3, 4, 5}
