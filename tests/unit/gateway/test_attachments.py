"""Attachments in the API: base64 checked, names kept as names, limits, what reaches the classifier."""

import base64
import hashlib
import json

import pytest
from pydantic import ValidationError

from gateway.actions.intake import request_hash
from gateway.documents import attachments as documents
from gateway.documents.attachments import Attachment
from gateway.http.schemas import MAX_ATTACHMENTS, AttachmentIn, InquiryIn
from gateway.settings import DocumentLimits
from services.shared.settings import Env, SettingsError
from services.shared.store.ticket_documents import Document
from tests.fixtures.pdfs import text_pdf

BODY = {"channel": "web", "external_id": "w1", "customer": {"web_user_id": "w-1"}, "text": "see attached"}
PDF = text_pdf("statement")


def attachment(**overrides: object) -> dict[str, object]:
    return {"filename": "statement.pdf", "data_base64": base64.b64encode(PDF).decode()} | overrides


def test_an_attachment_is_decoded_and_keeps_only_its_file_name() -> None:
    item = AttachmentIn.model_validate(attachment(filename="C:\\Users\\sara\\statement.pdf"))
    assert (item.filename, item.content_type, item.data) == ("statement.pdf", "application/pdf", PDF)
    assert AttachmentIn.model_validate(attachment(filename="../../etc/passwd")).filename == "passwd"
    wrapped = base64.encodebytes(PDF).decode()  # MIME style: a line break every 76 characters
    assert "\n" in wrapped and AttachmentIn.model_validate(attachment(data_base64=wrapped)).data == PDF


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"data_base64": "not base64!"}, "not valid base64"),
        ({"data_base64": "QUJD"[:3]}, "not valid base64"),
        ({"data_base64": ""}, "at least 1 character"),
        ({"filename": "/"}, "printable file name"),
        ({"filename": "a\nb.pdf"}, "printable file name"),
        ({"content_type": "pdf"}, "pattern"),
        ({"size": 3}, "Extra inputs"),
    ],
)
def test_bad_attachments_are_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        AttachmentIn.model_validate(attachment(**overrides))


def test_an_inquiry_takes_a_bounded_number_of_attachments() -> None:
    assert (
        len(InquiryIn.model_validate(BODY | {"attachments": [attachment()] * MAX_ATTACHMENTS}).attachments)
        == 5
    )
    with pytest.raises(ValidationError, match=f"at most {MAX_ATTACHMENTS} items"):
        InquiryIn.model_validate(BODY | {"attachments": [attachment()] * (MAX_ATTACHMENTS + 1)})


def test_the_request_hash_counts_attachments_by_content_however_they_were_sent() -> None:
    plain = InquiryIn.model_validate(BODY)
    # Without attachments the digest is what it was before attachments existed: old retries still match.
    canonical = json.dumps(
        plain.model_dump(mode="json", exclude={"attachments"}), sort_keys=True, separators=(",", ":")
    )
    assert request_hash(plain) == hashlib.sha256(canonical.encode()).digest()
    as_json = InquiryIn.model_validate(BODY | {"attachments": [attachment()]})
    from_json = [Attachment(a.filename, a.content_type, a.data) for a in as_json.attachments]
    from_parts = [Attachment("statement.pdf", "application/pdf", PDF)]
    assert request_hash(as_json, from_json) == request_hash(plain, from_parts) != request_hash(plain)
    other = [Attachment("statement.pdf", "application/pdf", text_pdf("another"))]
    assert request_hash(plain, other) != request_hash(plain, from_parts)


LIMITS = DocumentLimits.from_env(Env({"DOCUMENT_MAX_BYTES": "1000"}))


def test_attachments_too_large_or_not_pdf_are_not_read() -> None:
    assert documents.unread_note(Attachment("a.pdf", "application/pdf", PDF), LIMITS) is None
    huge = Attachment("a.pdf", "application/pdf", PDF + b" " * 1000)
    assert (
        documents.unread_note(huge, LIMITS) == f"{len(huge.data)} bytes is over the 1000-byte limit: not read"
    )
    picture = Attachment("a.png", "image/png", b"\x89PNG\r\n")
    assert documents.unread_note(picture, LIMITS) == "not a PDF: not read"


def _doc(text: str) -> Document:
    return Document("a.pdf", "application/pdf", 10, 1, text, "")


def test_the_classifier_gets_an_equal_share_of_each_documents_start() -> None:
    assert documents.for_classifier([], 100) == ""
    assert documents.for_classifier([_doc(""), _doc("short")], 100) == "short"
    text = documents.for_classifier([_doc("a" * 500), _doc("b" * 500)], 100)
    assert text == "a" * 50 + "\n\n" + "b" * 48


def test_document_limits_come_from_the_environment_and_must_be_positive() -> None:
    limits = DocumentLimits.from_env(Env({"DOCUMENT_TIMEOUT_MS": "1500", "DOCUMENT_MAX_PAGES": "3"}))
    assert (limits.timeout_s, limits.max_pages, limits.workers) == (1.5, 3, 2)
    with pytest.raises(SettingsError, match="workers"):
        DocumentLimits.from_env(Env({"DOCUMENT_WORKERS": "0"}))
