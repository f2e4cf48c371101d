"""Self-service from the customer's own documents: an inquiry asking for a value its PDF states is
answered at intake, as a FAQ answer is (the ticket is `self_served`, the answer its outbound message).

The answer quotes the passage and names the document and page, in the customer's language; it is
given only when gateway/documents/document_answers.py finds it plainly there. The classification
keeps what was quoted (`document_answer`) beside the answer (`faq`, id "document.<kind>").
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gateway.documents import document_answers
from services.shared.store.ticket_documents import Document
from services.shared.store.tickets import FaqAnswer


@dataclass(frozen=True)
class Answered:
    faq: FaqAnswer
    # Stored in the ticket's classification as `document_answer`: what the agent sees was quoted.
    detail: dict[str, Any]


def answer(question: str, documents: Sequence[Document], language: str) -> Answered | None:
    found = document_answers.answer(question, documents)
    if found is None:
        return None
    passage = found.passage
    faq = FaqAnswer(f"document.{found.kind}", found.confidence, document_answers.reply(found, language))
    detail = {
        "kind": found.kind,
        "value": found.value,
        "document": passage.position,
        "filename": passage.filename,
        "page": passage.page,
        "passage": passage.text,
    }
    return Answered(faq, detail)
