"""The survey invitation in Arabic or English, shaped for each channel (pure; wording in the catalogues)."""

from services.shared.i18n.catalogue import text

# Phone surveys go out as SMS, and mobile ones as app notifications: one short line with the link.
# Chat and web get a sentence more; e-mail a greeting and the link's limits. The wording is in the
# catalogues (services/shared/i18n), under these keys.
TEMPLATES = {
    "phone": "survey.short",
    "mobile": "survey.short",
    "chat": "survey.medium",
    "web": "survey.medium",
    "email": "survey.long",
}


def survey_language(ticket_language: str, customer_language: str | None) -> str:
    """Arabic when the ticket (or, if undetermined, the customer) is in Arabic; English otherwise."""
    for language in (ticket_language, customer_language or ""):
        primary = language.lower().split("-")[0].split("_")[0]
        if primary == "ar":
            return "ar"
        if primary and primary != "und":
            return "en"
    return "en"


def survey_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/survey/{token}"


def survey_text(language: str, channel: str, *, link: str, ticket_id: int, expires_days: int) -> str:
    return text(language, TEMPLATES[channel], link=link, ticket_id=ticket_id, days=expires_days)


def should_send(status: str) -> bool:
    """A survey goes only to a ticket that is still resolved; one reopened meanwhile gets none."""
    return status == "resolved"


def reminder_text(language: str, channel: str, *, link: str, ticket_id: int, expires_days: int) -> str:
    """The one reminder: the invitation again, marked as a reminder, with a link of its own."""
    body = survey_text(language, channel, link=link, ticket_id=ticket_id, expires_days=expires_days)
    return text(language, "survey.reminder", text=body)


def suppression(
    status: str, resolution_code: str, suppressed_codes: frozenset[str], surveyed_lately: bool
) -> str | None:
    """Why a resolved ticket gets no survey, or None when it gets one.

    A ticket reopened meanwhile gets none now ("reopened", not recorded: its next resolution decides);
    one resolved as spam, merged or self-served had nobody to ask; a customer surveyed lately is not
    asked again so soon.
    """
    if not should_send(status):
        return "reopened"
    if resolution_code in suppressed_codes:
        return resolution_code
    if surveyed_lately:
        return "recently_surveyed"
    return None
