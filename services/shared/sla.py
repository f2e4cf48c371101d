"""Escalation deadlines: how long a ticket may wait for an answer, per channel and level (pure)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.shared.domain import CHANNELS, Priority

# How long an inquiry may wait for its first answer before level 1; level 2 comes at twice that.
# Shorter deadlines warn supervisors sooner but escalate more of an ordinary busy hour.
DEFAULT_WAIT_DEADLINE_S = {"phone": 60, "chat": 120, "mobile": 3600, "web": 3600, "email": 14400}
MAX_LEVEL = 2


@dataclass(frozen=True)
class EscalationPolicy:
    wait_deadline_s: Mapping[str, int]

    @classmethod
    def parse(cls, spec: str | None) -> "EscalationPolicy":
        """Reads "phone=60,chat=120"; channels it leaves out keep their defaults."""
        deadlines = dict(DEFAULT_WAIT_DEADLINE_S)
        for item in filter(None, (part.strip() for part in (spec or "").split(","))):
            channel, sep, seconds = item.partition("=")
            if not sep or channel not in CHANNELS or not seconds.isdigit() or int(seconds) <= 0:
                raise ValueError(f"ESCALATE_AFTER_S: {item!r} is not <channel>=<seconds>")
            deadlines[channel] = int(seconds)
        return cls(deadlines)

    def due_at(self, channel: str, queued_at: datetime, level: int) -> datetime | None:
        """When `level` is due for a ticket queued at `queued_at`; None past the last level."""
        if level > MAX_LEVEL:
            return None
        return queued_at + timedelta(seconds=self.wait_deadline_s[channel] * level)


def escalated_priority(priority: int, level: int) -> int:
    """Level 1 raises priority one step; level 2 makes the ticket urgent."""
    if level >= MAX_LEVEL:
        return int(Priority.URGENT)
    return min(priority + 1, int(Priority.URGENT))
