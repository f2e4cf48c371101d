"""Passages with their pages, BM25 ranking, question kinds and values, and when an answer is given (pure)."""

import pytest

from gateway.documents import document_answers, passages, values
from gateway.documents.retrieval import bm25, rank
from services.shared.i18n import catalogue
from services.shared.store.ticket_documents import Document

PAGE_1 = (
    "Gulf National Bank - Credit Card Statement\n"
    "Previous balance: 3,120.00 AED\n"
    "Total amount due: 1,250.75 AED\n"
    "Payment due date: 25/03/2026\n"
    "Statement date: 28/02/2026"
)
PAGE_2 = (
    "If you do not recognise a transaction, call us within 30 days of the statement date on 800 4262 so\n"
    "that we can block the card and open a dispute for you.\n"
    "Statement reference: STM-2026-0228-7731"
)
AR_PAGE = "كشف حساب البطاقة\nإجمالي المبلغ المستحق: 1,250.75 درهم\nتاريخ استحقاق الدفع: 25/03/2026"


def statement(*pages: str) -> Document:
    text, starts = "", []
    for page in pages:
        text += "\n\n" if text else ""
        starts.append(len(text))
        text += page
    return Document("statement.pdf", "application/pdf", 1000, len(pages), text, "", page_starts=starts)


def test_passages_are_lines_and_sentences_with_their_page_and_wrapped_lines_joined() -> None:
    found = document_answers.all_passages([statement(PAGE_1, PAGE_2)])
    assert [(p.page, p.text) for p in found][:2] == [
        (1, "Gulf National Bank - Credit Card Statement"),
        (1, "Previous balance: 3,120.00 AED"),
    ]
    assert (found[-1].page, found[-1].text) == (2, "Statement reference: STM-2026-0228-7731")
    # The sentence the page's width cut in two is one passage.
    assert found[-2].text.startswith("If you do not recognise") and found[-2].text.endswith(
        "dispute for you."
    )


def test_a_document_stored_without_pages_has_passages_without_a_page() -> None:
    found = passages.split(1, "old.pdf", "Amount due: 5.00 AED", [])
    assert [(p.page, p.text) for p in found] == [(None, "Amount due: 5.00 AED")]


def test_a_long_sentence_is_cut_at_a_space() -> None:
    found = passages.split(1, "long.pdf", " ".join(["word"] * 300), [0])
    assert len(found) > 1 and all(len(p.text) <= passages.MAX_CHARS for p in found)


def test_ranking_puts_the_passage_sharing_the_rarer_words_first_and_leaves_out_the_unrelated() -> None:
    found = document_answers.all_passages([statement(PAGE_1, PAGE_2)])
    ranked = rank("statement reference number", found)
    assert ranked[0].passage.text == "Statement reference: STM-2026-0228-7731"
    assert all(r.score > 0 for r in ranked)
    assert rank("weather in Paris", found) == []


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What is my balance?", values.AMOUNT),
        ("How much do I owe", values.AMOUNT),
        ("كم المبلغ المستحق", values.AMOUNT),
        ("شكثر علي؟", values.AMOUNT),
        ("When is the due date?", values.DATE),
        ("when is the amount due", values.DATE),
        ("متى تاريخ الاستحقاق", values.DATE),
        ("reference number please", values.REFERENCE),
        ("رقم المرجع", values.REFERENCE),
        ("كيف اعترض على المخالفة", None),
        ("Please look at the attached letter", None),
    ],
)
def test_the_kind_of_value_a_question_asks_for(question: str, kind: str | None) -> None:
    assert values.question_kind(question) == kind


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        (values.AMOUNT, "Total amount due: 1,250.75 AED.", "1,250.75 AED"),
        (values.AMOUNT, "المبلغ المستحق: ١٬٢٥٠٫٥٠٠ درهم", "١٬٢٥٠٫٥٠٠ درهم"),
        (values.AMOUNT, "card ending 4471", None),
        (values.DATE, "Payment due date: 25/03/2026", "25/03/2026"),
        (values.DATE, "ينتهي بتاريخ 30 أبريل 2026", "30 أبريل 2026"),
        (values.DATE, "sign by April 15, 2026", "April 15, 2026"),
        (values.REFERENCE, "Reference: REF-88213.", "REF-88213"),
        (values.REFERENCE, "رقم المرجع: ٨٨٢١٣٤٥", "٨٨٢١٣٤٥"),
        # A date, an amount or a year is not a reference.
        (values.REFERENCE, "due 15/04/2026, 1,250.00 AED, March 2026", None),
    ],
)
def test_values_are_found_as_the_document_writes_them(kind: str, text: str, value: str | None) -> None:
    assert values.find(kind, text) == value


