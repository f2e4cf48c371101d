"""The model's own figures for a period, by the definitions of docs/kpis.md (pure).

The same membership rules as the metrics service: offered, answered, abandoned, waits and service
level by queueing time; handling and first-contact resolution by resolution time; incoming and
self-served by creation; happiness by reply time; quality by evaluation time.
"""

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from services.simulate.contacts import Contact
from services.simulate.presets import CHANNELS

# The report's service-level thresholds per channel (docs/kpis.md).
THRESHOLD_S = {"phone": 20.0, "chat": 30.0, "mobile": 3_600.0, "web": 3_600.0, "email": 14_400.0}


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def figures(contacts: Iterable[Contact], start: float, end: float) -> dict[str, Any]:
    """Overall figures and `by_channel`, for the period [start, end) in model seconds."""
    every = list(contacts)
    found = _figures(every, start, end)
    found["by_channel"] = {ch: _figures([c for c in every if c.channel == ch], start, end) for ch in CHANNELS}
    return found


def _within(t: float | None, start: float, end: float) -> bool:
    return t is not None and start <= t < end


def _figures(contacts: list[Contact], start: float, end: float) -> dict[str, Any]:
    queued = [c for c in contacts if _within(c.queued_at, start, end)]
    answered = [c for c in queued if c.answered_at is not None]
    abandoned = [c for c in queued if c.abandoned_at is not None]
    resolved = [c for c in contacts if _within(c.resolved_at, start, end)]
    created = [c for c in contacts if _within(c.arrival, start, end)]
    replies = [c for c in contacts if _within(c.survey_at, start, end)]
    evaluated = [c for c in contacts if _within(c.quality_at, start, end)]

    def wait(c: Contact) -> float:
        moment = c.answered_at if c.answered_at is not None else c.abandoned_at
        assert moment is not None and c.queued_at is not None
        return moment - c.queued_at

    ended = answered + abandoned
    in_time = [c for c in answered if wait(c) <= THRESHOLD_S[c.channel]]
    happy = [c for c in replies if (c.survey_score or 0) >= 4]
    return {
        "incoming": len(created),
        "self_served": sum(1 for c in created if c.self_served and c.human_at is None),
        "offered": len(queued),
        "answered": len(answered),
        "abandoned": len(abandoned),
        "resolved": len(resolved),
        "asa_s": _mean([wait(c) for c in answered]),
        "avg_wait_s": _mean([wait(c) for c in ended]),
        "service_level": len(in_time) / len(ended) if ended else None,
        "abandonment_rate": len(abandoned) / len(ended) if ended else None,
        "aht_s": _mean([c.handle_s for c in resolved]),
        "fcr": sum(1 for c in resolved if c.fcr) / len(resolved) if resolved else None,
        "csat": len(happy) / len(replies) if replies else None,
        "survey_replies": len(replies),
        "quality": _mean([(c.quality_score or 0) / 100 for c in evaluated]),
        "evaluations": len(evaluated),
    }


TIMES = ("arrival", "human_at", "queued_at", "abandoned_at", "answered_at", "transfer_at", "answered2_at",
         "resolved_at", "survey_at", "quality_at")  # fmt: skip


def shifted(contacts: Iterable[Contact], offset: float) -> list[Contact]:
    """Copies of `contacts` with every time moved by `offset` seconds: an earlier replay's contacts on
    a later period's clock (last December's e-mails resolved in January count in January)."""
    moved = []
    for c in contacts:
        times = {name: getattr(c, name) + offset for name in TIMES if getattr(c, name) is not None}
        moved.append(replace(c, **times))
    return moved
