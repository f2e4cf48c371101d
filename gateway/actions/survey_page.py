"""The survey page a customer opens from the invitation: its words in Arabic and English, rendered (pure)."""

from datetime import datetime
from html import escape
from importlib import resources
from string import Template

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "How did we do?",
        "heading": "How did we do?",
        "question": "Rate our service from 1 (poor) to 5 (excellent):",
        "comment_label": "Anything you would like to tell us (optional):",
        "send": "Send",
        "thanks": "Thank you! Your answer has been recorded.",
        "answered": "This survey has already been answered. Thank you!",
        "expired": "This survey has expired and can no longer be answered.",
        "failed": "Your answer could not be sent. Please try again.",
        "missing": "This survey link is not valid.",
        "open": "Your request {ticket_id} was resolved. Please tell us about your experience.",
    },
    "ar": {
        "title": "كيف كانت خدمتنا؟",
        "heading": "كيف كانت خدمتنا؟",
        "question": "قيّم خدمتنا من 1 (ضعيفة) إلى 5 (ممتازة):",
        "comment_label": "هل تود إخبارنا بشيء؟ (اختياري)",
        "send": "إرسال",
        "thanks": "شكراً لك! تم تسجيل إجابتك.",
        "answered": "تمت الإجابة على هذا الاستبيان من قبل. شكراً لك!",
        "expired": "انتهت صلاحية هذا الاستبيان ولم يعد من الممكن الإجابة عليه.",
        "failed": "تعذّر إرسال إجابتك. نرجو المحاولة مرة أخرى.",
        "missing": "رابط الاستبيان هذا غير صالح.",
        "open": "تم حل طلبك رقم {ticket_id}. نرجو أن تخبرنا عن تجربتك.",
    },
}


# The words under each score, 1 to 5.
SCORES = {
    "en": ("poor", "fair", "good", "very good", "excellent"),
    "ar": ("ضعيفة", "مقبولة", "جيدة", "جيدة جداً", "ممتازة"),
}


def page_state(expires_at: datetime, answered_at: datetime | None, now: datetime) -> str:
    """ "open", "answered" or "expired": an answered survey says so even after it expires."""
    if answered_at is not None:
        return "answered"
    return "expired" if now >= expires_at else "open"


def render(language: str, state: str, token: str, ticket_id: int | None) -> str:
    """The page; `state` is "open", "answered", "expired" or "missing"."""
    lang = "ar" if language == "ar" else "en"
    words = TEXT[lang]
    template = Template(resources.files("gateway").joinpath("pages/survey.html").read_text(encoding="utf-8"))
    scores = "\n      ".join(
        f'<label class="score"><input type="radio" name="score" value="{n}" required>'
        f"<span>{n}</span><small>{escape(label)}</small></label>"
        for n, label in enumerate(SCORES[lang], start=1)
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
