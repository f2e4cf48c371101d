"""When an event happened: the integration's word, checked against the clock (pure)."""

from datetime import datetime, timedelta


class InvalidTime(ValueError):
    pass


def resolve(reported: datetime | None, now: datetime, max_skew_s: float) -> datetime:
    """`reported` if given and not in the future beyond the skew; otherwise `now`."""
    if reported is None:
        return now
    if reported.tzinfo is None:
        raise InvalidTime("occurred_at needs a time zone offset (e.g. 2026-01-31T09:00:00Z)")
    if reported > now + timedelta(seconds=max_skew_s):
        raise InvalidTime(f"occurred_at {reported.isoformat()} is in the future")
    return reported