def test_a_value_question_is_answered_from_the_passage_stating_it() -> None:
    found = document_answers.answer("When is my payment due?", [statement(PAGE_1, PAGE_2)])
    assert found is not None
    assert (found.kind, found.value, found.passage.page) == (values.DATE, "25/03/2026", 1)
    assert found.passage.text == "Payment due date: 25/03/2026"
    arabic = document_answers.answer("كم المبلغ المستحق؟", [statement(AR_PAGE)])
    assert arabic is not None and arabic.value == "1,250.75 درهم"


@pytest.mark.parametrize(
    "question",
    [
        "Please look at my statement",  # asks for no value
        "What is the weather today?",  # no passage matches
        "The amount due is wrong, I did not make this payment: what is my balance?",  # a problem
        "When did you send the letter?",  # a date question no passage of the document bears on
    ],
)
def test_no_answer_unless_plainly_asked_and_stated(question: str) -> None:
    assert document_answers.answer(question, [statement(PAGE_1, PAGE_2)]) is None


def test_two_passages_stating_a_date_nearly_as_well_leave_the_question_to_a_person() -> None:
    tied = statement("Bill date: 05/02/2026\nReminder: bill date moved to 07/02/2026")
    assert document_answers.answer("What is the bill date?", [tied]) is None
    # Without the second, the first is the answer.
    found = document_answers.answer("What is the bill date?", [statement("Bill date: 05/02/2026")])
    assert found is not None and found.value == "05/02/2026"


def test_the_reply_quotes_the_passage_and_names_the_page_in_the_customers_language() -> None:
    found = document_answers.answer("When is my payment due?", [statement(PAGE_1, PAGE_2)])
    assert found is not None
    english = document_answers.reply(found, "en")
    assert "statement.pdf" in english and "page 1" in english and "“Payment due date: 25/03/2026”" in english
    arabic = document_answers.reply(found, "ar")
    assert "الصفحة 1" in arabic and "«Payment due date: 25/03/2026»" in arabic
    assert document_answers.reply(found, "fr") == arabic  # the centre's default
    assert catalogue.DEFAULT == "ar"


def test_best_passages_put_those_stating_the_asked_value_first_when_close() -> None:
    shown = document_answers.best_passages("what is the statement date", [statement(PAGE_1, PAGE_2)])
    assert shown[0].passage.text == "Statement date: 28/02/2026"


def test_a_heading_alone_is_not_ranked() -> None:
    found = passages.split(1, "s.pdf", "Transactions\nTransactions you made in March: 3", [0])
    assert [r.passage.text for r in rank("transactions", found)] == ["Transactions you made in March: 3"]


def test_bm25_scores_stay_positive_in_a_tiny_document_and_favour_rare_repeated_terms() -> None:
    # One passage, or a term in every passage: still a positive score (Lucene's IDF).
    assert bm25(["due"], [["amount", "due"]])[0] > 0
    every = bm25(["due"], [["amount", "due"], ["date", "due"]])
    assert every[0] == every[1] > 0
    # The rarer term weighs more; a term twice weighs more than once; a longer passage less.
    rare = bm25(["fee", "due"], [["fee", "due"], ["date", "due"], ["amount", "due"]])
    assert rare[0] > rare[1] == rare[2]
    assert (
        bm25(["fee"], [["fee", "fee", "x"], ["fee", "y", "z"]])[0]
        > bm25(["fee"], [["fee", "fee", "x"], ["fee", "y", "z"]])[1]
    )
    short, long = bm25(["fee"], [["fee", "a"], ["fee", "a", "b", "c", "d", "e"]])
    assert short > long > 0
