"""The providers' webhook signatures: Twilio's by its own validator, Meta's HMAC-SHA256 (pure).

Twilio signs the URL it called plus the sorted form fields with the account's auth token; that URL
is the public one (PUBLIC_URL + path), not the one the gateway sees behind a proxy or load balancer,
which may differ in scheme, host or port.
"""

import hashlib
import hmac
from collections.abc import Mapping

from twilio.request_validator import RequestValidator


def twilio_valid(auth_token: str, url: str, form: Mapping[str, str], signature: str | None) -> bool:
    if not auth_token or not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, dict(form), signature))


def twilio_signature(auth_token: str, url: str, form: Mapping[str, str]) -> str:
    """What Twilio sends as X-Twilio-Signature (for the channel's tests and the docs' example)."""
    return str(RequestValidator(auth_token).compute_signature(url, dict(form)))


def meta_signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def meta_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256 against the raw body, compared in constant time."""
    if not app_secret or not header:
        return False
    return hmac.compare_digest(meta_signature(app_secret, body).encode(), header.strip().encode())
