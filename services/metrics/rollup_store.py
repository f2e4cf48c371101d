"""SQL for the rollups kpi_daily and kpi_totals: adding changes, and sums for periods and years."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from psycopg import AsyncConnection, sql

from services.metrics import rollup
from services.metrics.rollup import COLUMNS, Counts
from services.metrics.store import Group, filters


async def delete_all(conn: AsyncConnection[Any]) -> None:
    # DELETE, not TRUNCATE: readers keep seeing the old sums until a rebuild commits.
    await conn.execute("DELETE FROM kpi_daily")
    await conn.execute("DELETE FROM kpi_monthly")
    await conn.execute("DELETE FROM kpi_totals")


async def add_daily(conn: AsyncConnection[Any], change: Mapping[rollup.Key, rollup.Row]) -> None:
    """Adds each (day, channel, queue, agent) change to kpi_daily (a negative one takes away)."""
    await _add(conn, "kpi_daily", ("day", "channel", "queue_id", "agent_id"), change)


async def add_monthly(conn: AsyncConnection[Any], change: Mapping[rollup.Key, rollup.Row]) -> None:
    """Adds each (month, channel, queue, agent) change to kpi_monthly."""
    await _add(conn, "kpi_monthly", ("month", "channel", "queue_id", "agent_id"), change)


async def add_totals(conn: AsyncConnection[Any], change: Mapping[rollup.TotalsKey, rollup.Row]) -> None:
    """Adds each (channel, opened queue) change to kpi_totals."""
    await _add(conn, "kpi_totals", ("channel", "opened_queue_id"), change)


async def _add(
    conn: AsyncConnection[Any], table: str, keys: tuple[str, ...], change: Mapping[Any, rollup.Row]
) -> None:
    if not change:
        return
    names = keys + COLUMNS
    types = {"day": "date", "month": "date", "channel": "text"}
    # One statement over column arrays: a batch touches thousands of rows, and one round trip with
    # arrays costs far less than a statement per row.
    arrays = sql.SQL(", ").join(sql.SQL("%s::{}[]").format(sql.SQL(types.get(n, "bigint"))) for n in names)
    updates = sql.SQL(", ").join(
        sql.SQL("{c} = {t}.{c} + EXCLUDED.{c}").format(c=sql.Identifier(c), t=sql.Identifier(table))
        for c in COLUMNS
    )
    query = sql.SQL(
        "INSERT INTO {t} ({columns}) SELECT * FROM unnest({arrays}) "
        "ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    ).format(
        t=sql.Identifier(table),
        columns=sql.SQL(", ").join(map(sql.Identifier, names)),
        arrays=arrays,
        keys=sql.SQL(", ").join(map(sql.Identifier, keys)),
        updates=updates,
    )
    rows = [(*key, *values) for key, values in change.items()]
    await conn.execute(query, [list(column) for column in zip(*rows, strict=True)], binary=True)


def first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def first_whole_month(day: date) -> date:
    return day if day.day == 1 else first_of_next_month(day)


async def daily_sums(
    conn: AsyncConnection[Any],
    first_day: date,
    end_day: date,
    channels: Sequence[str],
    *,
    queue_id: int | None = None,
    agent_id: int | None = None,
) -> dict[Group, Counts]:
    """The rollups summed over days [first_day, end_day) per (channel, queue, agent): whole months
    from kpi_monthly, the days before and after them from kpi_daily, in one statement."""
    if first_day >= end_day:
        return {}
    month_start, month_end = first_whole_month(first_day), end_day.replace(day=1)
    if month_start >= month_end:
        month_start = month_end = end_day  # no whole month: every day from kpi_daily
    sums = sql.SQL(", ").join(sql.SQL("sum({c})::bigint").format(c=sql.Identifier(c)) for c in COLUMNS)
    columns = sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
    query = sql.SQL(
        """SELECT m.channel, m.queue_id, m.agent_id, {sums} FROM (
               SELECT channel, queue_id, agent_id, {columns} FROM kpi_monthly
               WHERE month >= %(month_start)s AND month < %(month_end)s
               UNION ALL
               SELECT channel, queue_id, agent_id, {columns} FROM kpi_daily
               WHERE day >= %(first)s AND day < %(end)s
                 AND NOT (day >= %(month_start)s AND day < %(month_end)s)
           ) m
           WHERE m.channel = ANY(%(channels)s) {filters}
           GROUP BY m.channel, m.queue_id, m.agent_id"""
    ).format(sums=sums, columns=columns, filters=filters(queue_id, agent_id, agent_column="m.agent_id"))
    params = {"month_start": month_start, "month_end": month_end, "first": first_day, "end": end_day,
              "channels": list(channels)}  # fmt: skip
    cur = await conn.execute(query, params)
    return {(c, q, a): Counts(*map(int, rest)) for c, q, a, *rest in await cur.fetchall()}


# One scan of two years' rollups, summed four ways at once: per (year, channel, month), per
# (year, channel), per (year, queue) and per year. GROUPING() tells the sets apart.
YEAR_SUMS = """
SELECT grouping(m.channel, m.queue_id, extract(month FROM m.month)) AS grouping_set,
       extract(year FROM m.month)::int AS year, m.channel, m.queue_id,
       extract(month FROM m.month)::int AS month, {sums}
FROM kpi_monthly m
WHERE m.month >= %s AND m.month <= %s
GROUP BY GROUPING SETS (
    (extract(year FROM m.month), m.channel, extract(month FROM m.month)),
    (extract(year FROM m.month), m.channel),
    (extract(year FROM m.month), m.queue_id),
    (extract(year FROM m.month)))
"""


@dataclass
class YearSums:
    overall: Counts
    by_channel: dict[str, Counts]
    by_queue: dict[int, Counts]
    # (channel, month 1-12)
    channel_months: dict[tuple[str, int], Counts]


async def year_sums(conn: AsyncConnection[Any], first_year: int, last_year: int) -> dict[int, YearSums]:
    """The rollups of each calendar year (UTC) from first_year to last_year, summed for the report."""
    sums = sql.SQL(", ").join(sql.SQL("sum({c})::bigint").format(c=sql.Identifier(c)) for c in COLUMNS)
    query = sql.SQL(YEAR_SUMS).format(sums=sums)
    # Through the last year's December rather than before next January: the year 9999 has none.
    cur = await conn.execute(query, (date(first_year, 1, 1), date(last_year, 12, 1)))
    found = {y: YearSums(Counts(), {}, {}, {}) for y in range(first_year, last_year + 1)}
    # grouping_set bits: channel 4, queue 2, month 1 (a set bit: summed over).
    for grouping_set, year, channel, queue_id, month, *rest in await cur.fetchall():
        counts = Counts(*map(int, rest))
        into = found[year]
        if grouping_set == 0b010:
            into.channel_months[(channel, month)] = counts
        elif grouping_set == 0b011:
            into.by_channel[channel] = counts
        elif grouping_set == 0b101:
            into.by_queue[queue_id] = counts
        else:
            into.overall = counts
    return found
