"""The centre's clock over the real metrics service and PostgreSQL: the day and year boundary in
Asia/Dubai, days of 23 and 25 hours and a month boundary in Europe/London, and a rebuild when the
zone changes (by a restart and by `python -m services.metrics rebuild`)."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from ticketing.v1 import metrics_pb2, metrics_pb2_grpc

from services.metrics import follower
from services.shared import grpc_channels
from services.shared.centre_clock import day_start, year_start
from tests.fixtures import internal_grpc
from tests.fixtures.metrics_server import MetricsEndpoints
from tests.integration.test_metrics_service import DEADLINE_S, catch_up, get_kpis, make_agent, scripted

pytestmark = pytest.mark.integration

DUBAI = ZoneInfo("Asia/Dubai")
LONDON = ZoneInfo("Europe/London")
UTC_ZONE = ZoneInfo("UTC")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def call(db: psycopg.Connection, agent: int, at: datetime) -> int:
    """A phone call in `cards` created and queued at `at`, answered after 10 s, resolved after 70 s."""
    return scripted(db, "phone", at, [(0, "created"), (0, "routed", None, "cards"), (5, "claimed", agent),
                                      (10, "answered", agent), (70, "resolved", agent)])  # fmt: skip


def incoming(addr: str, start: datetime, end: datetime) -> int:
    reply = get_kpis(addr, (start, end))
    # Every call is answered and resolved in its own local day: the three families agree.
    assert reply.overall.answered == reply.overall.resolved == reply.overall.incoming
    return reply.overall.incoming


def local_days(addr: str, zone: ZoneInfo, first: date, last: date) -> dict[str, int]:
    """Incoming per local day from GetKpis (each a whole day: the rollups answer)."""
    found = {}
    day = first
    while day <= last:
        found[day.isoformat()] = incoming(
            addr, day_start(day, zone), day_start(day + timedelta(days=1), zone)
        )
        day += timedelta(days=1)
    return found


def get_report(addr: str, year: int) -> metrics_pb2.GetReportResponse:
    with grpc_channels.channel(addr, internal_grpc.CLIENT) as channel:
        stub = metrics_pb2_grpc.MetricsServiceStub(channel)
        return stub.GetReport(metrics_pb2.GetReportRequest(year=year), timeout=DEADLINE_S)


def daily_incoming(db: psycopg.Connection) -> dict[str, int]:
    rows = db.execute("SELECT day, sum(incoming) FROM kpi_daily GROUP BY day HAVING sum(incoming) > 0")
    return {day.isoformat(): int(n) for day, n in rows}


def rollup_zone(db: psycopg.Connection) -> str:
    return db.execute("SELECT rollup_zone FROM metrics_cursor").fetchone()[0]


def new_year_in_dubai(db: psycopg.Connection) -> dict[str, int]:
    agent = make_agent(db, "Amal")
    return {
        # 01:30 on 1 January 2026 in Dubai, still 2025 in UTC.
        "after_midnight": call(db, agent, utc(2025, 12, 31, 21, 30)),
        # 23:30 on 31 December 2025 in Dubai.
        "before_midnight": call(db, agent, utc(2025, 12, 31, 19, 30)),
        "june": call(db, agent, utc(2026, 6, 15, 10)),
        # 00:30 on 1 January 2027 in Dubai.
        "next_new_year": call(db, agent, utc(2026, 12, 31, 20, 30)),
    }


def test_a_call_after_midnight_in_dubai_counts_in_the_new_day_and_year(
    start_metrics_server: Callable[..., MetricsEndpoints], db, database_url
):
    addr = start_metrics_server(centre_zone=DUBAI).addr
    new_year_in_dubai(db)
    catch_up(database_url, zone=DUBAI)

    assert rollup_zone(db) == "Asia/Dubai"
    assert daily_incoming(db) == {"2025-12-31": 1, "2026-01-01": 1, "2026-06-15": 1, "2027-01-01": 1}
    assert local_days(addr, DUBAI, date(2025, 12, 31), date(2026, 1, 1)) == {"2025-12-31": 1, "2026-01-01": 1}
    # The local year from the rollups alone; the UTC year has partial first and last local days,
    # read from the per-ticket rows: it holds June and the Dubai new year of 2027, not 2026's.
    assert incoming(addr, year_start(2026, DUBAI), year_start(2027, DUBAI)) == 2
    assert incoming(addr, utc(2026, 1, 1), utc(2027, 1, 1)) == 2
    assert incoming(addr, utc(2025, 12, 31, 21), utc(2025, 12, 31, 22)) == 1
    assert get_kpis(addr, (utc(2026, 1, 1), utc(2026, 1, 2))).time_zone == "Asia/Dubai"

    report = get_report(addr, 2026)
    assert report.time_zone == "Asia/Dubai"
    assert (report.current.overall.incoming, report.previous.overall.incoming) == (2, 1)
    months = [m.incoming for m in report.current.months]
    assert (months[0], months[5], sum(months)) == (1, 1, 2)
    assert [m.incoming for m in report.previous.months][11] == 1
    later = get_report(addr, 2027)
    assert (later.current.overall.incoming, later.previous.overall.incoming) == (1, 2)


def test_days_of_23_and_25_hours_and_a_month_boundary_in_london(
    start_metrics_server: Callable[..., MetricsEndpoints], db, database_url
):
    addr = start_metrics_server(centre_zone=LONDON).addr
    agent = make_agent(db, "Badr")
    for at in (
        # Spring forward on 29 March 2026 at 01:00 UTC: the day runs 00:00Z to 23:00Z (23 hours).
        utc(2026, 3, 28, 23, 30),  # 23:30 GMT, 28 March
        utc(2026, 3, 29, 0, 30),  # 00:30 GMT, 29 March
        utc(2026, 3, 29, 22, 30),  # 23:30 BST, 29 March
        utc(2026, 3, 29, 23, 30),  # 00:30 BST, 30 March
        # The month boundary in summer time.
        utc(2026, 3, 31, 22, 30),  # 23:30 BST, 31 March
        utc(2026, 3, 31, 23, 30),  # 00:30 BST, 1 April
        # Fall back on 25 October 2026 at 01:00 UTC: the day runs 24 Oct 23:00Z to 26 Oct 00:00Z.
        utc(2026, 10, 24, 22, 30),  # 23:30 BST, 24 October
        utc(2026, 10, 24, 23, 30),  # 00:30 BST, 25 October
        utc(2026, 10, 25, 0, 30),  # 01:30 BST, 25 October
        utc(2026, 10, 25, 1, 30),  # 01:30 GMT, 25 October (the second time)
        utc(2026, 10, 25, 23, 30),  # 23:30 GMT, 25 October
        utc(2026, 10, 26, 0, 0),  # 00:00 GMT, 26 October
    ):
        call(db, agent, at)
    catch_up(database_url, zone=LONDON)

    assert local_days(addr, LONDON, date(2026, 3, 28), date(2026, 4, 1)) == {
        "2026-03-28": 1, "2026-03-29": 2, "2026-03-30": 1, "2026-03-31": 1, "2026-04-01": 1,
    }  # fmt: skip
    assert local_days(addr, LONDON, date(2026, 10, 24), date(2026, 10, 26)) == {
        "2026-10-24": 1, "2026-10-25": 4, "2026-10-26": 1,
    }  # fmt: skip
    assert daily_incoming(db)["2026-10-25"] == 4
    months = dict(db.execute("SELECT month, sum(incoming)::int FROM kpi_monthly GROUP BY month"))
    assert months == {date(2026, 3, 1): 5, date(2026, 4, 1): 1, date(2026, 10, 1): 6}
    # Whole local months from kpi_monthly, and a period from noon to noon across the short day.
    assert incoming(addr, day_start(date(2026, 3, 1), LONDON), day_start(date(2026, 4, 1), LONDON)) == 5
    assert incoming(addr, day_start(date(2026, 4, 1), LONDON), day_start(date(2026, 5, 1), LONDON)) == 1
    noon = datetime(2026, 3, 29, 12, tzinfo=LONDON)
    assert incoming(addr, noon, datetime(2026, 3, 30, 12, tzinfo=LONDON)) == 2
    report = get_report(addr, 2026)
    assert [m.incoming for m in report.current.months][2:4] == [5, 1]
    assert report.current.months[9].incoming == 6 and report.time_zone == "Europe/London"


def test_a_new_zone_rebuilds_the_rollups_and_an_old_process_adds_nothing(
    start_metrics_server: Callable[..., MetricsEndpoints], db, database_url
):
    calls = new_year_in_dubai(db)
    utc_addr = start_metrics_server().addr
    catch_up(database_url)
    assert rollup_zone(db) == "UTC"
    assert get_report(utc_addr, 2026).previous.overall.incoming == 2  # both New Year's Eve calls
    assert daily_incoming(db)["2025-12-31"] == 2

    # Restarted with the centre's zone: the rollups are rebuilt before it serves.
    dubai_addr = start_metrics_server(centre_zone=DUBAI).addr
    assert rollup_zone(db) == "Asia/Dubai"
    assert daily_incoming(db) == {"2025-12-31": 1, "2026-01-01": 1, "2026-06-15": 1, "2027-01-01": 1}
    report = get_report(dubai_addr, 2026)
    assert (report.current.overall.incoming, report.previous.overall.incoming) == (2, 1)

    # A process still on UTC refuses to add its cut to the Dubai rollups; the Dubai one goes on.
    call(db, make_agent(db, "Dana"), utc(2026, 1, 1, 21, 0))  # 01:00 on 2 January in Dubai

    async def follow_in_utc() -> None:
        async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
            await follower.follow_once(conn, batch_size=100, zone=UTC_ZONE)

    with pytest.raises(follower.ZoneMismatch, match=r"python -m services\.metrics rebuild"):
        asyncio.run(follow_in_utc())
    catch_up(database_url, zone=DUBAI)
    assert daily_incoming(db)["2026-01-02"] == 1 and "2026-01-01" in daily_incoming(db)
    assert get_report(dubai_addr, 2026).current.overall.incoming == 3
    assert calls["after_midnight"] in [r[0] for r in db.execute("SELECT ticket_id FROM ticket_metrics")]


def test_the_rebuild_command_cuts_in_the_configured_zone(db, database_url):
    new_year_in_dubai(db)
    catch_up(database_url)
    env = {**os.environ, **internal_grpc.ENV, "DATABASE_URL": database_url, "CENTRE_TIMEZONE": "Asia/Dubai"}
    done = subprocess.run(
        [sys.executable, "-m", "services.metrics", "rebuild"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "(Asia/Dubai): 4 tickets" in done.stdout
    assert rollup_zone(db) == "Asia/Dubai" and daily_incoming(db)["2026-01-01"] == 1

    bad = subprocess.run(
        [sys.executable, "-m", "services.metrics", "rebuild"],
        env=env | {"CENTRE_TIMEZONE": "Dubai"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode != 0 and "CENTRE_TIMEZONE: unknown time zone 'Dubai'" in bad.stderr
    assert rollup_zone(db) == "Asia/Dubai"


def zone_where_the_clocks_disagree(now: datetime) -> tuple[ZoneInfo, datetime]:
    """A fixed-offset zone, and its midnight today, such that today has another date there than in
    UTC, and calls a minute either side of that midnight (both past) fall on one local day but not
    on one UTC day: a figure cut by the UTC day or read under the UTC date comes out wrong."""
    utc_today = datetime.combine(now.date(), datetime.min.time(), UTC)
    for hours in range(-12, 15):
        zone = ZoneInfo(f"Etc/GMT{-hours:+d}" if hours else "UTC")
        midnight = day_start(now.astimezone(zone).date(), zone)
        if midnight + timedelta(minutes=2) > now or now.astimezone(zone).date() == now.date():
            continue
        in_utc_today = [utc_today <= midnight + timedelta(minutes=m) for m in (-1, 1)]
        if in_utc_today != [False, True]:
            return zone, midnight
    raise AssertionError("some zone's midnight is never an UTC midnight")  # pragma: no cover


def test_today_on_the_wallboard_starts_at_the_centres_midnight(
    start_metrics_server: Callable[..., MetricsEndpoints], db
):
    zone, midnight = zone_where_the_clocks_disagree(datetime.now(UTC))
    addr = start_metrics_server(centre_zone=zone).addr
    agent = make_agent(db, "Eve")
    # One call a minute before the centre's midnight, two a minute after: today is two.
    for at in (midnight - timedelta(minutes=1), *[midnight + timedelta(minutes=1)] * 2):
        answered = call(db, agent, at)
        db.execute(
            "UPDATE tickets SET answered_at = %s WHERE id = %s", (at + timedelta(seconds=10), answered)
        )
    with grpc_channels.channel(addr, internal_grpc.CLIENT) as channel:
        stub = metrics_pb2_grpc.MetricsServiceStub(channel)
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while True:  # the server's own follower catches up within a few passes
            live = next(iter(stub.WatchLive(metrics_pb2.WatchLiveRequest(), timeout=DEADLINE_S)))
            if live.today.incoming >= 2 or datetime.now(UTC) > deadline:
                break
        figures = stub.GetQueueFigures(metrics_pb2.GetQueueFiguresRequest(queue="cards"), timeout=DEADLINE_S)
    assert (live.time_zone, live.today.incoming, live.today.answered) == (zone.key, 2, 2), zone
    assert (figures.time_zone, figures.queues[0].answered_today) == (zone.key, 2)
