"""Dialect Arabic words put in their Modern Standard form, and a rough dialect tag of a text (pure).

The public Arabic training rows are Modern Standard Arabic and Palestinian. A Gulf, Egyptian or
Maghrebi customer asks the same things with other function words: "ابي" / "عايز" / "بغيت" for "I
want", "وش" / "ايه" / "شنو" for "what", "مب" / "مش" for "not". Mapping those words to one standard form
(on normalised text: ة→ه, ى→ي, أ→ا already applied) lets rows of any dialect teach and match the same
features. Content words stay as they are: the character n-grams already match their variants.
"""

import re

_WANT = "اريد"
_WHAT = "ماذا"
_NOT = "ليس"
_NOW = "الان"
_MONEY = "اموال"
_CARD = "بطاقه"
# Normalised dialect forms → the Modern Standard form. A word only joins when it has no common
# Standard meaning of its own that a bank inquiry would use (so "بس", "راح" and "في" are left out:
# mapping them would change Standard rows too).
TO_STANDARD = {
    # wanting and asking (Levantine, Gulf, Egyptian, Maghrebi)
    **dict.fromkeys(
        ("بدي", "بدنا", "بدك", "بده", "بدها", "ابي", "ابغي", "ابغا", "نبي", "نبغي", "ودي"), _WANT
    ),
    **dict.fromkeys(("عايز", "عاوز", "عايزه", "عاوزه", "بغيت", "نبغي", "حاب", "حابب", "حابه"), _WANT),
    **dict.fromkeys(("شو", "ايش", "وش", "اش", "شنو", "شنهو", "ايه", "واش", "شنوه", "شنيه", "اشنو"), _WHAT),
    **dict.fromkeys(("ليش", "ليه", "علاش", "لويش", "لاش"), "لماذا"),
    **dict.fromkeys(("وين", "فين", "وينه", "فينه", "وينها", "فينها"), "اين"),
    **dict.fromkeys(("شلون", "كيفاش", "ازاي", "ازاى", "كيفش"), "كيف"),
    **dict.fromkeys(("امتي", "ايمتي", "امتا", "وقتاش", "فوقاش", "ايمتا"), "متي"),
    **dict.fromkeys(("قديش", "قداش", "بقداش", "شحال", "بشحال", "كام", "بكام", "قدي"), "كم"),
    # negation and "not yet"
    **dict.fromkeys(("مش", "مو", "مب", "موب", "ماهو", "ميش", "مهوش"), _NOT),
    **dict.fromkeys(("لسا", "لسه", "لسة", "لساته"), "لم"),
    # time
    **dict.fromkeys(("هلا", "هلق", "هسا", "هسه", "الحين", "دحين", "دلوقتي", "دابا", "توا", "درك"), _NOW),
    **dict.fromkeys(("امبارح", "مبارح", "البارحه", "لبارح", "اليبارح"), "امس"),
    # quantity, demonstratives, relatives
    **dict.fromkeys(("كتير", "واجد", "وايد", "بزاف", "برشا", "ياسر", "بالزاف"), "كثير"),
    **dict.fromkeys(("هاد", "هادا", "هدا", "هيدا", "هاذا", "هذاك", "هداك"), "هذا"),
    **dict.fromkeys(("هاي", "هادي", "هاذي", "هيدي", "هذي", "هديك"), "هذه"),
    **dict.fromkeys(("هيك", "كذا", "كده", "هكا", "هكاك"), "هكذا"),
    **dict.fromkeys(("اللي", "اللى"), "الذي"),
    **dict.fromkeys(("عشان", "علشان", "لاجل", "باش", "منشان", "مشان"), "لكي"),
    **dict.fromkeys(("كاين", "كاينه", "فما", "اكو"), "يوجد"),
    **dict.fromkeys(("ماكو", "مافي", "ماكاين", "مافيش", "مفيش", "مكانش"), "لا يوجد"),
    # verbs a bank inquiry turns on: doing, waiting, sending, being able, topping up, losing
    **dict.fromkeys(("اسوي", "يسوي", "نسوي", "تسوي", "نعمل", "ندير", "اعمل", "نديرو", "سوي"), "افعل"),
    **dict.fromkeys(("سويت", "عملت", "درت"), "فعلت"),
    **dict.fromkeys(("شسوي", "شنعمل", "شندير", "شنسوي"), "ماذا افعل"),
    **dict.fromkeys(("استني", "استنا", "انطر", "نستنا", "نستني", "بستني", "نطرت", "استنيت"), "انتظر"),
    **dict.fromkeys(("بعتت", "بعتلي", "صيفطت", "رسلت", "دزيت"), "ارسلت"),
    **dict.fromkeys(("صيفط", "دز", "ابعت", "ابعث", "يبعت"), "ارسل"),
    **dict.fromkeys(("اقدر", "بقدر", "نقدر", "نجم", "نجمش", "اگدر", "اجدر"), "استطيع"),
    **dict.fromkeys(("عبيت", "شارجت", "عبيته", "شرجت"), "شحنت"),
    **dict.fromkeys(("عبي", "اعبي", "نعبي", "شارج"), "اشحن"),
    **dict.fromkeys(("ضايعه", "ضاعت", "ضيعت", "ضيعتها", "طاحت"), "فقدت"),
    **dict.fromkeys(("انسرقت", "تسرقت", "انسرق", "سرقوها", "سرقولي"), "سرقت"),
    **dict.fromkeys(("خربانه", "خربان", "عطلانه", "عطلان", "بايظه", "بايظ", "خاسره", "مخربه"), "معطله"),
    # money and the card
    **dict.fromkeys(("مصاري", "فلوس", "بيزات", "دراهم", "نقود", "مصريات", "فلوسي", "مصاريي"), _MONEY),
    **dict.fromkeys(("كرت", "كارت", "كارطه", "لاكارط", "الكرت", "الكارت"), _CARD),
    **dict.fromkeys(("كرتي", "كارتي", "كارطتي"), "بطاقتي"),
    **dict.fromkeys(("برا", "بره", "برات", "لبرا"), "الخارج"),
    **dict.fromkeys(("معايا", "معاي", "وياي"), "معي"),
}
# Attached letters ("وبدي", "فالكرت") kept in front of the mapped word.
_PROCLITICS = ("وال", "بال", "فال", "و", "ف", "ب", "ل", "ال")
_ARABIC_WORD = re.compile("[\u0621-\u064a]+")
# The Egyptian and Maghrebi negation wraps the verb: "ماوصلتش" = "ما" + "وصلت" + "ش" ("did not arrive").
_MIN_WRAPPED_STEM = 3

