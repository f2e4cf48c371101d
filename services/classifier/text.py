"""Text normalisation for matching: Unicode NFKC, case folding, Arabic spelling variants, tokens (pure)."""

import re
import unicodedata

from services.shared import arabic_text

_ARABIC_LETTERS = str.maketrans(
    {
        **arabic_text.LETTER_VARIANTS,
        # Typographic apostrophes, so "hasn’t" and "hasn't" are one token.
        "\u2019": "'",
        "\u2018": "'",
    }
)

# Letters or digits, keeping an inner apostrophe ("hasn't", "don't") so contractions stay one word.
TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


# Arabic writes conjunctions, prepositions and the article onto the word ("وبالبطاقه" = "and with the
# card"). Matching tries the word with each of these removed as well as the word itself, longest
# first; adding one here makes more words match and, rarely, a wrong one ("طاقه" from "بطاقه").
ARABIC_PROCLITICS = (
    "وبال", "وال", "فال", "بال", "كال", "لل", "ال", "وب", "ول", "وس", "فب", "فل", "و", "ف", "ب", "ل", "ك",
)  # fmt: skip
# A stripped form shorter than this is too short to mean anything on its own.
_MIN_STEM = 2


def normalise(text: str) -> str:
    """NFKC, case-folded, Arabic diacritics and tatweel removed, letter variants unified."""
    text = arabic_text.without_marks(unicodedata.normalize("NFKC", text).casefold())
    return text.translate(_ARABIC_LETTERS)


def tokens(text: str) -> list[str]:
    """The normalised words of `text`, in order."""
    return TOKEN.findall(normalise(text))


def match_forms(token: str) -> tuple[str, ...]:
    """The forms a normalised token may match as: itself, plus Arabic words without their proclitics."""
    if not token or not "\u0621" <= token[0] <= "\u064a":
        return (token,)
    forms = [token]
    for prefix in ARABIC_PROCLITICS:
        if token.startswith(prefix) and len(token) - len(prefix) >= _MIN_STEM:
            stem = token[len(prefix) :]
            if stem not in forms:
                forms.append(stem)
    return tuple(forms)
