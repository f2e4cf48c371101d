"""Arabic spelling variants, shared by every matcher of customers' words (pure).

Customers write the same word many ways: with or without harakat and tatweel, any of four alefs,
alef maqsura for ya, ta marbuta for ha, Persian ya and kaf from Persian keyboards, Arabic-Indic or
Persian digits. The classifier's keyword matcher (services/classifier/text.py) and the document
reader's terms (gateway/documents/terms.py) fold them alike through this module, each adding what
only it needs (apostrophes; Arabic decimal and thousands separators).
"""

import re

# Harakat, Quranic annotation marks and the superscript alef: they change pronunciation, not meaning,
# and most customers leave them out, so they are removed before anything is compared.
MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
TATWEEL = "\u0640"

# One character for one character (positions found in folded text are positions in the text).
LETTER_VARIANTS: dict[str, str] = {
    "\u0622": "\u0627",  # آ -> ا
    "\u0623": "\u0627",  # أ -> ا
    "\u0625": "\u0627",  # إ -> ا
    "\u0671": "\u0627",  # ٱ -> ا
    "\u0649": "\u064a",  # ى -> ي
    "\u0629": "\u0647",  # ة -> ه
    # Persian keyboards type these for ي and ك; Arabic readers see the same letter.
    "\u06cc": "\u064a",  # ی -> ي
    "\u06a9": "\u0643",  # ک -> ك
    **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + d): str(d) for d in range(10)},  # Extended (Persian) digits
}


def without_marks(text: str) -> str:
    """`text` without harakat, annotation marks and tatweel."""
    return MARKS.sub("", text).replace(TATWEEL, "")