# Words telling one dialect group from another, for reporting triage per detected dialect. Rough by
# design: one marker is enough, and a text with none is "msa".
MARKERS = {
    "gulf": (
        "ابي",
        "ابغي",
        "ابغا",
        "وش",
        "مب",
        "الحين",
        "دحين",
        "واجد",
        "وايد",
        "شلون",
        "اكو",
        "ماكو",
        "سويت",
        "اسوي",
    ),
    "levantine": (
        "بدي",
        "بدنا",
        "شو",
        "هلق",
        "هيك",
        "مش",
        "قديش",
        "ليش",
        "وين",
        "هلا",
        "لسا",
        "منشان",
        "امبارح",
    ),
    "egyptian": ("عايز", "عاوز", "ايه", "ازاي", "دلوقتي", "كده", "مفيش", "عشان", "بتاعي", "ليه", "فين"),
    "maghrebi": (
        "بغيت",
        "شنو",
        "واش",
        "علاش",
        "كيفاش",
        "بزاف",
        "برشا",
        "دابا",
        "توا",
        "ديالي",
        "باش",
        "كاين",
    ),
}


def _word(match: re.Match[str]) -> str:
    word = match.group(0)
    mapped = TO_STANDARD.get(word)
    if mapped is not None:
        return mapped
    for prefix in _PROCLITICS:
        if word.startswith(prefix) and word[len(prefix) :] in TO_STANDARD:
            return prefix + TO_STANDARD[word[len(prefix) :]]
    if word.startswith("ما") and word.endswith("ش") and len(word) - 3 >= _MIN_WRAPPED_STEM:
        return "لم " + word[2:-1]
    return word


def to_standard(normalised: str) -> str:
    """Dialect function words and verbs replaced by their Modern Standard forms; other words kept."""
    return _ARABIC_WORD.sub(_word, normalised)


def detect(normalised: str) -> str:
    """ "gulf", "levantine", "egyptian", "maghrebi" (the group with most marker words) or "msa"."""
    words = set(_ARABIC_WORD.findall(normalised))
    counts = {group: len(words.intersection(markers)) for group, markers in MARKERS.items()}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else "msa"
