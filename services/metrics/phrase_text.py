"""Words of an inquiry for phrase mining, Arabic and English (pure): normalised, with stop words marked.

The metrics process cannot import the classifier's normaliser (one package per process), so the same
spelling rules are kept here: NFKC and case folding; harakat, Quranic marks and tatweel removed;
أ إ آ ٱ -> ا, ى -> ي, ة -> ه; Arabic-Indic digits -> 0-9.
"""

import re
import unicodedata

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_LETTERS = str.maketrans(
    {
        "\u0622": "\u0627",
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0671": "\u0627",
        "\u0649": "\u064a",
        "\u0629": "\u0647",
        "\u06cc": "\u064a",
        "\u06a9": "\u0643",
        "\u2019": "'",
        "\u2018": "'",
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
    }
)
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Digits alone (amounts, card numbers, dates) say nothing about what is asked, and may identify.
_NUMBER = re.compile(r"^\d+$")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _ARABIC_MARKS.sub("", text).replace(_TATWEEL, "").translate(_LETTERS)


def _normalised(words: str) -> frozenset[str]:
    return frozenset(normalise(w) for w in words.split())


ENGLISH_STOP = _normalised(
    """a about above after again all am an and any are as at be been before being below between both
    but by can could did do does doing don't down during each few for from further had has have having
    he her here hers him his how i i'm i've if in into is it it's its just me more most my myself no nor
    not now of off on once only or other our ours out over own please same she should so some such than
    thank thanks that the their theirs them then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your yours hi hello
    dear regards kindly sir madam also get got want need would like"""
)
# Modern Standard and Gulf function words, greetings and courtesy, written as normalise() leaves them.
ARABIC_STOP = _normalised(
    """في من الى إلى على عن مع هذا هذه ذلك تلك هو هي هم انا أنا نحن انت أنت انتم أنتم كان كانت يكون
    ان أن إن او أو ثم لا لم لن ما ماذا متى اين أين كيف هل قد لقد كل بعض غير بين عند حتى اذا إذا لو
    الذي التي الذين و ف ب ل ك يا السلام عليكم مرحبا شكرا لو سمحت سمحتوا الله الرحمن الرحيم بسم وعليكم
    ابي أبي ابغى أبغى ابغي ودي بغيت شو ايش وش ليش حق عشان علشان هذي هاذي هذاك اللي الي مب مو بس
    يعطيكم العافيه العافية تحياتي مساء صباح الخير النور مشكورين"""
)
STOP_WORDS = ENGLISH_STOP | ARABIC_STOP


def words(text: str) -> list[str]:
    """The normalised words of `text`, in order, numbers left out (they split phrases)."""
    return [w if not _NUMBER.match(w) else "" for w in _TOKEN.findall(normalise(text))]


def ngrams(text: str, longest: int = 3) -> set[str]:
    """The distinct 1..`longest`-word phrases of `text` that neither start nor end on a stop word
    and do not span a number."""
    tokens = words(text)
    found: set[str] = set()
    for n in range(1, longest + 1):
        for i in range(len(tokens) - n + 1):
            gram = tokens[i : i + n]
            if "" in gram or gram[0] in STOP_WORDS or gram[-1] in STOP_WORDS or len(gram[0]) < 2:
                continue
            found.add(" ".join(gram))
    return found
