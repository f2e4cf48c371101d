"""Numbers, percentages and dates as each language writes them (babel, CLDR data).

The locales are the Emirates' (ar-AE, en-AE). CLDR's default numbering system for ar-AE is Latin
digits (0-9), not Arabic-Indic ones (٠-٩): we keep CLDR's default, as the pages' Intl does in the browser.
"""

from datetime import datetime

from babel import dates, numbers

LOCALES = {"ar": "ar_AE", "en": "en_AE"}
# The same locales as BCP 47 tags, for the browser's Intl.
TAGS = {"ar": "ar-AE", "en": "en-AE"}


def number(language: str, value: float, decimals: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return numbers.format_decimal(value, format=pattern, locale=LOCALES[language])


def signed(language: str, value: float, decimals: int = 0) -> str:
    pattern = "+#,##0" + ("." + "0" * decimals if decimals else "")
    return numbers.format_decimal(
        value,
        format=f"{pattern};-#,##0" + ("." + "0" * decimals if decimals else ""),
        locale=LOCALES[language],
    )


def percent(language: str, rate: float, decimals: int = 1) -> str:
    """A rate (0-1) as a percentage with `decimals` places (0.875 -> 87.5%)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return numbers.format_percent(rate, format=pattern, locale=LOCALES[language])


def date_time(language: str, value: datetime) -> str:
    """A moment in the locale's medium form (in the zone `value` carries)."""
    return dates.format_datetime(value, "medium", tzinfo=value.tzinfo, locale=LOCALES[language])


def month(language: str, index: int) -> str:
    """A month's abbreviated name (1 = January)."""
    return str(dates.get_month_names("abbreviated", locale=LOCALES[language])[index])
