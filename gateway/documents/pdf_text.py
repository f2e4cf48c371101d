"""Text of a PDF with pypdf, bounded in pages and characters; any failure becomes a note, never an error.

Runs inside a document worker process (gateway/documents/pdf_worker.py), which the gateway kills when a
document takes too long: nothing here bounds time.
"""

import io
import re
import warnings
from dataclasses import dataclass, field

from gateway.documents.rtl_lines import logical

PDF_MAGIC = b"%PDF-"
# PDF readers accept the header anywhere in the first KiB (some generators put junk before it).
HEADER_WINDOW = 1024

# Control characters other than tab and newline: PostgreSQL text refuses NUL, and the others are
# noise from fonts without a usable character map.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


@dataclass(frozen=True)
class Extracted:
    # The document's page count; None when it could not be opened.
    pages: int | None
    text: str
    note: str
    # Where each page read starts in `text` (character offsets): passages name their page by it.
    page_starts: list[int] = field(default_factory=list)


def looks_like_pdf(data: bytes) -> bool:
    return PDF_MAGIC in data[:HEADER_WINDOW]


def clean(text: str) -> str:
    # Lone surrogates (from broken font maps) cannot be stored as UTF-8.
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def extract(data: bytes, *, max_pages: int, max_chars: int) -> Extracted:
    """The text of the first `max_pages` pages, at most `max_chars` characters, with a note saying
    what was left out or why nothing could be read."""
    if not looks_like_pdf(data):
        return Extracted(None, "", "not a PDF: not read")
    try:
        # pypdf warns about every oddity of a damaged file; the note says what matters.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pages, parts = _read_pages(data, max_pages, max_chars)
    except _Encrypted:
        return Extracted(None, "", "encrypted with a password: not read")
    except Exception as exc:
        # pypdf raises many kinds of errors on damaged files; each means the same to the customer.
        return Extracted(None, "", f"not a readable PDF ({type(exc).__name__}): not read")
    text, page_starts = joined(parts)
    notes = []
    if len(parts) < pages:
        notes.append(f"read the first {len(parts)} of {pages} pages")
    if len(text) > max_chars:
        text = text[:max_chars]
        page_starts = [start for start in page_starts if start < max_chars]
        notes.append(f"text cut at {max_chars} characters")
    if not text:
        notes.append("no text found (a scanned image?)")
    return Extracted(pages, text, "; ".join(notes), page_starts)


def joined(parts: list[str]) -> tuple[str, list[int]]:
    """The pages' cleaned texts one after another, a blank line apart, and where each starts."""
    text, starts = "", []
    for part in parts:
        # Right-to-left lines as a reader reads them (pypdf leaves their runs in page order).
        cleaned = "\n".join(logical(line) for line in clean(part).split("\n"))
        if text and cleaned:
            text += "\n\n"
        starts.append(len(text))
        text += cleaned
    return text, starts


class _Encrypted(Exception):
    pass


def _read_pages(data: bytes, max_pages: int, max_chars: int) -> tuple[int, list[str]]:
    """The page count and the text of the first pages, stopping once there is more than enough."""
    # Imported here so that importing this module (the gateway does, for Extracted) stays cheap.
    from pypdf import PasswordType, PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("") != PasswordType.NOT_DECRYPTED
        except Exception:
            opened = False  # an unsupported cipher, or a broken encryption dictionary
        if not opened:
            raise _Encrypted
    parts: list[str] = []
    size = 0
    for page in reader.pages[:max_pages]:
        parts.append(page.extract_text() or "")
        size += len(parts[-1])
        if size > max_chars:
            break
    return len(reader.pages), parts
