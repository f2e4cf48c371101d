"""What the learned model reads of a text: word 1-2-grams and character 2-5-grams after normalisation (pure).

Training (scikit-learn's TfidfVectorizer with these functions as analyzers) and serving (plain
NumPy) call the same functions, so a served model sees exactly the features it was trained on.
"""

import re

from services.classifier import arabizi, dialect
from services.classifier.text import TOKEN, normalise

# Bumped whenever what these functions return changes: a model trained on other features is refused.
VERSION = 2
# Word pairs catch phrases ("top up", "not arrived"); longer n-grams add features faster than accuracy.
WORD_NGRAMS = (1, 2)
# Character n-grams catch spelling variants, dialect forms and Arabic words with attached
# prefixes ("وبطاقتي") that whole words miss; 2-5 measured best on the validation data (docs/classifier.md).
CHAR_NGRAMS = (2, 5)
# The model reads at most this much of an inquiry: what it is about is in the opening, and the time
# to read grows with length (at 2,000 characters a decision takes ~1 ms).
MAX_CHARS = 2000

_SPACES = re.compile(r"\s+")


def prepare(text: str) -> str:
    """Normalised (NFKC, case folded, Arabic variants unified), Arabizi written in Arabic script, dialect
    function words in their Standard form, runs of white space made one space."""
    return _SPACES.sub(" ", dialect.to_standard(arabizi.to_arabic(normalise(text[:MAX_CHARS])))).strip()


def words(prepared: str) -> list[str]:
    tokens = TOKEN.findall(prepared)
    grams = list(tokens)
    for size in range(2, WORD_NGRAMS[1] + 1):
        grams.extend(" ".join(tokens[start : start + size]) for start in range(len(tokens) - size + 1))
    return grams


def chars(prepared: str) -> list[str]:
    """Within each space-padded word (" card? "), so an n-gram never spans two words: as accurate as
    n-grams across words on the validation data, with a third fewer features to train and store."""
    return [gram for word in prepared.split(" ") for gram in word_chars(word)]


def word_chars(word: str) -> list[str]:
    """The character n-grams of one word of a prepared text: `chars` is these, word after word."""
    low, high = CHAR_NGRAMS
    padded = f" {word} "
    return [
        padded[start : start + size]
        for size in range(low, high + 1)
        for start in range(len(padded) - size + 1)
    ]


# The feature blocks, in the order their columns appear in the model: (name, analyzer).
BLOCKS = (("words", words), ("chars", chars))
# Analyzers that are one function of each word, applied word after word: a served model may keep
# each word's features (serve/linear_model.py). Word pairs span two words, so `words` is not one.
PER_WORD = {chars: word_chars}
