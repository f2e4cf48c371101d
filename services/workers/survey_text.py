"""The survey invitation's wording, in Arabic or English, shaped for each channel (pure)."""

# Phone surveys go out as SMS, and mobile ones as app notifications: one short line with the link.
# Chat and web get a sentence more; e-mail a greeting and the link's limits.
SHORT = {
    "en": "Thank you for contacting us. Please rate our service from 1 to 5: {link}",
    "ar": "شكراً لتواصلك معنا. نرجو تقييم خدمتنا من 1 إلى 5: {link}",
}
MEDIUM = {
    "en": (
        "Thank you for contacting us about request {ticket_id}. How did we do? "
        "Rate our service from 1 to 5 here: {link}"
    ),
    "ar": "شكراً لتواصلك معنا بخصوص الطلب رقم {ticket_id}. كيف كانت تجربتك؟ قيّم خدمتنا من 1 إلى 5 هنا: {link}",
}
LONG = {
    "en": (
        "Hello,\n\nThank you for contacting us about request {ticket_id}. We would like to know how we did: "
        "please rate our service from 1 to 5 and tell us whether your issue was resolved.\n\n{link}\n\n"
        "The link works once and expires in {days} days."
    ),
    "ar": (
        "مرحباً،\n\nشكراً لتواصلك معنا بخصوص الطلب رقم {ticket_id}. يهمنا أن نعرف رأيك: "
        "نرجو تقييم خدمتنا من 1 إلى 5 وإخبارنا إن كانت مشكلتك قد حُلّت.\n\n{link}\n\n"
        "يعمل الرابط مرة واحدة وتنتهي صلاحيته بعد {days} يوماً."
    ),
}
TEMPLATES = {"phone": SHORT, "mobile": SHORT, "chat": MEDIUM, "web": MEDIUM, "email": LONG}


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
    template = TEMPLATES[channel][language]
    return template.format(link=link, ticket_id=ticket_id, days=expires_days)


def should_send(status: str) -> bool:
    """A survey goes only to a ticket that is still resolved; one reopened meanwhile gets none."""
    return status == "resolved"


REMINDER_PREFIX = {"en": "Reminder: ", "ar": "تذكير: "}


def reminder_text(language: str, channel: str, *, link: str, ticket_id: int, expires_days: int) -> str:
    """The one reminder: the invitation again, marked as a reminder, with a link of its own."""
    body = survey_text(language, channel, link=link, ticket_id=ticket_id, expires_days=expires_days)
    return REMINDER_PREFIX[language] + body


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
