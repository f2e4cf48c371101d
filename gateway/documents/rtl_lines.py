"""An Arabic line of a PDF put back in reading order (pure).

A PDF draws a right-to-left line as glyphs from left to right. pypdf turns each run of Arabic back
into reading order but leaves the runs themselves in the order they stand on the page, so
"المبلغ المستحق: 1,250.00 درهم" comes out as " درهم1,250.00 :المبلغ المستحق". Here a line that is
mostly Arabic is cut into its runs — Arabic words with what lies between them, numbers (with their
separators: "25/03/2026", "1,250.00"), Latin words — and the runs are put right to left. A full
stop pressed against an Arabic word is already where pypdf found it in reading order, so it stays
with the word. Numbers pressed against Arabic words get their space back.
"""

import re

_ARABIC_LETTER = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"
_NEUTRAL = rf"[^A-Za-z0-9{_ARABIC_LETTER}]"
_LATIN_WORD = r"[A-Za-z][A-Za-z0-9]*(?:[-_/.@][A-Za-z0-9]+)*"
_RUN = re.compile(
    rf"(?P<arabic>[{_ARABIC_LETTER}]+(?:{_NEUTRAL}*[{_ARABIC_LETTER}]+)*[.!؟]?)"
    rf"|(?P<latin>{_LATIN_WORD}(?: {_LATIN_WORD})*)"
    r"|(?P<number>\d+(?:[.,/:\-]\d+)*%?)"
    r"|(?P<other>.)",
    re.S,
)
_ARABIC = re.compile(f"[{_ARABIC_LETTER}]")
_LATIN = re.compile("[A-Za-z]")
_MIRRORED = str.maketrans("()[]{}<>«»", ")(][}{><»«")
_GLUED = re.compile(rf"(?<=[{_ARABIC_LETTER}])(?=\d)|(?<=\d)(?=[{_ARABIC_LETTER}])")
_SPACES = re.compile(r" {2,}")
_SPACE_BEFORE_STOP = re.compile(r" +(?=[.،,:؛؟!]$)")


def is_right_to_left(line: str) -> bool:
    return len(_ARABIC.findall(line)) > len(_LATIN.findall(line))


def logical(line: str) -> str:
    """`line` in reading order when it is a right-to-left line as pypdf reads it; otherwise as it is."""
    if not is_right_to_left(line):
        return line
    runs = [m[0] if m.lastgroup != "other" else m[0].translate(_MIRRORED) for m in _RUN.finditer(line)]
    text = "".join(reversed(runs))
    text = _GLUED.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_BEFORE_STOP.sub("", text)
