"""PDF text extraction: bounded in pages and characters, and every failure a note (real PDFs, made here)."""

import io
import json
from pathlib import Path

import pytest

from gateway.documents import pdf_worker
from gateway.documents.pdf_text import Extracted, clean, extract
from tests.fixtures.pdfs import broken_pdf, encrypted_pdf, text_pdf

LIMITS = {"max_pages": 10, "max_chars": 20_000}
ROOT = Path(__file__).resolve().parents[3]


def test_the_text_of_every_page_is_read_in_order() -> None:
    found = extract(text_pdf("Card statement\nMarch 2026", "Disputed payment (42.00)"), **LIMITS)
    assert found == Extracted(2, "Card statement\nMarch 2026\n\nDisputed payment (42.00)", "", [0, 27])
    # Where each page starts, so passages name their page.
    assert found.text[27:].startswith("Disputed payment")


def test_an_arabic_pdf_is_read_in_reading_order_with_its_pages() -> None:
    data = (ROOT / "tests" / "data" / "passages" / "statement_ar.pdf").read_bytes()
    found = extract(data, **LIMITS)
    assert found.pages == 2 and len(found.page_starts) == 2
    first, second = found.text[: found.page_starts[1]], found.text[found.page_starts[1] :]
    assert "إجمالي المبلغ المستحق: 1,250.75 درهم" in first.split("\n")
    assert "الرقم المرجعي للكشف: STM-2026-0228-7731" in second.split("\n")


def test_only_the_first_pages_and_characters_are_read() -> None:
    pages = [f"page {i} " + "x" * 50 for i in range(40)]
    found = extract(text_pdf(*pages), **LIMITS)
    assert found.pages == 40 and found.note == "read the first 10 of 40 pages"
    assert found.text.startswith("page 0") and "page 9" in found.text and "page 10" not in found.text
    cut = extract(text_pdf(*pages), max_pages=10, max_chars=100)
    assert len(cut.text) == 100
    assert cut.note == "read the first 2 of 40 pages; text cut at 100 characters"


def test_an_encrypted_pdf_is_not_read_unless_it_opens_without_a_password() -> None:
    locked = extract(encrypted_pdf(text_pdf("secret")), **LIMITS)
    assert locked == Extracted(None, "", "encrypted with a password: not read")
    # Owner-only protection (printing or copying restricted): anyone may open and read it.
    assert extract(encrypted_pdf(text_pdf("readable"), user_password=""), **LIMITS).text == "readable"


@pytest.mark.parametrize(
    ("data", "note"),
    [
        (broken_pdf(), "not a readable PDF"),
        (b"%PDF-1.7\n" + b"\xff" * 3000, "not a readable PDF"),
        (b"PK\x03\x04 a zip file, not a PDF", "not a PDF: not read"),
        (b"", "not a PDF: not read"),
        (text_pdf(""), "no text found"),
    ],
)
def test_damaged_foreign_and_empty_files_get_a_note(data: bytes, note: str) -> None:
    found = extract(data, **LIMITS)
    assert found.text == "" and note in found.note


def test_text_is_cleaned_for_storage() -> None:
    assert clean("a\x00b\r\nc\x07\n\n\n\n d\ud800") == "ab\nc\n\n d?"


def test_the_worker_answers_each_framed_request_in_turn() -> None:
    documents = [text_pdf("first"), b"not a pdf", text_pdf("third")]
    requests = io.BytesIO(b"".join(len(d).to_bytes(4, "big") + d for d in documents))
    replies = io.BytesIO()
    pdf_worker.serve(requests, replies, **LIMITS)
    replies.seek(0)
    answers = []
    while header := replies.read(4):
        answers.append(json.loads(replies.read(int.from_bytes(header, "big"))))
    assert [a["text"] for a in answers] == ["first", "", "third"]
    assert answers[1]["note"] == "not a PDF: not read"
