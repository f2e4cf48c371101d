"""Bearer tokens: made with a recognisable prefix and kept only as a SHA-256 digest (pure)."""

import hashlib
import secrets

PREFIX = "tkt_"


def new_token() -> str:
    # 32 random bytes: a digest lookup is safe without a slow hash, there is nothing to guess.
    return PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
