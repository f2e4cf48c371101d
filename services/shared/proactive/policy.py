"""What a proactive message says and whether it goes (pure; the wording is in the catalogues)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import dates

from services.shared.i18n import catalogue, formats
from services.shared.proactive.settings import ProactiveSettings
from services.shared.store.proactive_messages import Due

# The catalogue key of each message; the ones with a note when the agent left one for the customer.
TEMPLATES = {
    "wait": "proactive.wait",
    "taken": "proactive.taken",
    "resolved": "proactive.resolved",
    "returning": "proactive.returning",
}
WITH_NOTE = {"resolved": "proactive.resolved_note", "returning": "proactive.returning_note"}
# The longest customer note quoted: an SMS of a few parts, not a letter.
NOTE_CHARS = 1000


def language(ticket_language: str, customer_language: str | None) -> str:
    """The ticket's language where it is Arabic or English, else the customer's; Arabic when neither
    says (the centre speaks Arabic first)."""
    for said in (ticket_language, customer_language or ""):
        primary = said.lower().split("-")[0].split("_")[0]
        if primary in catalogue.LANGUAGES:
            return primary
        if primary and primary != "und":
            return "en"  # a language the centre does not write: English reaches more people
    return catalogue.DEFAULT


def outcome(kind: str, channel: str, status: str, settings: ProactiveSettings) -> str:
    """`sent`, `suppressed` (the channel holds this kind back) or `stale`: the ticket moved on before
    the sweep came — already resolved or abandoned when its `taken` message is due (the resolution
    says more), reopened or abandoned when its `resolved` one is, resolved or abandoned when the
    sweep finds a `returning` one a gateway left undecided."""
    if kind in ("taken", "returning") and status in ("resolved", "abandoned"):
        return "stale"
    if kind == "resolved" and status != "resolved":
        return "stale"
    if kind == "wait" and status != "queued":
        return "stale"
    return "sent" if settings.allows(channel, kind) else "suppressed"


def body(
    kind: str,
    language_: str,
    *,
    ticket_id: int,
    note: str = "",
    resolved_at: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> str:
    """The message's text; `note` is the agent's note for the customer (never an internal one), and
    `resolved_at` the earlier ticket's resolution, written as a day of the centre's calendar."""
    note = " ".join(note.split())[:NOTE_CHARS]
    if note and kind in WITH_NOTE:
        return catalogue.text(language_, WITH_NOTE[kind], ticket_id=ticket_id, note=note)
    if kind == "returning":
        assert resolved_at is not None and zone is not None
        day = dates.format_date(
            resolved_at.astimezone(zone).date(), "long", locale=formats.LOCALES[language_]
        )
        return catalogue.text(language_, TEMPLATES[kind], ticket_id=ticket_id, date=day)
    return catalogue.text(language_, TEMPLATES[kind], ticket_id=ticket_id)


def decision(due: Due, settings: ProactiveSettings, zone: ZoneInfo) -> tuple[str, str]:
    """The outcome of a due message and its text, whoever decides it (the gateway at intake, the
    sweep). Only the note the agent wrote for the customer is quoted, never the internal `note`; a
    `returning` message names the earlier ticket, its note and its resolution day."""
    ticket_id = due.ticket_id if due.about_ticket_id is None else due.about_ticket_id
    text = body(
        due.kind,
        language(due.language, due.customer_language),
        ticket_id=ticket_id,
        note=due.customer_note,
        resolved_at=due.about_resolved_at,
        zone=zone,
    )
    return outcome(due.kind, due.channel, due.status, settings), text
