"""Follows ticket_events into ticket_metrics, one transaction per batch; and rebuilds it from scratch.

Each pass recomputes the touched tickets from all of their events and moves the cursor in the same
transaction, so a batch is applied whole or not at all, and an event read twice (after a crash, a
cursor reset or by two processes) changes nothing: a ticket's row is a function of its events.

No event stops the others. The rule for an event that cannot be processed:

- A ticket's row and its share of the rollups are a function of its events that are not set aside
  (table event_set_aside, with the reason); every recomputation leaves those out.
- A batch is applied in a savepoint. When it fails on what the data holds (set_aside.is_data_fault:
  a date out of range, a value the timeline or the sums cannot take), it is rolled back to the
  savepoint, which undoes everything it wrote, and its tickets are applied again in halves, each in
  its own savepoint, down to the one ticket that fails. That ticket's events are then added one at
  a time in id order, each try in a savepoint, to those already accepted: an event whose addition
  fails is set aside and the ticket is left as computed from the rest. A failure therefore never
  leaves part of a ticket's rows or rollups written, and every other ticket is counted.
- Set-aside rows are written in the pass's transaction, with the cursor: exactly once, as the rest.
- A later event of that ticket is applied as usual, the set-aside ones left out. When nothing of the
  ticket can be computed (its own facts are bad, e.g. created in the year 1), each of its events is
  set aside in turn, and its row stays as it was.
- A rebuild applies the same rule to each ticket's whole history. Events already set aside stay so,
  and following and rebuilding agree; `rebuild --retry-set-aside` tries them again (after a fix).
- Faults that say nothing about an event (PostgreSQL away, a cancelled query, a defect in the code)
  fail the pass, which is tried again: they set nothing aside.
"""

import asyncio
import contextlib
import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from services.metrics import (
    event_source,
    fcr,
    occupancy_rollup,
    occupancy_store,
    rollup,
    rollup_store,
    set_aside,
    set_aside_store,
    store,
)
from services.metrics.set_aside_store import SetAside
from services.metrics.thresholds import DEFAULT_SL_THRESHOLD_S
from services.metrics.timeline import timeline
from services.shared import centre_clock

log = logging.getLogger(__name__)

UTC_ZONE = centre_clock.UTC_ZONE

# Longest pause between retries while PostgreSQL is away; retries start at the follow interval.
MAX_BACKOFF_S = 10.0
# How long a pass waits for a pooled connection before counting as a failed try.
CONNECTION_TIMEOUT_S = 5.0


class ZoneMismatch(RuntimeError):
    """The rollups were cut in another zone than this process's CENTRE_TIMEZONE: it adds nothing."""

    def __init__(self, stored: str, zone: ZoneInfo) -> None:
        super().__init__(
            f"the rollups are cut in {stored} but CENTRE_TIMEZONE is {zone.key}: restart this process "
            "(it rebuilds them on start) or run `python -m services.metrics rebuild`"
        )


async def check_zone(conn: AsyncConnection[Any], zone: ZoneInfo) -> None:
    """Raises ZoneMismatch unless the rollups are cut in `zone` (call with the cursor locked)."""
    stored = await store.rollup_zone(conn)
    if stored != zone.key:
        raise ZoneMismatch(stored, zone)


