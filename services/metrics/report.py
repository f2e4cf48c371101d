"""The yearly report's figures: a calendar year beside the year before, read from the rollups.

Years and months are those of the centre's clock (CENTRE_TIMEZONE), the zone the rollups are cut
in: a call at 01:30 on 1 January in Dubai (21:30 UTC the day before) counts in the new year. Whole
years are whole days, so the rollups answer alone, counted against each channel's default
service-level threshold (the report states them). Targets and changes on last year are worked out
by the reader (the gateway) from these figures: they are presentation, not measurement.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import AsyncConnection

from services.metrics import demand, rollup_store, store
from services.metrics.kpis import FORMULA_VERSION, Figures, figures, queue_names
from services.metrics.rollup import Counts
from services.metrics.thresholds import DEFAULT_SL_THRESHOLD_S
from services.shared.domain import CHANNELS


@dataclass(frozen=True)
class YearFigures:
    year: int
    overall: Figures
    by_channel: dict[str, Figures]
    by_queue: dict[str, Figures]
    months: list[Figures]
    channel_months: dict[str, list[Figures]]


@dataclass(frozen=True)
class Report:
    current: YearFigures
    previous: YearFigures
    formula_version: str
    recorded_through: datetime | None
    sl_threshold_s: dict[str, float]
    # The IANA zone the years and months are cut in.
    time_zone: str
    # Tickets per ISO week of the year for its busiest intents ("" for the rest): demand.year_weeks.
    demand: dict[str, list[int]]


def year_figures(year: int, sums: rollup_store.YearSums, names: dict[int, str]) -> YearFigures:
    months = [
        sum((sums.channel_months.get((c, m), Counts()) for c in CHANNELS), Counts()) for m in range(1, 13)
    ]
    return YearFigures(
        year=year,
        overall=figures(sums.overall),
        by_channel={c: figures(sums.by_channel.get(c, Counts())) for c in CHANNELS},
        by_queue={
            names[q]: figures(c)
            for q, c in sorted(sums.by_queue.items(), key=lambda i: names.get(i[0], ""))
            if q in names
        },
        months=[figures(m) for m in months],
        channel_months={
            c: [figures(sums.channel_months.get((c, m), Counts())) for m in range(1, 13)] for c in CHANNELS
        },
    )


async def compute(conn: AsyncConnection[Any], year: int, zone: ZoneInfo) -> Report:
    """The report of `year` on the clock `zone` (the rollups' own: the caller's CENTRE_TIMEZONE)."""
    if not 1970 < year < 10_000:
        raise ValueError(f"no report for the year {year}")
    sums = await rollup_store.year_sums(conn, year - 1, year)
    names = await queue_names(conn)
    return Report(
        current=year_figures(year, sums[year], names),
        previous=year_figures(year - 1, sums[year - 1], names),
        formula_version=FORMULA_VERSION,
        recorded_through=await store.caught_up_at(conn),
        sl_threshold_s=dict(DEFAULT_SL_THRESHOLD_S),
        time_zone=zone.key,
        demand=await demand.year_weeks(conn, year, zone),
    )
