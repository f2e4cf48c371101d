"""The web chat's secrets and origins (pure): public widget keys, session secrets kept only as digests,
and which page origins a widget key admits."""

import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

WIDGET_KEY_PREFIX = "wk_"
SESSION_PREFIX = "chs_"
# How long a chat session's secret works: a working day and a night, so a customer who comes back to
# the page the next morning still sees the answer and the survey; longer widens what a secret left in
# a shared browser is worth.
SESSION_LIFETIME = timedelta(hours=24)


def new_widget_key() -> str:
    # Public (it is in the operator's page): random only so keys cannot be enumerated.
    return WIDGET_KEY_PREFIX + secrets.token_urlsafe(18)


def new_session_secret() -> str:
    # 32 random bytes: nothing to guess, so a plain digest lookup is safe.
    return SESSION_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def session_expiry(now: datetime) -> datetime:
    return now + SESSION_LIFETIME


def new_visitor_id() -> str:
    """The id a session gives its customer: the chat channel's own identity of them."""
    return "v-" + secrets.token_urlsafe(12)


def normalise_origin(text: str) -> str:
    """`https://www.example.gov.ae` as a browser sends it in `Origin` (scheme and host lower-case, the
    port only when not the default); ValueError for anything that is not a bare http(s) origin."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{text!r} is not an origin such as https://www.example.gov.ae")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{text!r}: an origin has no path, query, fragment or user")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{text!r} has a bad port") from None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + ("" if port in (None, default) else f":{port}")


def origin_allowed(origin: str | None, allowed: list[str] | set[str], own: tuple[str, ...]) -> bool:
    """Whether a request whose `Origin` header is `origin` may use a key allowing `allowed`: the
    centre's own pages (the contact form; `own` are the gateway's public URL and the origin the request
    was sent to) always; another page only when listed exactly. A request
    without `Origin` (not from a browser's fetch) passes: CORS protects browsers' users, and a script
    could send any `Origin` it likes anyway; the session secret is what guards the ticket."""
    if origin is None:
        return True
    try:
        origin = normalise_origin(origin)
    except ValueError:
        return False
    mine = set()
    for url in own:
        try:
            mine.add(normalise_origin(url))
        except ValueError:
            continue
    return origin in mine or origin in allowed
