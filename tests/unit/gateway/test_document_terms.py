"""Arabic and English normalisation and light stemming for passage retrieval; right-to-left lines back
in reading order."""

import pytest

from gateway.documents import terms
from gateway.documents.rtl_lines import logical


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("الفاتورة", "فاتورتي"),  # ta marbuta, the article, a possessive after ta
        ("أسعار", "اسعار"),  # alef with hamza
        ("إقامتكم", "الإقامة"),
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("حساباتكم", "الحساب"),  # a plural and a possessive
        ("والبطاقة", "بطاقتك"),
        ("الـمـبـلـغ", "المبلغ"),  # tatweel
        ("المَبْلَغُ", "المبلغ"),  # diacritics
        ("ﺍﻟﻤﺒﻠﻎ", "المبلغ"),  # presentation forms, as some PDFs store Arabic
        ("Balances", "balance"),
        ("charged", "charges"),
        ("payments", "payment"),
    ],
)
def test_spellings_of_one_word_are_one_term(one: str, other: str) -> None:
    assert terms.terms(one) == terms.terms(other)


def test_arabic_indic_digits_are_ascii_and_numbers_part_from_words() -> None:
    assert terms.words("المبلغ ١٬٢٥٠٫٥٠ درهم") == ["المبلغ", "1", "250", "50", "درهم"]
    assert terms.words("درهم1,250") == ["درهم", "1", "250"]


def test_question_words_are_not_terms_in_either_language() -> None:
    assert terms.terms("What is my balance?") == ["balanc"]
    assert terms.terms("متى هو تاريخ الاستحقاق؟") == ["تاريخ", "استحقاق"]


def test_fold_keeps_every_position() -> None:
    text = "رقم المرجع: ٨٨٢١٣ أو إلى"
    assert len(terms.fold(text)) == len(text)
    assert terms.fold(text).endswith("88213 او الي")


def test_a_balance_question_also_looks_for_what_bills_call_it() -> None:
    assert {"due", "outstand", "مستحق"} <= set(terms.question_terms("what is my balance"))
    assert terms.question_terms("late fee") == ["lat", "fee", "charg", "رسوم"]


@pytest.mark.parametrize(
    ("as_read", "in_order"),
    [
        (" درهم1,250.75 :إجمالي المبلغ المستحق", "إجمالي المبلغ المستحق: 1,250.75 درهم"),
        ("25/03/2026 :تاريخ استحقاق الدفع", "تاريخ استحقاق الدفع: 25/03/2026"),
        ("2026  مارس10 :التاريخ", "التاريخ: 10 مارس 2026"),
        ("STM-2026-0228-7731 :الرقم المرجعي للكشف", "الرقم المرجعي للكشف: STM-2026-0228-7731"),
        ("اعتراض نيابة عنك.", "اعتراض نيابة عنك."),
        # A left-to-right line, even with an Arabic name in it, is as it was.
        ("Card holder: سارة, balance 12.00 AED", "Card holder: سارة, balance 12.00 AED"),
    ],
)
def test_right_to_left_lines_are_put_back_in_reading_order(as_read: str, in_order: str) -> None:
    assert logical(as_read) == in_order
