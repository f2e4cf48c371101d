"""KPI targets: defaults from docs/kpis.md, overrides per figure and channel, and met or missed (pure)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    value: float
    # "min": the figure should be at least the value; "max": at most.
    direction: str

    def met(self, figure: float | None) -> bool | None:
        if figure is None:
            return None
        return figure >= self.value if self.direction == "min" else figure <= self.value


# A real ministry contact centre's yearly targets; each is configurable per deployment.
DEFAULT_TARGETS: Mapping[str, Target] = {
    "fcr": Target(0.90, "min"),
    "avg_wait_s": Target(15, "max"),
    "asa_s": Target(20, "max"),
    "aht_s": Target(300, "max"),
    "quality": Target(0.80, "min"),
    "csat": Target(0.93, "min"),
    "service_level": Target(0.80, "min"),
    "abandonment_rate": Target(0.05, "max"),
}


def evaluate(
    figures: Mapping[str, float | int | None], targets: Mapping[str, Target] = DEFAULT_TARGETS
) -> dict[str, dict[str, Any]]:
    """Each target whose figure the report has: the target, its direction and whether it was met."""
    return {
        name: {"target": target.value, "direction": target.direction, "met": target.met(figures[name])}
        for name, target in targets.items()
        if name in figures
    }


@dataclass(frozen=True)
class TargetTable:
    """Targets for every figure, with overrides per channel (a channel without one uses the overall)."""

    overall: Mapping[str, Target]
    by_channel: Mapping[str, Mapping[str, Target]]

    def for_channel(self, channel: str | None) -> Mapping[str, Target]:
        if channel is None:
            return self.overall
        return {**self.overall, **self.by_channel.get(channel, {})}


DEFAULT_TABLE = TargetTable(DEFAULT_TARGETS, {})


def parse(spec: str | None, channels: tuple[str, ...]) -> TargetTable:
    """Targets from `figure=value` or `channel.figure=value`, comma-separated, over the defaults.

    Each figure keeps its direction (at least or at most); e.g. `fcr=0.92,chat.asa_s=60`.
    """
    overall = dict(DEFAULT_TARGETS)
    by_channel: dict[str, dict[str, Target]] = {}
    for item in (spec or "").split(","):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        channel, _, figure = name.strip().rpartition(".")
        if not sep or figure not in DEFAULT_TARGETS or (channel and channel not in channels):
            raise ValueError(f"bad KPI target {item.strip()!r}: use figure=value or channel.figure=value")
        try:
            target = Target(float(value), DEFAULT_TARGETS[figure].direction)
        except ValueError:
            raise ValueError(f"bad KPI target {item.strip()!r}: {value!r} is not a number") from None
        if channel:
            by_channel.setdefault(channel, {})[figure] = target
        else:
            overall[figure] = target
    return TargetTable(overall, by_channel)
