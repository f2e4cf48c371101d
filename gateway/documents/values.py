"""What kind of value a question asks for (an amount, a date, a reference), and where a text states
one (pure).

Questions are read on normalised words (gateway/documents/terms.py), Arabic (Gulf wording too) and
English. Values are found on `terms.fold(text)`, which keeps positions, so what is quoted is the
document's own writing (Arabic-Indic digits included).
"""

import re

from gateway.documents import terms

AMOUNT, DATE, REFERENCE = "amount", "date", "reference"
KINDS = (AMOUNT, DATE, REFERENCE)

# Cue words per kind, normalised (ة→ه, ى→ي, أ→ا). A phrase is words that follow one another.
_CUES: dict[str, tuple[str, ...]] = {
    DATE: (
        "when", "date", "deadline", "due by", "last day", "expire", "expiry", "until",
        "متي", "تاريخ", "موعد", "اخر يوم", "اخر موعد", "لين متي", "الي متي", "تنتهي", "ينتهي",
    ),
    REFERENCE: (
        "reference", "ref", "account number", "policy number", "case number", "customer number",
        "contract number", "invoice number", "iban", "number",
        "رقم", "مرجع", "المرجع", "ايبان", "الايبان",
    ),
    AMOUNT: (
        "how much", "balance", "amount", "total", "owe", "outstanding", "cost", "fee", "fees", "pay",
        "كم", "بكم", "مبلغ", "المبلغ", "رصيد", "رصيدي", "الرصيد", "اجمالي", "الاجمالي", "قيمه",
        "المستحق", "مستحق", "كثر", "شكثر", "رسوم", "الرسوم", "ادفع", "كم علي",
    ),
}  # fmt: skip
# When cues of several kinds are found, the first kind here wins: "when is the amount due" asks a date,
# "what is the reference number of the payment" a reference.
_PRIORITY = (DATE, REFERENCE, AMOUNT)

_CURRENCY = r"(?:aed|kwd|sar|qar|bhd|omr|usd|eur|dhs?|درهم|دراهم|دينار|ريال|د\.ا|د\.ك|ر\.س)"
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,3})?|\d+\.\d{1,3}|\d+"
# An amount has decimals or thousands, or a currency beside it: "42" alone could be anything.
_AMOUNT = re.compile(
    rf"(?<![\w/.,-])(?:{_CURRENCY}\s?(?:{_NUMBER})|(?:{_NUMBER})\s?{_CURRENCY}"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d{1,3})?|\d+\.\d{2,3})(?![\w/-]|[.,]\d)"
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    "يناير|فبراير|مارس|ابريل|مايو|يونيو|يوليو|اغسطس|سبتمبر|اكتوبر|نوفمبر|ديسمبر"
)
_DATE = re.compile(
    rf"(?<![\w/.-])(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}|(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}})(?![\w/-]|\.\d)"
)
# Letters and digits with at least four digits and five characters in all (a year is not one), not a
# date or an amount.
_REFERENCE = re.compile(
    r"(?<![\w/.,-])(?=[a-z0-9-]*\d{4})(?=[a-z0-9-]{5})[a-z]{0,6}-?\d[a-z0-9-]*(?<!-)(?![\w/,-]|\.\w)"
)
_PATTERNS = {AMOUNT: _AMOUNT, DATE: _DATE, REFERENCE: _REFERENCE}


def question_kind(question: str) -> str | None:
    """The kind of value `question` asks for, or None when it asks for none of them."""
    spaced = f" {' '.join(terms.words(question))} "
    found = [kind for kind in _PRIORITY if any(f" {cue} " in spaced for cue in _CUES[kind])]
    return found[0] if found else None


def find(kind: str, text: str) -> str | None:
    """The first value of `kind` that `text` states, as written there; None when it states none."""
    folded = terms.fold(text)
    for match in _PATTERNS[kind].finditer(folded):
        if kind == REFERENCE and (_DATE.fullmatch(match[0]) or _AMOUNT.fullmatch(match[0])):
            continue
        return text[match.start() : match.end()].strip()
    return None