async def recompute(
    conn: AsyncConnection[Any],
    ticket_ids: Iterable[int],
    leave_out: Collection[int] = (),
    *,
    zone: ZoneInfo = UTC_ZONE,
) -> int:
    """Recomputes and stores the rows of these tickets from their events (but the set-aside ones and
    `leave_out`), sets first-contact resolution again for them and for their customers' earlier
    tickets a new contact may affect, and moves the daily rollups by the difference; returns how
    many rows were recomputed. `zone` is the centre's clock the daily rollups are cut in."""
    ids = sorted(set(ticket_ids))
    left_out = await set_aside_store.of_tickets(conn, ids) | set(leave_out)
    histories = await event_source.histories(conn, ids, left_out)
    rows = []
    for ticket in await event_source.tickets(conn, ids):
        events = histories.get(ticket.id)
        if not events:
            continue
        line = timeline(events)
        if line.queue_id is None:
            # Without a queue-naming event the ticket's own queue stands in.
            line = replace(line, queue_id=ticket.queue_id)
        if line.opened_queue_id is None:
            line = replace(line, opened_queue_id=ticket.queue_id)
        rows.append(store.MetricsRow(ticket.id, ticket.channel, ticket.customer_id, ticket.created_at, line))
    if not rows:
        return 0
    # A ticket (new or changed) can be the later contact of its customer's tickets resolved up to
    # FCR_WINDOW before it was created: their flags are set again with this batch's.
    earlier = await store.earlier_resolved(
        conn,
        sorted({r.customer_id for r in rows}),
        min(r.created_at for r in rows) - fcr.FCR_WINDOW,
        [r.ticket_id for r in rows],
    )
    affected = [r.ticket_id for r in rows] + earlier
    before = await store.figures_of(conn, affected)
    await store.upsert(conn, rows)
    written = await store.figures_of(conn, affected)
    later = await store.with_later_contact(conn, affected, fcr.FCR_WINDOW)
    flags = {i: fcr.first_contact_resolved(t, i in later) for i, t in written.items()}
    await store.set_fcr(conn, flags)
    after = [replace(t, fcr=flags[i]) for i, t in written.items()]
    daily = rollup.delta(before.values(), after, DEFAULT_SL_THRESHOLD_S, zone)
    await rollup_store.add_daily(conn, daily)
    await rollup_store.add_monthly(conn, rollup.by_month(daily))
    await rollup_store.add_totals(conn, rollup.totals_delta(before.values(), after))
    return len(rows)


async def apply(
    conn: AsyncConnection[Any], ticket_ids: Sequence[int], *, zone: ZoneInfo = UTC_ZONE
) -> list[SetAside]:
    """Recomputes these tickets, setting aside the events that cannot be processed (the rule above);
    returns what was set aside, for the caller to store and log."""
    try:
        async with conn.transaction():
            await recompute(conn, ticket_ids, zone=zone)
        return []
    except Exception as exc:
        if not set_aside.is_data_fault(exc):
            raise
        log.debug("follower: %d tickets failed together (%s); applying them apart", len(ticket_ids), exc)
    if len(ticket_ids) == 1:
        return await _apply_one_by_one(conn, ticket_ids[0], zone)
    half = len(ticket_ids) // 2
    return [
        *await apply(conn, ticket_ids[:half], zone=zone),
        *await apply(conn, ticket_ids[half:], zone=zone),
    ]


async def _apply_one_by_one(conn: AsyncConnection[Any], ticket_id: int, zone: ZoneInfo) -> list[SetAside]:
    # Every event of the ticket, not only this batch's: a recomputation reads all that are visible,
    # and the bad one may have committed after the batch was read.
    events = await event_source.event_ids_of(conn, ticket_id)
    found: list[SetAside] = []
    for i, event_id in enumerate(events):
        try:
            async with conn.transaction():
                await recompute(
                    conn, [ticket_id], {*events[i + 1 :], *(s.event_id for s in found)}, zone=zone
                )
        except Exception as exc:
            if not set_aside.is_data_fault(exc):
                raise
            found.append(SetAside(event_id, ticket_id, set_aside.reason(exc)))
    return found


def _log_set_aside(found: list[SetAside]) -> None:
    # After commit: a pass rolled back sets nothing aside, and its retry logs again.
    for s in found:
        log.error("follower: event %d of ticket %d set aside: %s", s.event_id, s.ticket_id, s.reason)


async def follow_once(
    conn: AsyncConnection[Any], batch_size: int, *, zone: ZoneInfo = UTC_ZONE
) -> int | None:
    """One pass in one transaction: events read, or None when another process holds the cursor.
    ZoneMismatch when the rollups are cut in another zone than `zone`: nothing is added to them."""
    found: list[SetAside] = []
    async with conn.transaction():
        position = await store.lock_cursor(conn, wait=False)
        if position is None:
            return None
        await check_zone(conn, zone)
        horizon = await event_source.horizon_time(conn)
        events = await event_source.after(conn, position, batch_size)
        if events:
            touched = sorted({ticket_id for _, ticket_id in events})
            found = await apply(conn, touched, zone=zone)
            await set_aside_store.add(conn, found)
            await occupancy_store.mark_tickets(conn, touched, zone.key)
        caught_up = len(events) < batch_size
        if caught_up:
            # Occupancy's ended days, a few a pass: bounded work, and none while catching up.
            await occupancy_rollup.compute_due(conn, zone, datetime.now(UTC))
        if events or caught_up:
            await store.move_cursor(
                conn, events[-1][0] if events else position, caught_up_at=horizon if caught_up else None
            )
    _log_set_aside(found)
    return len(events)


