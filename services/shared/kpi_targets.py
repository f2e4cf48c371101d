"""Default KPI targets (from KPIS.md) and whether a figure met its target (pure)."""

from collections.abc import Mapping
from dataclasses import dataclass


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
) -> dict:
    """Each target whose figure the report has: the target, its direction and whether it was met."""
    return {
        name: {"target": target.value, "direction": target.direction, "met": target.met(figures[name])}
        for name, target in targets.items()
        if name in figures
    }
