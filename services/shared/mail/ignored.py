"""Mail that no person wrote to us: auto-replies, bounces, list traffic and our own mail looping back (pure).

Such mail is accepted (so the sending server does not retry) and dropped: answering an
out-of-office with a ticket, or a bounce with a survey, is how two robots mail each other forever.
"""

from email.message import EmailMessage

from services.shared.mail import threads

BULK_PRECEDENCE = frozenset({"bulk", "junk", "list"})
# Headers auto-responders set besides Auto-Submitted (RFC 3834): Microsoft's and older ones.
AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")


def reason(
    message: EmailMessage, *, envelope_from: str | None, our_addresses: frozenset[str], our_domain: str
) -> str | None:
    """Why the mail is dropped, or None when a person wrote it."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return "auto_submitted"
    if str(message.get("Precedence", "")).strip().lower() in BULK_PRECEDENCE:
        return "bulk"
    if any(message.get(name) is not None for name in AUTOREPLY_HEADERS[:2]):
        return "autoreply"
    if message.get("X-Auto-Response-Suppress", "").strip().lower() in ("all", "oof", "autoreply"):
        return "autoreply"
    if message.get_content_type() == "multipart/report" or any(
        part.get_content_type() in ("message/delivery-status", "message/feedback-report")
        for part in message.walk()
    ):
        return "bounce"
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return "bounce"  # the null reverse path: only delivery reports are sent from it
    ids = threads.message_ids(str(message.get("Message-ID", "")))
    if ids and threads.is_ours(ids[0], our_domain):
        return "loop"
    loop = str(message.get("X-Loop", "")).strip().lower()
    if loop and loop in our_addresses:
        return "loop"
    return None
