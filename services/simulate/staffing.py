"""Who works when: agents per hour from Erlang C (services/shared/erlang.py), then shifts that
cover them (pure).

Each channel has its own team (an agent's skill is the channel they work; their capacity there is
how many contacts they carry at once). Erlang C counts servers: an agent on a channel of capacity
c is c servers. The hour's need is the fewest servers whose predicted share answered within the
channel's threshold meets the target, times the staffing factor (shrinkage), in whole agents, at
least one while the desk is open. Shifts are eight hours (cut at the day's last open hour), added
from the morning on whenever the agents already on are fewer than the hour needs.
"""

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.shared import erlang

SHIFT = timedelta(hours=8)


@dataclass(frozen=True)
class Need:
    start: datetime  # UTC, an open hour (or its open part)
    end: datetime
    agents: int


@dataclass(frozen=True)
class Agent:
    id: int
    channel: str
    languages: frozenset[str]
    capacity: int
    shifts: tuple[tuple[datetime, datetime], ...]


def agents_for(
    rate_per_s: float, aht_s: float, target_s: float, service_level: float, capacity: int, factor: float
) -> int:
    """Agents to staff an hour: Erlang C's servers for the target, shrunk, in whole agents (>= 1)."""
    if rate_per_s <= 0:
        return 1
    servers = erlang.agents_needed(erlang.Load(rate_per_s, aht_s), target_s, service_level=service_level)
    assert servers is not None, "Erlang C found no staff for an hour of this centre"
    return max(1, math.ceil(servers * factor / capacity))


def shifts_of_day(needs: Sequence[Need]) -> list[tuple[datetime, datetime]]:
    """Shifts covering one day's needs (in order), each up to eight hours, none past the day's close."""
    if not needs:
        return []
    close = max(n.end for n in needs)
    shifts: list[tuple[datetime, datetime]] = []
    for need in needs:
        on = sum(1 for begin, end in shifts if begin <= need.start < end)
        for _ in range(need.agents - on):
            shifts.append((need.start, min(need.start + SHIFT, close)))
    return shifts


def roster(
    channel: str,
    needs: Sequence[Need],
    zone: ZoneInfo,
    capacity: int,
    english_share: float,
    first_id: int,
) -> list[Agent]:
    """The team of a channel: agent k works the k-th shift of each day that has one."""
    by_day: dict[date, list[Need]] = defaultdict(list)
    for need in needs:
        by_day[need.start.astimezone(zone).date()].append(need)
    days = [shifts_of_day(sorted(v, key=lambda n: n.start)) for _, v in sorted(by_day.items())]
    size = max((len(d) for d in days), default=0)
    team = []
    for k in range(size):
        # Spread the English speakers evenly over the team, the first of each team one of them.
        english = math.ceil((k + 1) * english_share) > math.ceil(k * english_share)
        languages = frozenset({"ar", "en"} if english else {"ar"})
        shifts = tuple(day[k] for day in days if k < len(day))
        team.append(Agent(first_id + k, channel, languages, capacity, shifts))
    return team
