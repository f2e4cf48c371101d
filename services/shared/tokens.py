"""Bearer tokens and stream tickets: made with a recognisable prefix, kept only as a SHA-256 digest,
and how long each role's tokens live (pure)."""

import hashlib
import re
import secrets
from datetime import timedelta

PREFIX = "tkt_"
STREAM_TICKET_PREFIX = "stk_"
# A token's lifetime when `create-token` is given no --expires-in. Integrations are machines whose
# key is rotated by a deployment, so a year; people's tokens (agents, supervisors) sit in browsers
# and on desks, so a month. Longer saves rotations; shorter bounds what a leaked token is worth.
DEFAULT_LIFETIMES = {
    "integration": timedelta(days=365),
    "agent": timedelta(days=30),
    "supervisor": timedelta(days=30),
}
# Past this a token is as good as never expiring, and a date past what the services compute.
MAX_LIFETIME = timedelta(days=5 * 365)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def new_token() -> str:
    # 32 random bytes: a digest lookup is safe without a slow hash, there is nothing to guess.
    return PREFIX + secrets.token_urlsafe(32)


def new_stream_ticket() -> str:
    return STREAM_TICKET_PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def lifetime(text: str) -> timedelta:
    """`90d`, `12h`, `30m`, `2w`, `3600s`: a positive duration up to MAX_LIFETIME; else ValueError."""
    found = re.fullmatch(r"\s*(\d{1,7})\s*([smhdw])\s*", text)
    if found is None:
        raise ValueError(f"{text!r} is not a duration such as 90d, 12h, 30m, 2w or 3600s")
    value = timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
    if not timedelta(0) < value <= MAX_LIFETIME:
        raise ValueError(f"{text!r}: a token lives more than 0 and at most {MAX_LIFETIME.days} days")
    return value
