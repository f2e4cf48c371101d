"""The survey invitation's wording (services/workers/survey_text.py)."""

import pytest

from services.shared.domain import CHANNELS
from services.workers.survey_text import should_send, survey_language, survey_link, survey_text

LINK = "https://help.example.com/survey/tok_123"


@pytest.mark.parametrize(
    ("ticket", "customer", "expected"),
    [
        ("ar", None, "ar"),
        ("ar-JO", "en", "ar"),
        ("en", "ar", "en"),  # the ticket's own language wins
        ("und", "ar", "ar"),
        ("und", None, "en"),
        ("", "AR", "ar"),
        ("fr", None, "en"),  # a language without a translation gets English
    ],
)
def test_the_survey_language(ticket, customer, expected):
    assert survey_language(ticket, customer) == expected


def test_the_link_has_no_double_slash():
    assert survey_link("https://help.example.com/", "tok_123") == LINK


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel_and_language_has_a_text_with_the_link(channel, language):
    text = survey_text(language, channel, link=LINK, ticket_id=42, expires_days=7)
    assert LINK in text
    assert "{" not in text  # every placeholder filled


def test_texts_are_in_the_language_asked_for():
    english = survey_text("en", "email", link=LINK, ticket_id=42, expires_days=7)
    arabic = survey_text("ar", "email", link=LINK, ticket_id=42, expires_days=7)
    assert english.startswith("Hello") and "42" in english and "7 days" in english
    assert arabic.startswith("مرحباً") and "42" in arabic and "7 يوماً" in arabic


def test_sms_and_app_notifications_stay_short():
    for channel in ("phone", "mobile"):
        for language in ("en", "ar"):
            assert len(survey_text(language, channel, link=LINK, ticket_id=1, expires_days=7)) <= 160


@pytest.mark.parametrize(
    ("status", "expected"),
    [("resolved", True), ("queued", False), ("claimed", False), ("answered", False), ("abandoned", False)],
)
def test_only_a_ticket_still_resolved_is_surveyed(status, expected):
    assert should_send(status) is expected


def test_a_reminder_is_the_invitation_again_marked_in_the_customers_language():
    from services.workers.survey_text import reminder_text

    english = reminder_text("en", "phone", link="https://x/v1/surveys/t", ticket_id=3, expires_days=5)
    arabic = reminder_text("ar", "chat", link="https://x/v1/surveys/t", ticket_id=3, expires_days=5)
    assert english.startswith("Reminder: Thank you") and english.endswith("https://x/v1/surveys/t")
    assert arabic.startswith("تذكير: ") and "3" in arabic


def test_suppression_reasons():
    from services.workers.survey_text import suppression

    codes = frozenset({"spam", "merged", "self_served"})
    assert suppression("resolved", "resolved", codes, surveyed_lately=False) is None
    assert suppression("queued", "resolved", codes, surveyed_lately=False) == "reopened"
    assert suppression("resolved", "spam", codes, surveyed_lately=False) == "spam"
    assert suppression("resolved", "merged", codes, surveyed_lately=True) == "merged"
    assert suppression("resolved", "", codes, surveyed_lately=True) == "recently_surveyed"
