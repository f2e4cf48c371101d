"""Demand for a week: counts per intent, queue and channel beside last week and the same ISO week last
year, rising and new intents by demand_rule, and the phrases of what the classifier could not place.

Weeks are ISO weeks (Monday to Sunday) on the centre's clock (CENTRE_TIMEZONE). A week still under
way is counted so far: against whole baseline weeks that can only make a flag rarer, never spurious.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import AsyncConnection

from services.metrics import demand_rule, demand_store, phrases
from services.shared import centre_clock

# Under this confidence a placed inquiry still counts as "unplaced" for phrase mining: the
# classifier's own triage threshold (learned_router.DEFAULT_THRESHOLD).
LOW_CONFIDENCE = 0.5
# The latest inquiries of the week read for phrases: enough for any week of a centre this size,
# bounded so one busy week cannot hold the service.
PHRASE_INQUIRIES = 20_000
TOP_PHRASES = 20
# Intents shown on the yearly report's chart; the rest are summed as "other".
REPORT_INTENTS = 5


def monday(year: int, week: int) -> date:
    """The Monday of ISO week `week` of `year`; ValueError when the year has no such week."""
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {week}") from None


def label(year: int, week: int) -> str:
    return f"{year:04d}-W{week:02d}"


def same_week_last_year(year: int, week: int) -> tuple[int, int]:
    """The same ISO week a year before; week 53 of a year after one without is that year's week 52."""
    try:
        date.fromisocalendar(year - 1, week, 1)
    except ValueError:
        return year - 1, 52
    return year - 1, week


def week_of(at: datetime, zone: ZoneInfo) -> tuple[int, int]:
    iso = at.astimezone(zone).isocalendar()
    return iso.year, iso.week


def bounds(first: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return centre_clock.day_start(first, zone), centre_clock.day_start(first + timedelta(days=7), zone)


@dataclass(frozen=True)
class Row:
    key: str
    this_week: int
    last_week: int
    last_year: int
    trend: demand_rule.Trend | None = None


@dataclass(frozen=True)
class Demand:
    week: str
    last_year_week: str
    start: datetime
    end: datetime
    time_zone: str
    by_intent: list[Row]
    by_queue: list[Row]
    by_channel: list[Row]
    phrases: list[phrases.Phrase]
    # Inquiries read for phrases, and how many of them were unplaced.
    inquiries: int
    unplaced: int


def _rows(counts: list[Counter[str]]) -> list[Row]:
    """Rows of the keys seen this week, last week or last year (indexes 0, 1, 2 of `counts`)."""
    keys = set(counts[0]) | set(counts[1]) | set(counts[2])
    rows = [Row(k, counts[0][k], counts[1][k], counts[2][k]) for k in keys]
    return sorted(rows, key=lambda r: (-r.this_week, -r.last_week, r.key))


def assemble(found: list[demand_store.WeekCount], weeks: int = demand_rule.BASELINE_WEEKS) -> dict[str, Any]:
    """Per dimension: counts of week 0 (this), 1 (last), 2 (last year), and intent baselines of weeks
    1..`weeks` (positions 1 and 3.. of the query, see `compute`)."""
    per: dict[str, list[Counter[str]]] = {d: [Counter() for _ in range(weeks + 2)] for d in ("i", "q", "c")}
    for c in found:
        for dim, key in (("i", c.intent), ("q", c.queue), ("c", c.channel)):
            per[dim][c.week][key] += c.count
    baseline: Counter[str] = Counter()
    for position in (1, *range(3, weeks + 2)):
        baseline.update(per["i"][position])
    trends = {t.key: t for t in demand_rule.trends(per["i"][0], baseline, weeks=weeks)}
    intents = [Row(r.key, r.this_week, r.last_week, r.last_year, trends.get(r.key)) for r in _rows(per["i"])]
    # Flagged intents first, in the rule's order, then the rest by volume.
    order = {key: n for n, key in enumerate(trends)}
    intents.sort(key=lambda r: (not (r.trend and r.trend.flag), order.get(r.key, len(order)), -r.this_week))
    return {"by_intent": intents, "by_queue": _rows(per["q"]), "by_channel": _rows(per["c"])}


async def compute(
    conn: AsyncConnection[Any], year: int, week: int, zone: ZoneInfo, *, top_phrases: int = TOP_PHRASES
) -> Demand:
    first = monday(year, week)
    last_year = same_week_last_year(year, week)
    # Positions: 0 this week, 1 last week, 2 the same week last year, 3.. the baseline's other weeks.
    starts = [first, first - timedelta(weeks=1), monday(*last_year)]
    starts += [first - timedelta(weeks=n) for n in range(2, demand_rule.BASELINE_WEEKS + 1)]
    found = await demand_store.week_counts(conn, [bounds(d, zone) for d in starts])
    start, end = bounds(first, zone)
    texts = await demand_store.inquiry_texts(
        conn, start, end, low_confidence=LOW_CONFIDENCE, limit=PHRASE_INQUIRIES
    )
    inquiries = [phrases.Inquiry(i, text, unplaced) for i, text, unplaced in texts]
    return Demand(
        week=label(year, week),
        last_year_week=label(*last_year),
        start=start,
        end=end,
        time_zone=zone.key,
        **assemble(found),
        phrases=phrases.mine(inquiries, top=top_phrases),
        inquiries=len(inquiries),
        unplaced=sum(i.target for i in inquiries),
    )


async def year_weeks(
    conn: AsyncConnection[Any], year: int, zone: ZoneInfo, top: int = REPORT_INTENTS
) -> dict[str, list[int]]:
    """Tickets per ISO week (1..52 or 53) of the ISO year `year`, for its `top` intents by volume and
    "" for the rest; for the yearly report's chart."""
    if year >= date.max.year:  # the end of 9999's last week lies past the calendar
        return {}
    weeks = date(year, 12, 28).isocalendar().week  # 28 December always lies in the year's last week
    # Each week's start on the centre's clock, and the end of the last.
    starts = [centre_clock.day_start(monday(year, 1) + timedelta(days=7 * k), zone) for k in range(weeks + 1)]
    found = await demand_store.weekly_intents(conn, starts)
    totals: Counter[str] = Counter()
    for intent, _, n in found:
        if intent:
            totals[intent] += n
    chosen = [intent for intent, _ in sorted(totals.items(), key=lambda i: (-i[1], i[0]))[:top]]
    out = {intent: [0] * weeks for intent in [*chosen, ""]}
    for intent, week, n in found:
        if 1 <= week <= weeks:
            out[intent if intent in chosen else ""][week - 1] += n
    return out
