"""One received mail read for intake: sender, subject, new text, attachments, thread ids (pure)."""

import hashlib
from dataclasses import dataclass
from email import errors, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser

from services.shared import contact_points
from services.shared.mail import html_text, quotes, threads

# Defects that mean the structure cannot be trusted: a multipart whose parts cannot be found.
FATAL_DEFECTS = (
    errors.NoBoundaryInMultipartDefect,
    errors.StartBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
    errors.MissingHeaderBodySeparatorDefect,
)
# Parts a mail may have; more is a crafted message, not correspondence.
MAX_PARTS = 100
MAX_SUBJECT = 500
MAX_TEXT = 50_000


class MalformedMail(ValueError):
    """The mail cannot be read as one from a person; the message says why."""


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class InboundMail:
    message: EmailMessage
    # The Message-ID without brackets; for a mail without one, a digest of its bytes (so a resend of
    # the same bytes is still the same mail).
    message_id: str
    sender: str
    sender_name: str
    subject: str
    text: str
    attachments: list[MailAttachment]
    # In-Reply-To then References, newest first: the mails this one answers.
    replies_to: list[str]


def parse(raw: bytes, max_bytes: int) -> InboundMail:
    """Reads an RFC 5322 message; raises MalformedMail for one that is too big or cannot be read."""
    if len(raw) > max_bytes:
        raise MalformedMail(f"the mail is {len(raw)} bytes, over the limit of {max_bytes}")
    if not raw.strip():
        raise MalformedMail("the mail is empty")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    parts = list(message.walk())
    if len(parts) > MAX_PARTS:
        raise MalformedMail(f"the mail has {len(parts)} MIME parts, over {MAX_PARTS}")
    for part in parts:
        fatal = [d for d in part.defects if isinstance(d, FATAL_DEFECTS)]
        if fatal:
            raise MalformedMail(f"the MIME structure is broken: {type(fatal[0]).__name__}")
    sender, name = _sender(message)
    ids = threads.message_ids(_header(message, "Message-ID"))
    message_id = ids[0] if ids else "sha256:" + hashlib.sha256(raw).hexdigest()
    replies = threads.message_ids(_header(message, "In-Reply-To"))
    replies += reversed(threads.message_ids(_header(message, "References")))
    return InboundMail(
        message=message,
        message_id=message_id,
        sender=sender,
        sender_name=name,
        subject=_printable(" ".join(_header(message, "Subject").split()))[:MAX_SUBJECT],
        text=_printable(_text(message))[:MAX_TEXT],
        attachments=_attachments(message),
        replies_to=list(dict.fromkeys(replies)),
    )


def _printable(text: str) -> str:
    """Without NUL, which no PostgreSQL text can hold (a mangled or hostile body carries some)."""
    return text.replace("\x00", "")


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "")
    except (errors.HeaderParseError, ValueError, IndexError):
        return ""


def _sender(message: EmailMessage) -> tuple[str, str]:
    try:
        header = message.get("From")
        addresses: tuple[Address, ...] = tuple(getattr(header, "addresses", ()))
    except (errors.HeaderParseError, ValueError, IndexError):
        addresses = ()
    if len(addresses) != 1 or not addresses[0].domain or not addresses[0].username:
        raise MalformedMail("the mail needs exactly one sender address in From")
    address = addresses[0]
    try:
        sender = contact_points.email_address(f"{address.username}@{address.domain}")
    except ValueError as exc:
        raise MalformedMail(str(exc)) from None
    return sender, _printable(" ".join(address.display_name.split()))[:200]


def _decoded(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        # An unknown or lying charset: the bytes as Latin-1 lose nothing, and the agent can still read
        # the ASCII in them.
        payload = part.get_payload(decode=True)
        content = payload.decode("latin-1") if isinstance(payload, bytes) else str(payload or "")
    return content if isinstance(content, str) else ""


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = _decoded(body)  # type: ignore[arg-type]
    if body.get_content_subtype() == "html":
        content = html_text.to_text(content)
    return quotes.strip_quoted(content)


def _attachments(message: EmailMessage) -> list[MailAttachment]:
    found = []
    for part in message.walk():
        if part.is_multipart() or not (part.is_attachment() or part.get_filename()):
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or not data:
            continue
        found.append(MailAttachment(part.get_filename() or "attachment", part.get_content_type(), data))
    return found
