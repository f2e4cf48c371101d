"""Signing outbound callbacks: HMAC-SHA256 over the timestamp and the body (pure).

The receiver recomputes `sha256=<hex>` of "<timestamp>.<body>" with the channel's secret, compares
in constant time, and refuses timestamps far from its clock, so a captured request cannot be
replayed later. The message id header lets it drop a repeat (a retry after a lost answer).
"""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Ticketing-Signature"
TIMESTAMP_HEADER = "X-Ticketing-Timestamp"
MESSAGE_ID_HEADER = "X-Ticketing-Message-Id"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: int, body: bytes, given: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, body), given)
