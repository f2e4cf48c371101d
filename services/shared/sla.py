"""SLA policies: deadlines per channel and priority over business-hour calendars, and the escalation
steps they lead to (pure; loaded once from YAML and validated at start)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from services.shared.business_hours import ALWAYS, Calendar, add_open_time, open_time_between, parse_calendar
from services.shared.domain import CHANNELS, Priority

DEFAULT_POLICIES_FILE = Path(__file__).with_name("sla_policies.yaml")
MAX_LEVEL = 2
# Ticket states whose first answer is still awaited: only these escalate by level.
WAITING_FOR_ANSWER = frozenset({"queued", "claimed"})
# States in which the resolution clock runs (unless paused while the customer is awaited).
OPEN = frozenset({"queued", "claimed", "answered"})
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Targets:
    first_response: timedelta
    resolution: timedelta
    calendar: Calendar


@dataclass(frozen=True)
class Deadlines:
    first_response_due_at: datetime
    resolution_due_at: datetime
    # When supervisors are warned that the first response is near its deadline.
    warn_at: datetime


@dataclass(frozen=True)
class SlaPolicies:
    # (channel or "*", priority or None) → targets; looked up most specific first.
    targets: Mapping[tuple[str, int | None], Targets]
    # The warning comes when this share of the first-response time has passed. Earlier gives
    # supervisors more time to act; later warns about fewer tickets that would have made it anyway.
    warning_at: float = 0.8
    # Level 2 comes this share of the first-response time after the breach (level 1).
    second_level_after: float = 1.0
    # Classifier reasons (routed event's `reason`) with their own rule: the first-response target is
    # multiplied by the factor, so an unsure or complex routing reaches a supervisor sooner.
    reason_factors: Mapping[str, float] = field(default_factory=dict)

    def targets_for(self, channel: str, priority: int) -> Targets:
        for key in ((channel, priority), (channel, None), ("*", priority), ("*", None)):
            found = self.targets.get(key)
            if found is not None:
                return found
        raise KeyError(f"no SLA policy for {channel}/{priority}")  # load() requires a default

    def first_response_time(self, channel: str, priority: int, reason: str | None = None) -> timedelta:
        base = self.targets_for(channel, priority).first_response
        return base * self.reason_factors.get(reason or "", 1.0)

    def deadlines(self, channel: str, priority: int, start: datetime, reason: str | None = None) -> Deadlines:
        """The deadlines of a ticket whose clocks start at `start` (it was queued)."""
        targets = self.targets_for(channel, priority)
        first = self.first_response_time(channel, priority, reason)
        cal = targets.calendar
        return Deadlines(
            first_response_due_at=add_open_time(cal, start, first),
            resolution_due_at=add_open_time(cal, start, targets.resolution),
            warn_at=add_open_time(cal, start, first * self.warning_at),
        )

    def level_due(
        self, level: int, channel: str, priority: int, first_response_due_at: datetime, reason: str | None
    ) -> datetime | None:
        """When escalation `level` is due for a first response due at `first_response_due_at`."""
        if level == 1:
            return first_response_due_at
        if level == MAX_LEVEL:
            calendar = self.targets_for(channel, priority).calendar
            later = self.first_response_time(channel, priority, reason) * self.second_level_after
            return add_open_time(calendar, first_response_due_at, later)
        return None

    def resumed(
        self, channel: str, priority: int, due_at: datetime, paused_at: datetime, at: datetime
    ) -> datetime:
        """A deadline moved on after its clock was paused from `paused_at` to `at` (open time only)."""
        calendar = self.targets_for(channel, priority).calendar
        left = open_time_between(calendar, paused_at, due_at)
        return add_open_time(calendar, at, left)

    def with_first_response(self, overrides: Mapping[str, int]) -> "SlaPolicies":
        """ESCALATE_AFTER_S: per-channel first-response targets in seconds, for every priority."""
        targets = dict(self.targets)
        for channel, seconds in overrides.items():
            for priority in [None, *Priority]:
                base = self.targets_for(channel, int(priority) if priority else int(Priority.NORMAL))
                key = (channel, None if priority is None else int(priority))
                targets[key] = replace(targets.get(key, base), first_response=timedelta(seconds=seconds))
        return replace(self, targets=targets)


def escalated_priority(priority: int, level: int) -> int:
    """Level 1 raises priority one step; level 2 makes the ticket urgent."""
    if level >= MAX_LEVEL:
        return int(Priority.URGENT)
    return min(priority + 1, int(Priority.URGENT))


def parse_duration(value: object) -> timedelta:
    """Reads 90, "90s", "15m", "4h" or "2d"; must be above zero."""
    match = DURATION.match(str(value))
    if match is None:
        raise ValueError(f"{value!r} is not a duration like 90s, 15m, 4h or 2d")
    seconds = float(match.group(1)) * UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"duration {value!r} must be above zero")
    return timedelta(seconds=seconds)


def parse_overrides(spec: str | None) -> dict[str, int]:
    """Reads ESCALATE_AFTER_S, "phone=60,chat=120": first-response seconds per channel."""
    found: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in (spec or "").split(","))):
        channel, sep, seconds = item.partition("=")
        if not sep or channel not in CHANNELS or not seconds.isdigit() or int(seconds) <= 0:
            raise ValueError(f"ESCALATE_AFTER_S: {item!r} is not <channel>=<seconds>")
        found[channel] = int(seconds)
    return found


def load(
    path: Path | None = None, overrides: str | None = None, *, centre_zone: ZoneInfo | None = None
) -> SlaPolicies:
    """Reads and checks the policies file (the shipped one by default); ValueError says what is wrong.
    A calendar that names no `timezone` keeps its hours on `centre_zone` (CENTRE_TIMEZONE)."""
    path = path or DEFAULT_POLICIES_FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read: {exc}") from None
    try:
        policies = parse(raw, centre_zone)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    return policies.with_first_response(parse_overrides(overrides))


def parse(raw: Any, centre_zone: ZoneInfo | None = None) -> SlaPolicies:  # noqa: C901 (checks each part of the document where it is read)
    if not isinstance(raw, dict):
        raise ValueError("expected a mapping with calendars and policies")
    unknown = set(raw) - {"calendars", "policies", "warning_at", "second_level_after", "reason_factors"}
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    calendars: dict[str, Calendar] = {"always": ALWAYS}
    for name, spec in (raw.get("calendars") or {}).items():
        try:
            calendars[name] = parse_calendar(spec, centre_zone)
        except ValueError as exc:
            raise ValueError(f"calendar {name!r}: {exc}") from None
    targets: dict[tuple[str, int | None], Targets] = {}
    for key, spec in (raw.get("policies") or {}).items():
        channel, _, priority_name = str(key).partition("/")
        if channel not in (*CHANNELS, "*"):
            raise ValueError(f"policy {key!r}: unknown channel {channel!r}")
        priority = None
        if priority_name:
            try:
                priority = int(Priority[priority_name.upper()])
            except KeyError:
                raise ValueError(f"policy {key!r}: unknown priority {priority_name!r}") from None
        calendar_name = spec.get("calendar", "always")
        if calendar_name not in calendars:
            raise ValueError(f"policy {key!r}: unknown calendar {calendar_name!r}")
        try:
            targets[(channel, priority)] = Targets(
                first_response=parse_duration(spec["first_response"]),
                resolution=parse_duration(spec["resolution"]),
                calendar=calendars[calendar_name],
            )
        except KeyError as exc:
            raise ValueError(f"policy {key!r}: missing {exc}") from None
        except ValueError as exc:
            raise ValueError(f"policy {key!r}: {exc}") from None
    if ("*", None) not in targets:
        raise ValueError("policies need a default entry '*'")
    warning_at = float(raw.get("warning_at", 0.8))
    second = float(raw.get("second_level_after", 1.0))
    if not 0 < warning_at < 1:
        raise ValueError(f"warning_at must be between 0 and 1, not {warning_at}")
    if second <= 0:
        raise ValueError(f"second_level_after must be above 0, not {second}")
    factors = {str(k): float(v) for k, v in (raw.get("reason_factors") or {}).items()}
    if any(f <= 0 for f in factors.values()):
        raise ValueError("reason_factors must be above 0")
    return SlaPolicies(targets, warning_at, second, factors)
