"""The aiosmtpd handler: recipients checked against the centre's addresses, each mail handed off."""

import logging
from typing import Any

from services.mail.handoff import Handoff
from services.shared import contact_points

log = logging.getLogger(__name__)


class IntakeHandler:
    def __init__(self, addresses: frozenset[str], handoff: Handoff):
        self.addresses = addresses
        self.handoff = handoff

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        try:
            known = contact_points.email_address(address) in self.addresses
        except ValueError:
            known = False
        if not known:
            # Not a relay: mail for anyone else is refused before its data is sent.
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        reply = await self.handoff.deliver(bytes(raw), envelope.mail_from or "")
        log.info("mail from %s to %s: %s", envelope.mail_from, ",".join(envelope.rcpt_tos), reply)
        return reply
