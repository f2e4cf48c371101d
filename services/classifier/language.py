"""Language detection from the proportion of Arabic and Latin letters: "ar", "en", "mixed", "und" (pure)."""

import re

# Share of the letters one script must hold to name the language. Higher calls more messages
# "mixed" (a short Arabic question naming "Apple Pay" is ~35% Latin letters); lower hides real
# code-switching. At 0.7 every ArBanking77 train sentence is "ar" and every BANKING77 one "en".
DOMINANT_SHARE = 0.7
# Fewer letters than this ("ok", "؟", "123") say nothing about the language.
MIN_LETTERS = 2

# Arabic letters in the Arabic, Arabic Supplement, Extended-A and presentation-form blocks; marks,
# digits and punctuation of those blocks are not letters and are left out.
_ARABIC = re.compile(
    "[\u0621-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdfb\ufe70-\ufefc]"
)
# Basic Latin through Latin Extended-B letters: English and the accented letters of loan words.
_LATIN = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")


def detect(text: str) -> str:
    """Latin script counts as English: the product serves Arabic and English only."""
    arabic = len(_ARABIC.findall(text))
    latin = len(_LATIN.findall(text))
    total = arabic + latin
    if total < MIN_LETTERS:
        return "und"
    if arabic >= DOMINANT_SHARE * total:
        return "ar"
    if latin >= DOMINANT_SHARE * total:
        return "en"
    return "mixed"
