"""Hands one received mail to the gateway's inbound hook and turns its answer into an SMTP reply.

The sending server is told 250 only once the gateway answered 2xx, which it does only after its
commit; when the gateway or its database is away the answer is a 4xx the sender retries, so a mail
accepted is never lost. Idempotency is the gateway's: the same Message-ID again is the same ticket.
"""

import logging

import httpx

log = logging.getLogger(__name__)


def smtp_reply(status: int, detail: str = "") -> str:
    """The SMTP reply to the gateway's HTTP status (pure)."""
    if 200 <= status < 300:
        return "250 2.0.0 OK: taken"
    if status == 409:
        return "250 2.0.0 OK: this Message-ID was taken already"
    if status == 413:
        return "552 5.3.4 Message too big"
    if status in (415, 422):
        return f"554 5.6.0 Message refused: {' '.join(detail.split())[:200] or 'malformed'}"
    # 401/403 (a revoked or wrong token), 429, 5xx and the rest: the sender keeps the mail and retries.
    return "451 4.3.0 Temporarily unable to take mail; try again later"


class Handoff:
    def __init__(self, client: httpx.AsyncClient, url: str, token: str):
        self.client = client
        self.url = url
        self.token = token

    async def deliver(self, raw: bytes, envelope_from: str) -> str:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "message/rfc822",
            "X-Envelope-From": envelope_from or "<>",
        }
        try:
            response = await self.client.post(self.url, content=raw, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("the gateway could not be reached: %s", exc)
            return smtp_reply(503)
        detail = ""
        if response.status_code >= 400:
            try:
                detail = str(response.json().get("detail", ""))
            except ValueError:
                detail = ""
            log.warning("the gateway answered %d: %s", response.status_code, detail)
        return smtp_reply(response.status_code, detail)
