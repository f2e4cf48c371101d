"""SQL for ticket_documents: what was read from each attachment of an inquiry.

Documents are inserted by the intake statement itself (see `tickets.INTAKE`), in the ticket's own
transaction; this module reads them back and holds the shape the intake passes in.
"""

from dataclasses import dataclass, field
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import class_row


@dataclass(frozen=True)
class Document:
    filename: str
    content_type: str
    bytes: int
    # None when the document could not be read at all.
    pages: int | None
    text: str
    # Why the text is missing or partial ("encrypted: not read", "read the first 10 of 40 pages").
    note: str
    # Where each page read starts in `text` (character offsets); empty for documents stored before.
    page_starts: list[int] = field(default_factory=list, kw_only=True)


@dataclass(frozen=True)
class StoredDocument(Document):
    position: int


def intake_params(documents: list[Document]) -> dict[str, list[Any] | None]:
    """The documents as the parallel arrays `tickets.INTAKE` unnests; NULL arrays (which unnest to no
    rows) when there are none, the usual case, which spares the intake's hot path six array dumps."""
    if not documents:
        return dict.fromkeys(_ARRAYS)
    return {
        "doc_filenames": [d.filename for d in documents],
        "doc_content_types": [d.content_type for d in documents],
        "doc_bytes": [d.bytes for d in documents],
        "doc_pages": [d.pages for d in documents],
        "doc_texts": [d.text for d in documents],
        "doc_notes": [d.note for d in documents],
        # Arrays of different lengths cannot be one SQL array: each is a comma-separated list.
        "doc_page_starts": [",".join(map(str, d.page_starts)) for d in documents],
    }


_ARRAYS = (
    "doc_filenames",
    "doc_content_types",
    "doc_bytes",
    "doc_pages",
    "doc_texts",
    "doc_notes",
    "doc_page_starts",
)


async def for_ticket(conn: AsyncConnection[Any], ticket_id: int) -> list[StoredDocument]:
    async with conn.cursor(row_factory=class_row(StoredDocument)) as cur:
        await cur.execute(
            """SELECT filename, content_type, bytes, pages, text, note, page_starts, position
               FROM ticket_documents WHERE ticket_id = %s ORDER BY position""",
            (ticket_id,),
        )
        return await cur.fetchall()
