"""A document's text cut into passages, each with its page: what retrieval ranks and the agent reads (pure).

A passage is a sentence, or a line that stands alone (a statement's "Amount due: 1,250.00 AED").
Lines that a PDF wrapped in the middle of a sentence are joined first: a long line that does not end
a sentence goes on into the next one.
"""

import re
from dataclasses import dataclass

# A line nearly as long as the page's longest that does not end a sentence was wrapped by the page's
# width (a heading or a "label: value" line is shorter); a shorter line than WRAPPED_MIN never was.
WRAPPED_SHARE = 0.8
WRAPPED_MIN = 60
# Longer than this, a sentence is cut at a space: a passage is for reading at a glance.
MAX_CHARS = 400
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")
_ENDS_SENTENCE = re.compile(r"[.!?؟:؛;]\s*$")
_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Passage:
    # The document's place among the inquiry's attachments, from 1.
    position: int
    filename: str
    # The page, from 1; None when the document's pages are not known (stored before they were kept).
    page: int | None
    text: str


def pages(text: str, page_starts: list[int]) -> list[tuple[int | None, str]]:
    """The text of each page, numbered from 1 (one unnumbered piece without page starts)."""
    if not page_starts:
        return [(None, text)]
    bounds = [*page_starts, len(text)]
    return [(number, text[bounds[number - 1] : bounds[number]]) for number in range(1, len(page_starts) + 1)]


def _units(page_text: str) -> list[str]:
    """The page's lines, with those the page's width wrapped joined back into their sentence."""
    units: list[str] = []
    longest = max((len(line.strip()) for line in page_text.split("\n")), default=0)
    wrapped = max(WRAPPED_MIN, WRAPPED_SHARE * longest)
    for paragraph in _PARAGRAPH.split(page_text):
        current = ""
        for line in (line.strip() for line in paragraph.split("\n")):
            if not line:
                continue
            current = f"{current} {line}" if current else line
            if len(line) < wrapped or _ENDS_SENTENCE.search(line):
                units.append(current)
                current = ""
        if current:
            units.append(current)
    return units


def _pieces(unit: str) -> list[str]:
    out: list[str] = []
    for sentence in _SENTENCE_END.split(unit):
        while len(sentence) > MAX_CHARS:
            cut = sentence.rfind(" ", 0, MAX_CHARS)
            cut = cut if cut > 0 else MAX_CHARS
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence.strip():
            out.append(sentence.strip())
    return out


def split(position: int, filename: str, text: str, page_starts: list[int]) -> list[Passage]:
    """The document's passages in reading order."""
    return [
        Passage(position, filename, page, piece)
        for page, page_text in pages(text, page_starts)
        for unit in _units(page_text)
        for piece in _pieces(unit)
    ]