async def compute_occupancy_days(
    conn: AsyncConnection[Any], limit: int, *, zone: ZoneInfo = UTC_ZONE
) -> int | None:
    """Up to `limit` ended days of occupancy's rollup that are due, computed in one transaction under
    the cursor's lock (as a pass does a few once caught up); None when another process holds it."""
    async with conn.transaction():
        if await store.lock_cursor(conn, wait=False) is None:
            return None
        await check_zone(conn, zone)
        return await occupancy_rollup.compute_due(conn, zone, datetime.now(UTC), limit)


async def rebuild(
    conn: AsyncConnection[Any], batch_size: int, *, retry_set_aside: bool = False, zone: ZoneInfo = UTC_ZONE
) -> int:
    """Recomputes every ticket's row from its events in one transaction, the rollups cut in `zone`
    (and recorded so); returns the rows written.

    Readers see the old rows until it commits; the follower skips its passes meanwhile and then
    goes on from the position the rebuild reached. Events it cannot process are set aside as when
    following; `retry_set_aside` first forgets those set aside before, to try them again.
    """
    found: list[SetAside] = []
    async with conn.transaction():
        await store.lock_cursor(conn, wait=True)
        horizon = await event_source.horizon_time(conn)
        # Read before recomputing: every event up to here is then in what recompute reads.
        reached = await event_source.last_position(conn) or store.START
        await store.delete_all(conn)
        await rollup_store.delete_all(conn)
        await store.set_rollup_zone(conn, zone.key)
        if retry_set_aside:
            await set_aside_store.delete_all(conn)
        after_id = 0
        while ids := await event_source.ticket_ids_after(conn, after_id, batch_size):
            batch = await apply(conn, ids, zone=zone)
            await set_aside_store.add(conn, batch)
            found += batch
            after_id = ids[-1]
        await occupancy_rollup.compute_all(conn, zone, datetime.now(UTC))
        await store.move_cursor(conn, reached, caught_up_at=horizon)
        written = await store.row_count(conn)
    _log_set_aside(found)
    return written


async def rebuild_database(
    url: str, batch_size: int, *, retry_set_aside: bool = False, zone: ZoneInfo = UTC_ZONE
) -> int:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        return await rebuild(conn, batch_size, retry_set_aside=retry_set_aside, zone=zone)


async def ensure_zone(conn: AsyncConnection[Any], zone: ZoneInfo, batch_size: int) -> bool:
    """Rebuilds the rollups in `zone` when they were cut in another (CENTRE_TIMEZONE changed);
    returns whether it did. Run at start, before serving: figures are never read across two clocks."""
    stored = await store.rollup_zone(conn)
    if stored == zone.key:
        return False
    log.warning("rollups are cut in %s, CENTRE_TIMEZONE is %s: rebuilding them", stored, zone.key)
    written = await rebuild(conn, batch_size, zone=zone)
    log.warning("rebuilt ticket_metrics and the rollups in %s: %d tickets", zone.key, written)
    return True


async def follow_forever(
    pool: AsyncConnectionPool,
    *,
    interval_s: float,
    batch_size: int,
    stop: asyncio.Event,
    zone: ZoneInfo = UTC_ZONE,
) -> None:
    """Passes until `stop` is set: at once while there is a backlog, every `interval_s` once caught
    up, and with a growing pause while PostgreSQL is away, so the service outlives its restarts."""
    backoff = interval_s
    while not stop.is_set():
        try:
            async with pool.connection(timeout=CONNECTION_TIMEOUT_S) as conn:
                read = await follow_once(conn, batch_size, zone=zone)
            pause = 0.0 if read == batch_size else interval_s
            backoff = interval_s
        except ZoneMismatch as exc:
            # Another process, started with another CENTRE_TIMEZONE, rebuilt the rollups.
            pause = MAX_BACKOFF_S
            log.error("follower: %s", exc)
        except (psycopg.OperationalError, PoolTimeout) as exc:
            pause, backoff = backoff, min(backoff * 2, MAX_BACKOFF_S)
            log.warning("follower: PostgreSQL unavailable (%s); retrying in %.1f s", exc, pause)
        except Exception:
            # A bug or bad data: keep serving figures and keep trying, loudly, without spinning.
            pause = MAX_BACKOFF_S
            log.exception("follower: pass failed; retrying in %.1f s", pause)
        if pause:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
