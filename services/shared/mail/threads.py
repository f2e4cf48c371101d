"""Which conversation a mail belongs to: Message-IDs, ticket references in subjects, ours or not (pure)."""

import re
import secrets

MSG_ID = re.compile(r"<([^<>\s\x00-\x1f\x7f]{1,250})>")
TICKET_REF = re.compile(r"\[#(\d{1,18})\]")
# The local part of every Message-ID we make starts so: our mail coming back is known at a glance.
OUR_PREFIX = "ticketing."
# A thread's References is cut to the newest ones: long enough for any client to find the
# conversation, short enough to stay far inside header length limits.
MAX_REFERENCES = 20


def message_ids(header: str | None) -> list[str]:
    """The `<id>`s of a Message-ID, In-Reply-To or References header, in order, without brackets."""
    return MSG_ID.findall(header or "")


def ticket_ref(subject: str) -> int | None:
    """The ticket a subject names as `[#123]` (the last one, as replies prepend), if any."""
    found = TICKET_REF.findall(subject)
    return int(found[-1]) if found else None


def with_ticket_ref(subject: str, ticket_id: int) -> str:
    """`Re: <subject> [#id]` on one line; a subject that has its reference already keeps it once."""
    line = " ".join(subject.split())
    line = TICKET_REF.sub("", line).strip()
    if not line.lower().startswith(("re:", "رد:")):
        line = f"Re: {line}" if line else "Re:"
    return f"{line} [#{ticket_id}]"


def new_message_id(domain: str, ticket_id: int | None, outbound_id: int) -> str:
    """A Message-ID of ours (without brackets): unguessable, and marked as ours by its prefix."""
    return f"{OUR_PREFIX}{ticket_id or 0}.{outbound_id}.{secrets.token_hex(8)}@{domain}"


def is_ours(message_id: str, domain: str) -> bool:
    local, _, host = message_id.rpartition("@")
    return local.startswith(OUR_PREFIX) and host.lower() == domain.lower()


def references(thread: list[str]) -> list[str]:
    """The References of a reply in a thread of Message-IDs (oldest first): the first and the newest."""
    if len(thread) <= MAX_REFERENCES:
        return thread
    return [thread[0], *thread[-(MAX_REFERENCES - 1) :]]
