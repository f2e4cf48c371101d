"""Precision of the top passage on the labelled set of documents and questions.

`python -m gateway.documents.evaluate [--set tests/data/passages] [--misses]`: reads each PDF as the
gateway does (gateway/documents/pdf_text.py, here in-process), asks each question, and counts the
questions whose best passage is the labelled one (its page, and the labelled piece in its text).
Reported for the ranking the agent sees and self-service uses (BM25, passages stating the value a
question asks for first) and for BM25 alone; with precision at 3, and how often self-service answered
and how often that answer quoted the labelled passage.
"""

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from gateway.documents import document_answers, retrieval
from gateway.documents.passages import Passage
from gateway.documents.pdf_text import extract
from services.shared.store.ticket_documents import Document

DEFAULT_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "passages"
_ARABIC = re.compile("[\u0600-\u06ff]")


@dataclass(frozen=True)
class Case:
    filename: str
    question: str
    page: int
    piece: str

    @property
    def language(self) -> str:
        return "ar" if _ARABIC.search(self.question) else "en"

    def hit(self, passage: Passage) -> bool:
        return passage.page == self.page and self.piece in passage.text


def load(folder: Path) -> tuple[dict[str, Document], list[Case]]:
    labelled = yaml.safe_load((folder / "questions.yaml").read_text(encoding="utf-8"))
    documents, cases = {}, []
    for filename, questions in labelled.items():
        data = (folder / filename).read_bytes()
        found = extract(data, max_pages=10, max_chars=20_000)
        documents[filename] = Document(
            filename,
            "application/pdf",
            len(data),
            found.pages,
            found.text,
            found.note,
            page_starts=found.page_starts,
        )
        cases += [Case(filename, q["q"], q["page"], q["passage"]) for q in questions]
    return documents, cases


def measure(documents: dict[str, Document], cases: list[Case]) -> dict[str, dict[str, float]]:
    """Per language and for all: questions, precision at 1 and 3, BM25 alone at 1, answers given and right."""
    rows: dict[str, list[tuple[bool, bool, bool, bool, bool]]] = {"ar": [], "en": [], "all": []}
    for case in cases:
        document = [documents[case.filename]]
        shown = document_answers.best_passages(case.question, document, limit=3)
        plain = retrieval.rank(case.question, document_answers.all_passages(document), limit=1)
        given = document_answers.answer(case.question, document)
        row = (
            bool(shown) and case.hit(shown[0].passage),
            any(case.hit(r.passage) for r in shown),
            bool(plain) and case.hit(plain[0].passage),
            given is not None,
            given is not None and case.hit(given.passage),
        )
        rows[case.language].append(row)
        rows["all"].append(row)
    out = {}
    for language, found in rows.items():
        n = len(found)
        answered = sum(r[3] for r in found)
        out[language] = {
            "questions": n,
            "p_at_1": sum(r[0] for r in found) / n if n else 0.0,
            "p_at_3": sum(r[1] for r in found) / n if n else 0.0,
            "bm25_p_at_1": sum(r[2] for r in found) / n if n else 0.0,
            "answered": answered,
            "answered_right": sum(r[4] for r in found),
        }
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.documents.evaluate")
    parser.add_argument(
        "--set", type=Path, default=DEFAULT_SET, help="folder with questions.yaml and the PDFs"
    )
    parser.add_argument("--misses", action="store_true", help="list the questions whose top passage is wrong")
    args = parser.parse_args(argv)
    documents, cases = load(args.set)
    print(f"{len(documents)} documents, {len(cases)} questions")
    print("language  questions  P@1    P@3    BM25 alone P@1  self-served (right)")
    for language, m in measure(documents, cases).items():
        print(
            f"{language:<9} {m['questions']:>9}  {m['p_at_1']:.3f}  {m['p_at_3']:.3f}"
            f"  {m['bm25_p_at_1']:>14.3f}"
            f"  {m['answered']:>3} ({m['answered_right']})"
        )
    if args.misses:
        for case in cases:
            shown = document_answers.best_passages(case.question, [documents[case.filename]], limit=1)
            if not shown or not case.hit(shown[0].passage):
                top = f"p{shown[0].passage.page}: {shown[0].passage.text}" if shown else "nothing"
                print(f"MISS {case.filename} {case.question!r} -> {top}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
