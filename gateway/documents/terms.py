"""The terms a passage or a question is matched on: Arabic and English normalised and lightly stemmed (pure).

Arabic: presentation forms unfolded (NFKC), diacritics and tatweel removed, alef variants, alef
maqsura and ta marbuta unified, Arabic-Indic digits made ASCII, then the article and the attached
conjunctions and prepositions stripped in front and a few plural and possessive endings behind (a
"light stemmer": no dictionary, no model). English: case-folded, plural, -ing and -ed endings cut.
The letter variants are the classifier's too (services/shared/arabic_text.py); the stemming is the
document reader's own, which must also make "حسابي" and "الحساب" one term.
"""

import re
import unicodedata

from services.shared import arabic_text

# One character for one character, so positions found in `fold(text)` are positions in `text`.
_FOLD = str.maketrans(
    {
        **arabic_text.LETTER_VARIANTS,
        "\u066b": ".",  # Arabic decimal separator
        "\u066c": ",",  # Arabic thousands separator
        "\u060c": ",",  # Arabic comma
    }
)
# Runs of letters, or runs of digits: "درهم1,250" is a word and a number, as a reader sees it.
_WORD = re.compile(r"[^\W\d_]+|\d+")
_ARABIC = re.compile("[\u0621-\u064a]")

# Longest first. "و" alone is tried last and only when a real stem is left ("وصل" is a word).
_AR_PREFIXES = ("وبال", "وال", "فال", "بال", "كال", "لل", "ال")
_AR_SUFFIXES = ("كم", "ها", "نا", "ات", "ون", "ين", "ان", "يه", "ه", "ي", "ك")
_POSSESSIVE = frozenset({"ي", "ك", "كم", "ها", "نا", "ه"})
_EN_SUFFIXES = (
    ("ies", "y"),
    ("sses", "ss"),
    ("xes", "x"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("ing", ""),
    ("ed", ""),
    ("s", ""),
)

# English function words and question words: they say what kind of question, not about what.
_ENGLISH_STOPWORDS = """a an the is are was were be been of to in on at by for from with and or my
your our i me we you it its this that these those what which who how when where do does did can
could please tell show give know want need am there here as not no have has had will would"""
# The same in Arabic, Gulf wording too; normalised below like every word.
_ARABIC_STOPWORDS = """في من على عن الى ان او ما ماذا هل كم متى اين هو هي هذا هذه ذلك تلك انا لي لو مع عند كان
يكون ايش شو وش ابي ابغى ابغي اريد ممكن سمحت بعد قبل"""
STOPWORDS = frozenset(w.translate(_FOLD) for w in f"{_ENGLISH_STOPWORDS} {_ARABIC_STOPWORDS}".split())


def fold(text: str) -> str:
    """Letter variants and digits unified, character for character (positions are kept)."""
    return text.translate(_FOLD).lower()


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return arabic_text.without_marks(text).translate(_FOLD).casefold()


def stem(word: str) -> str:
    """A normalised word's light stem."""
    if _ARABIC.match(word):
        return _arabic_stem(word)
    return _english_stem(word)


def _arabic_stem(word: str) -> str:
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    else:
        if word.startswith("و") and len(word) >= 5:
            word = word[1:]
    # At most two endings: a possessive after a plural ("حساباتكم").
    for _ in range(2):
        for suffix in _AR_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                # A ta marbuta before an ending is written ت: "فاتورتي" is "فاتوره" + "ي".
                # (Not "ات", a plural: "حساباتكم" is "حسابات" + "كم".)
                if (
                    suffix in _POSSESSIVE
                    and word.endswith("ت")
                    and not word.endswith("ات")
                    and len(word) >= 4
                ):
                    word = word[:-1]
                break
        else:
            break
    return word


def _english_stem(word: str) -> str:
    word = word.removesuffix("'s")
    for suffix, replacement in _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + replacement
            break
    # "charge", "charged" and "charges" are one term.
    return word[:-1] if word.endswith("e") and len(word) >= 4 else word


def words(text: str) -> list[str]:
    """The normalised words of `text`, in order (stop words kept)."""
    return _WORD.findall(normalise(text))


def terms(text: str) -> list[str]:
    """The stems `text` is matched on: its words without stop words, stemmed."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


# What customers call the sum they owe, and what statements and bills print beside it: a question
# with the first also looks for the others (on stems). Kept to words that mean the same on a bill.
_SAME_SUM = ("balanc", "owe", "due", "outstand", "payabl", "رصيد", "مستحق", "مطلوب")
_SAME_FEE = ("fee", "charg", "رسوم")
SYNONYMS: dict[str, tuple[str, ...]] = {
    **{word: tuple(w for w in _SAME_SUM if w != word) for word in ("balanc", "owe", "رصيد")},
    **{word: tuple(w for w in _SAME_FEE if w != word) for word in _SAME_FEE},
}


def question_terms(text: str) -> list[str]:
    """The question's terms, and the words a document may use for them (each added once)."""
    found = terms(text)
    extra = [s for t in found for s in SYNONYMS.get(t, ()) if s not in found]
    return found + list(dict.fromkeys(extra))
