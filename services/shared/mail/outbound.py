"""A reply, FAQ answer or survey as one mail in the customer's conversation (pure).

Headers go through the email package's SMTP policy, which refuses CR or LF in any header value: an
address or name carrying "\\r\\nBcc: …" raises ValueError here and is never sent.
"""

from email import policy
from email.message import EmailMessage
from email.utils import formatdate

from services.shared.mail import threads

# Kinds that no person wrote at the moment of sending: marked so auto-responders stay silent (RFC 3834).
AUTOMATIC_KINDS = frozenset({"survey", "faq_answer", "notification"})


def compose(
    *,
    sender: str,
    recipient: str,
    subject: str,
    body: str,
    message_id: str,
    thread: list[str],
    ticket_id: int | None,
    kind: str,
) -> EmailMessage:
    """The mail; `thread` holds the conversation's Message-IDs oldest first (the newest is answered)."""
    mail = EmailMessage(policy=policy.SMTP)
    mail["From"] = sender
    mail["To"] = recipient
    mail["Subject"] = threads.with_ticket_ref(subject, ticket_id) if ticket_id else " ".join(subject.split())
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = f"<{message_id}>"
    if thread:
        mail["In-Reply-To"] = f"<{thread[-1]}>"
        mail["References"] = " ".join(f"<{m}>" for m in threads.references(thread))
    if kind in AUTOMATIC_KINDS:
        mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(body)
    return mail
