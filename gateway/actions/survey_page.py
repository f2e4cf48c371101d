"""The survey page a customer opens from the invitation, rendered in Arabic or English (pure); its words
are the `surveypage.*` entries of the message catalogues (services/shared/i18n)."""

from datetime import datetime
from html import escape
from importlib import resources
from string import Template

from services.shared.i18n import catalogue

# The page's words, by the name the template uses.
WORDS = {
    "title": "surveypage.title",
    "heading": "surveypage.heading",
    "question": "surveypage.question",
    "comment_label": "surveypage.comment_label",
    "send": "surveypage.send",
    "thanks": "surveypage.thanks",
    "answered": "surveypage.answered",
    "expired": "surveypage.expired",
    "failed": "surveypage.failed",
    "missing": "surveypage.missing",
    "open": "surveypage.open",
}
# The words under each score, 1 to 5.
SCORES = (
    "surveypage.score_1",
    "surveypage.score_2",
    "surveypage.score_3",
    "surveypage.score_4",
    "surveypage.score_5",
)


def page_state(expires_at: datetime, answered_at: datetime | None, now: datetime) -> str:
    """ "open", "answered" or "expired": an answered survey says so even after it expires."""
    if answered_at is not None:
        return "answered"
    return "expired" if now >= expires_at else "open"


def render(language: str, state: str, token: str, ticket_id: int | None) -> str:
    """The page; `state` is "open", "answered", "expired" or "missing"."""
    lang = "ar" if language == "ar" else "en"
    messages = catalogue.messages(lang)
    words = {name: messages[key] for name, key in WORDS.items()}
    template = Template(resources.files("gateway").joinpath("pages/survey.html").read_text(encoding="utf-8"))
    scores = "\n      ".join(
        f'<label class="score"><input type="radio" name="score" value="{n}" required>'
        f"<span>{n}</span><small>{escape(label)}</small></label>"
        for n, label in enumerate((messages[key] for key in SCORES), start=1)
    )
    message = words["open"].format(ticket_id=ticket_id) if state == "open" else words[state]
    values = {k: escape(v) for k, v in words.items()}
    return template.substitute(
        values,
        lang=lang,
        dir="rtl" if lang == "ar" else "ltr",
        token=escape(token),
        state=state,
        message=escape(message),
        form_hidden="" if state == "open" else "hidden",
        scores=scores,
    )
