"""Writes the labelled set's PDFs (statements, bills, letters; Arabic and English) beside this file.

`python tests/data/passages/make_pdfs.py` with the dev dependencies (fpdf2, uharfbuzz for Arabic
shaping) and Debian's DejaVu fonts. The PDFs are committed, so tests and the evaluation need neither.
The output is the same on every run (fixed dates, no random ids). Each page is a list of lines; a
line longer than the page is wrapped by fpdf2, as a real letter's paragraphs are.
"""

from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FIXED = datetime(2026, 3, 1, tzinfo=UTC)

DOCUMENTS: dict[str, list[list[str]]] = {
    "statement_en.pdf": [
        [
            "Gulf National Bank - Credit Card Statement",
            "Card holder: Sara Al Mansouri",
            "Card number: 4929 **** **** 4471",
            "Statement date: 28/02/2026",
            "Previous balance: 3,120.00 AED",
            "Payments received: 3,120.00 AED",
            "New purchases: 1,250.75 AED",
            "",
            "Total amount due: 1,250.75 AED",
            "Minimum payment due: 125.00 AED",
            "Payment due date: 25/03/2026",
            "Credit limit: 15,000.00 AED",
        ],
        [
            "Transactions",
            "03/02/2026 Lulu Hypermarket Dubai 412.30 AED",
            "09/02/2026 Emirates Airline booking 688.45 AED",
            "17/02/2026 Dubai Electricity and Water 150.00 AED",
            "",
            "If you do not recognise a transaction, call us within 30 days of the statement date on 800 4262 "
            "so "
            "that we can block the card and open a dispute for you.",
            "A late payment fee of 230.00 AED applies when the minimum payment is not received by the "
            "due date.",
            "Statement reference: STM-2026-0228-7731",
        ],
    ],
    "statement_ar.pdf": [
        [
            "بنك الخليج الوطني - كشف حساب البطاقة الائتمانية",
            "اسم حامل البطاقة: سارة المنصوري",
            "رقم البطاقة: 4471 **** **** 4929",
            "تاريخ الكشف: 28/02/2026",
            "الرصيد السابق: 3,120.00 درهم",
            "الدفعات المستلمة: 3,120.00 درهم",
            "المشتريات الجديدة: 1,250.75 درهم",
            "",
            "إجمالي المبلغ المستحق: 1,250.75 درهم",
            "الحد الأدنى للدفع: 125.00 درهم",
            "تاريخ استحقاق الدفع: 25/03/2026",
            "الحد الائتماني: 15,000.00 درهم",
        ],
        [
            "العمليات",
            "03/02/2026 لولو هايبرماركت دبي 412.30 درهم",
            "09/02/2026 حجز طيران الإمارات 688.45 درهم",
            "",
            "إذا لم تتعرف على أي عملية، اتصل بنا خلال 30 يوماً من تاريخ الكشف على الرقم 800 4262 لإيقاف "
            "البطاقة وفتح اعتراض نيابة عنك.",
            "تطبق رسوم تأخير قدرها 230.00 درهم إذا لم يصل الحد الأدنى للدفع بحلول تاريخ الاستحقاق.",
            "الرقم المرجعي للكشف: STM-2026-0228-7731",
        ],
    ],
    "bill_en.pdf": [
        [
            "Emirates Water and Electricity - Monthly Bill",
            "Account number: 2048813577",
            "Premises: Villa 14, Street 22, Al Barsha",
            "Billing period: 01/01/2026 to 31/01/2026",
            "Bill date: 05/02/2026",
            "Electricity consumption: 1,840 kWh",
            "Electricity charges: 562.40 AED",
            "Water consumption: 38 cubic metres",
            "Water charges: 301.10 AED",
            "Sewerage fee: 45.00 AED",
            "VAT (5%): 45.43 AED",
            "Total payable: 953.93 AED",
            "Please pay by: 20/02/2026",
            "Unpaid bills after the due date may lead to disconnection of the service and a reconnection fee "
            "of 300.00 AED.",
        ],
    ],
    "bill_ar.pdf": [
        [
            "هيئة الكهرباء والمياه - الفاتورة الشهرية",
            "رقم الحساب: 2048813577",
            "العنوان: فيلا 14، شارع 22، البرشاء",
            "فترة الفاتورة: من 01/01/2026 إلى 31/01/2026",
            "تاريخ الفاتورة: 05/02/2026",
            "استهلاك الكهرباء: 1840 كيلوواط ساعة",
            "رسوم الكهرباء: 562.40 درهم",
            "استهلاك المياه: 38 متر مكعب",
            "رسوم المياه: 301.10 درهم",
            "رسوم الصرف الصحي: 45.00 درهم",
            "ضريبة القيمة المضافة: 45.43 درهم",
            "المبلغ الإجمالي المطلوب: 953.93 درهم",
            "آخر موعد للدفع: 20/02/2026",
            "قد يؤدي عدم سداد الفاتورة بعد تاريخ الاستحقاق إلى فصل الخدمة وفرض رسوم إعادة توصيل قدرها "
            "300.00 درهم.",
        ],
    ],
    "letter_en.pdf": [
        [
            "Ministry of Human Resources - Notice of Residence Permit Renewal",
            "Date: 10 March 2026",
            "Our reference: MHR/RES/2026/55812",
            "Dear Mr Omar Haddad,",
            "Your residence permit number 784-1990-5532117-4 expires on 30 April 2026. To avoid a fine, the "
            "renewal application must be submitted before the expiry date together with a valid medical "
            "fitness certificate and Emirates ID.",
            "The renewal fee is 1,100.00 AED and can be paid online or at any service centre.",
        ],
        [
            "A fine of 50.00 AED is charged for each day the permit remains expired after the grace period.",
            "Your appointment for biometrics has been booked for 12 April 2026 at the Al Karama service "
            "centre.",
            "If you have any question about this notice, please quote the reference above when you "
            "contact us.",
            "Yours sincerely,",
            "Residence Services Department",
        ],
    ],
    "letter_ar.pdf": [
        [
            "وزارة الموارد البشرية - إشعار تجديد تصريح الإقامة",
            "التاريخ: 10 مارس 2026",
            "الرقم المرجعي: MHR/RES/2026/55812",
            "السيد عمر حداد المحترم،",
            "ينتهي تصريح إقامتكم رقم 784-1990-5532117-4 بتاريخ 30 أبريل 2026. لتجنب المخالفة يجب تقديم طلب "
            "التجديد قبل تاريخ الانتهاء مع شهادة اللياقة الطبية وبطاقة الهوية.",
            "رسوم التجديد 1,100.00 درهم ويمكن دفعها إلكترونياً أو في أي مركز خدمة.",
        ],
        [
            "تفرض غرامة قدرها 50.00 درهم عن كل يوم يبقى فيه التصريح منتهياً بعد فترة السماح.",
            "تم حجز موعدكم لأخذ البصمات بتاريخ 12 أبريل 2026 في مركز خدمة الكرامة.",
            "لأي استفسار عن هذا الإشعار يرجى ذكر الرقم المرجعي أعلاه عند التواصل معنا.",
            "مع خالص التحية،",
            "إدارة خدمات الإقامة",
        ],
    ],
    "fine_ar.pdf": [
        [
            "القيادة العامة للشرطة - إشعار مخالفة مرورية",
            "رقم المخالفة: TRF-5520931",
            "رقم اللوحة: دبي ك 48213",
            "تاريخ المخالفة: 14/02/2026",
            "نوع المخالفة: تجاوز السرعة المقررة بأكثر من 30 كم/ساعة",
            "قيمة المخالفة: 600.00 درهم",
            "النقاط المرورية: 6 نقاط",
            "يمنح خصم 25% عند السداد قبل 15/03/2026.",
            "يمكن الاعتراض على المخالفة خلال 30 يوماً من تاريخها عبر التطبيق أو مراكز سعادة المتعاملين.",
        ],
    ],
    "loan_en.pdf": [
        [
            "Housing Loan Programme - Approval Letter",
            "Application number: HLP-2026-004417",
            "Applicant: Khalid Al Suwaidi",
            "We are pleased to inform you that your housing loan has been approved.",
            "Approved loan amount: 850,000.00 AED",
            "Monthly instalment: 4,722.00 AED",
            "First instalment date: 01/05/2026",
            "Repayment period: 15 years",
        ],
        [
            "Conditions",
            "The loan must be used to build or buy a home in the emirate within 24 months of approval.",
            "Instalments are deducted from the salary account number AE070331234567890123456 on the first "
            "day of "
            "each month.",
            "Early settlement is allowed at any time without a fee.",
            "To accept the offer, sign and return this letter by 15/04/2026.",
        ],
    ],
}


def is_arabic(line: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in line)


def write(name: str, pages: list[list[str]]) -> None:
    pdf = FPDF()
    pdf.set_creation_date(FIXED)
    pdf.add_font("dejavu", fname=str(FONT))
    pdf.set_font("dejavu", size=11)
    pdf.set_text_shaping(True)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            if not line:
                pdf.ln(6)
                continue
            pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT", align="R" if is_arabic(line) else "L")
    pdf.output(str(HERE / name))


if __name__ == "__main__":
    for name, pages in DOCUMENTS.items():
        write(name, pages)
        print(name)
