"""Arabizi (Arabic written in Latin letters, digits for the letters Latin lacks) put in Arabic script (pure).

"bdi a7awel flos 3ala 7sabi" is Arabic the model can read once written "بدي احول فلوس على حسابي".
Only a text that looks like Arabizi is touched: one with a word mixing letters with the digits
2 3 5 6 7 8 9, or with several common Arabizi words and fewer English function words. The mapping
is phonetic and loose (short vowels dropped inside a word, as Arabic script does); the character
n-grams of the model tolerate what it gets wrong.
"""

import re

# Digits standing for letters: 2 hamza (written ا, which normalisation does to أ anyway), 3 ع, 5 خ,
# 6 ط, 7 ح, 8 غ, 9 ص (the Gulf reading; Maghrebi writers use 9 for ق, which the n-grams partly match).
_DIGRAPHS = (("sh", "ش"), ("ch", "ش"), ("kh", "خ"), ("gh", "غ"), ("th", "ث"), ("dh", "ذ"),
             ("ou", "و"), ("oo", "و"), ("ee", "ي"), ("ii", "ي"), ("ei", "ي"), ("ai", "ي"), ("ay", "ي"),
             ("aa", "ا"))  # fmt: skip
_LETTERS = {
    "2": "ا", "3": "ع", "5": "خ", "6": "ط", "7": "ح", "8": "غ", "9": "ص", "'": "ا",
    "b": "ب", "p": "ب", "t": "ت", "j": "ج", "g": "ج", "d": "د", "r": "ر", "z": "ز", "s": "س",
    "f": "ف", "v": "ف", "q": "ق", "k": "ك", "c": "ك", "l": "ل", "m": "م", "n": "ن", "h": "ه",
    "w": "و", "y": "ي", "x": "كس", "o": "و", "u": "و", "i": "ي",
}  # fmt: skip
# Whole words written many ways, taken as they are meant.
WORDS = {
    "ana": "انا", "enta": "انت", "inta": "انت", "enti": "انتي", "inti": "انتي", "fi": "في", "fe": "في",
    "ma": "ما", "la": "لا", "mish": "مش", "msh": "مش", "mesh": "مش", "mo": "مو", "mob": "موب",
    "shu": "شو", "sho": "شو", "eish": "ايش", "esh": "ايش", "wesh": "وش", "wish": "وش", "leesh": "ليش",
    "lesh": "ليش", "lish": "ليش", "leh": "ليه", "wein": "وين", "wen": "وين", "fen": "فين", "fin": "فين",
    "kif": "كيف", "keef": "كيف", "kef": "كيف", "ezay": "ازاي", "izay": "ازاي", "shlon": "شلون",
    "bdi": "بدي", "badi": "بدي", "baddi": "بدي", "abi": "ابي", "abgha": "ابغي", "abga": "ابغي",
    "bghit": "بغيت", "flos": "فلوس", "floos": "فلوس", "fulus": "فلوس", "masari": "مصاري",
    "kart": "كرت", "karti": "كرتي", "card": "كرت", "cardi": "كرتي", "bank": "بنك", "el": "ال",
    "il": "ال", "al": "ال", "w": "و", "wa": "و", "ya": "يا", "3ala": "علي", "ala": "علي", "min": "من",
    "men": "من", "mn": "من", "ila": "الي", "lal": "لل", "lel": "لل", "ams": "امس", "lissa": "لسه",
    "lsa": "لسا", "lesa": "لسه", "ba3d": "بعد", "wala": "ولا", "kaman": "كمان", "kman": "كمان",
    "hala2": "هلا", "halla": "هلا", "al7een": "الحين", "el7in": "الحين", "ta7weel": "تحويل",
}  # fmt: skip
_CLUES = set(WORDS) - {"el", "al", "la", "ma", "w", "card", "bank", "min", "ya", "fin", "men"}
_ENGLISH = {"the", "my", "i", "is", "to", "a", "and", "of", "for", "in", "it", "not", "how", "what",
            "can", "do", "have", "was", "you", "me", "on", "why", "where", "when", "does", "did"}  # fmt: skip
_TOKEN = re.compile(r"[a-z0-9']+")
# A Latin word with a digit standing for a letter; "50eur", "3rd", "7pm" are numbers, not Arabizi.
_DIGIT_WORD = re.compile(r"(?=[a-z0-9']*[a-z])[a-z']*[2356789][a-z0-9']*")
_NUMBER_WORD = re.compile(r"\d+(st|nd|rd|th|am|pm|k|m|gb|mb|eur|usd|aed|sar|gbp|kg|h|hrs|min|mins|s|x|d)")


def looks_arabizi(normalised: str) -> bool:
    words = _TOKEN.findall(normalised)
    digit_words = [w for w in words if _DIGIT_WORD.fullmatch(w) and not _NUMBER_WORD.fullmatch(w)]
    clues = sum(w in _CLUES for w in words)
    english = sum(w in _ENGLISH for w in words)
    if digit_words:
        return clues + len(digit_words) >= 2 or len(digit_words) * 3 >= len(words)
    return clues >= 2 and clues > english


def _letters(word: str) -> str:
    out, at = [], 0
    while at < len(word):
        pair = word[at : at + 2]
        found = next((arabic for latin, arabic in _DIGRAPHS if pair == latin), None)
        if found is not None:
            out.append(found)
            at += 2
            continue
        char = word[at]
        first, last = at == 0, at == len(word) - 1
        if char in "aeiou" and first:
            out.append("ا")
        elif char == "a" and last and at > 1:
            out.append("ه")  # a final -a is usually the feminine ة, which normalisation writes ه
        elif char in "ae":
            pass  # a short vowel: Arabic script leaves it out
        else:
            out.append(_LETTERS.get(char, char))
        at += 1
    return "".join(out)


def _word(word: str) -> str:
    if word in WORDS:
        return WORDS[word]
    for article in ("el", "al", "il"):
        if word.startswith(article) and len(word) > len(article) + 2:
            return "ال" + _letters(word[len(article) :])
    return _letters(word)


def to_arabic(normalised: str) -> str:
    """The text with its Latin words written in Arabic script when it looks like Arabizi; else as it is.
    A lone article ("el kart") is joined to its word, as Arabic writes it."""
    if not looks_arabizi(normalised):
        return normalised
    text = _TOKEN.sub(
        lambda match: _word(match.group(0)) if not match.group(0).isdigit() else match.group(0), normalised
    )
    return re.sub(r"(?<![\u0621-\u064a])(ال|لل) (?=[\u0621-\u064a])", r"\1", text)
