"""Provider-signed webhooks: the signature is the authentication, and the route then acts as its
channel's integration (a built-in credential, never stored), rate-limited per provider account.

Why built in rather than a stored token named by a setting: a provider cannot send a bearer token,
and its signing secret already is the credential; revoking it is unsetting (or rotating) the secret.
The built-in credential has the integration role on one channel, so the access rules and the
occurred_at window of integrations apply to it unchanged.
"""

from fastapi import Request

from gateway.http.auth import client_address
from gateway.http.problems import Problem
from services.shared.store.api_credentials import Credential

# Ids below zero are never a stored credential's, so nothing stored can be confused with these.
PROVIDER_CREDENTIALS = {
    "twilio_voice": Credential(
        id=-1, name="twilio voice webhook", role="integration", channel="phone", agent_id=None
    ),
    "twilio_messages": Credential(
        id=-2, name="twilio messages webhook", role="integration", channel="chat", agent_id=None
    ),
    "whatsapp": Credential(
        id=-3, name="whatsapp cloud webhook", role="integration", channel="chat", agent_id=None
    ),
}


async def before_signature(request: Request) -> None:
    """429 for an address that failed signatures too often lately (as for wrong bearer tokens)."""
    await request.app.state.deps.limiter.check_address(client_address(request))


async def admit(request: Request, valid: bool, account: str, provider: str) -> Credential:
    """The provider's built-in credential when the signature is valid; 403 (counted against the
    address) when it is missing or wrong; 429 when the provider account is over its limit."""
    limiter = request.app.state.deps.limiter
    if not valid:
        await limiter.failed(client_address(request))
        raise Problem(403, "Forbidden", "the request is not signed by the provider with this centre's secret")
    await limiter.hit_account(f"{provider}:{account}")
    return PROVIDER_CREDENTIALS[provider]


def off(channel: str) -> Problem:
    return Problem(403, "Forbidden", f"the {channel} channel is not configured on this gateway")
