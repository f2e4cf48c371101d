"""Text normalisation for matching: Unicode NFKC, case folding, Arabic spelling variants, tokens (pure)."""

import re
import unicodedata

# Harakat, Quranic annotation marks and the superscript alef: they change pronunciation, not meaning,
# and most customers leave them out, so they are removed before anything is compared.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"

_ARABIC_LETTERS = str.maketrans(
    {
        "\u0622": "\u0627",  # آ -> ا
        "\u0623": "\u0627",  # أ -> ا
        "\u0625": "\u0627",  # إ -> ا
        "\u0671": "\u0627",  # ٱ -> ا
        "\u0649": "\u064a",  # ى -> ي
        "\u0629": "\u0647",  # ة -> ه
        # Persian keyboards type these for ي and ك; Arabic readers see the same letter.
        "\u06cc": "\u064a",  # ی -> ي
        "\u06a9": "\u0643",  # ک -> ك
        # Typographic apostrophes, so "hasn’t" and "hasn't" are one token.
        "\u2019": "'",
        "\u2018": "'",
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Extended (Persian) digits
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
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ARABIC_MARKS.sub("", text).replace(_TATWEEL, "")
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
