"""An inquiry's attachments: read each (bounded), note what could not be, and summarise for the classifier."""

import asyncio
from dataclasses import dataclass

from gateway.documents.pdf_text import Extracted, looks_like_pdf
from gateway.documents.worker_pool import DocumentWorkers
from gateway.settings import DocumentLimits
from services.shared.store.ticket_documents import Document


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def unread_note(attachment: Attachment, limits: DocumentLimits) -> str | None:
    """Why the attachment is not worth a worker's time, or None when it should be read (pure)."""
    if len(attachment.data) > limits.max_bytes:
        return f"{len(attachment.data)} bytes is over the {limits.max_bytes}-byte limit: not read"
    if not looks_like_pdf(attachment.data):
        return "not a PDF: not read"
    return None


async def read_all(
    workers: DocumentWorkers, attachments: list[Attachment], limits: DocumentLimits
) -> list[Document]:
    """Every attachment becomes a document, read or with a note; the reads run side by side."""

    async def one(attachment: Attachment) -> Document:
        note = unread_note(attachment, limits)
        found = Extracted(None, "", note) if note else await workers.read(attachment.data)
        return Document(
            filename=attachment.filename,
            content_type=attachment.content_type,
            bytes=len(attachment.data),
            pages=found.pages,
            text=found.text,
            note=found.note,
            page_starts=found.page_starts,
        )

    return list(await asyncio.gather(*(one(a) for a in attachments)))


def for_classifier(documents: list[Document], max_chars: int) -> str:
    """The documents' text for ClassifyRequest.documents_text: each document's start, in order."""
    texts = [d.text for d in documents if d.text]
    if not texts:
        return ""
    # An equal share each, so a long first document does not hide what the second is.
    share = max(1, max_chars // len(texts))
    return "\n\n".join(text[:share] for text in texts)[:max_chars]
