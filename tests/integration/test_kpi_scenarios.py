"""Every KPI of docs/kpis.md from scripted timelines, worked out by hand per channel, over real gRPC.

Covers answered, abandoned, transferred, escalated, reopened, repeat contact within and after the
FCR window (and at its edge), self-served then handed to a human, survey replies and quality scores;
a repeat contact that arrives after its earlier ticket was recorded; partial days against the
per-ticket rows; the same events twice and a rebuild.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb
from ticketing.v1 import metrics_pb2

from services.metrics import follower, rollup, store
from services.metrics.kpis import figures
from services.metrics.thresholds import DEFAULT_SL_THRESHOLD_S
from tests.integration.test_metrics_service import catch_up, get_kpis, make_agent, make_customer

pytestmark = pytest.mark.integration

T = datetime(2024, 4, 2, 9, 0, tzinfo=UTC)
APRIL = (datetime(2024, 4, 1, tzinfo=UTC), datetime(2024, 5, 1, tzinfo=UTC))
ALL = [f.name for f in metrics_pb2.KpiFigures.DESCRIPTOR.fields]
H, D = 3600, 86400


def ticket(db: psycopg.Connection, channel: str, customer: int, start: datetime, steps: list[tuple]) -> int:
    """A ticket of `customer` whose events are (seconds after start, type[, agent[, queue[, data]]])."""
    routed_to = next(step[3] for step in steps if step[1] == "routed")
    ticket_id = db.execute(
        """INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status,
               priority, body, routed_by, created_at, last_event_at)
           VALUES (%s, gen_random_uuid()::text, '\\x00', %s, (SELECT id FROM queues WHERE name = %s),
               'queued', 2, 'text', 'classifier', %s, %s) RETURNING id""",
        (channel, customer, routed_to, start, start),
    ).fetchone()[0]
    for seconds, kind, *rest in steps:
        agent, queue, data = ([*rest, None, None, None])[:3]
        if kind == "escalated":
            data = {"level": 1}
        db.execute(
            """INSERT INTO ticket_events (ticket_id, type, occurred_at, agent_id, queue_id, data)
               VALUES (%s, %s, %s, %s, (SELECT id FROM queues WHERE name = %s), %s)""",
            (ticket_id, kind, start + timedelta(seconds=seconds), agent, queue, Jsonb(data or {})),
        )
    return ticket_id


def score(value: float) -> dict[str, Any]:
    return {"score": value}


def april(db: psycopg.Connection) -> dict[str, int]:
    """The scenario; the figures below are worked out from it by hand."""
    a1, a2 = make_agent(db, "Amal"), make_agent(db, "Badr")
    p1, p2, p3, c1, c2, w1, w2, e1 = (make_customer(db) for _ in range(8))
    # Phone, all in `cards`. t1: waits 10, handled 240, survey 5, quality 90; not FCR: its customer
    # calls again 3 days later in the same queue (t2). t2: waits 20, handled 100, survey 3, quality
    # 70.5; FCR. t3: waits 15, handled 300, survey 4; FCR: the next call (t4) is 8 days later.
    # t4: abandoned after 40 s. t5: waits 25, transferred (60 + 120 = 180 s handled): not FCR.
    ticket(db, "phone", p1, T, [(0, "created"), (0, "routed", None, "cards", {"classify_ms": 12.5}),
        (5, "claimed", a1), (10, "answered", a1), (250, "resolved", a1),
        (1000, "survey_answered", None, "cards", score(5)),
        (2000, "quality_evaluated", None, None, score(90))])  # fmt: skip
    ticket(db, "phone", p1, T + timedelta(days=3), [(0, "created"), (0, "routed", None, "cards"),
        (15, "claimed", a2), (20, "answered", a2), (120, "resolved", a2),
        (1000, "survey_answered", None, "cards", score(3)),
        (2000, "quality_evaluated", None, None, score(70.5))])  # fmt: skip
    t3 = ticket(db, "phone", p2, T + timedelta(hours=1), [(0, "created"), (0, "routed", None, "cards"),
        (10, "claimed", a1), (15, "answered", a1), (315, "resolved", a1),
        (500, "survey_answered", None, "cards", score(4))])  # fmt: skip
    ticket(db, "phone", p2, T + timedelta(hours=1, seconds=315, days=8),
           [(0, "created"), (0, "routed", None, "cards"), (40, "abandoned")])  # fmt: skip
    ticket(db, "phone", p3, T + timedelta(hours=2), [(0, "created"), (0, "routed", None, "cards"),
        (20, "claimed", a1), (25, "answered", a1), (85, "transferred", a1, "general"),
        (100, "claimed", a2), (110, "answered", a2), (230, "resolved", a2)])  # fmt: skip
    # Chat, in `general`. t6: escalated while waiting (not FCR), waits 90, handled 300, survey 2,
    # quality 100. t7: waits 20, handled 60, reopened, handled 40 more: not FCR. t8 (t6's
    # customer): waits 30, handled 100; FCR, as the customer's next contact (t9) is in `cards`.
    # t9: answered by the FAQ, never asked for a human.
    ticket(db, "chat", c1, T, [(0, "created"), (0, "routed", None, "general"),
        (60, "escalated", None, "general"), (80, "claimed", a1), (90, "answered", a1),
        (390, "resolved", a1), (600, "survey_answered", None, "general", score(2)),
        (700, "quality_evaluated", None, None, score(100))])  # fmt: skip
    ticket(db, "chat", c2, T + timedelta(hours=1), [(0, "created"), (0, "routed", None, "general"),
        (10, "claimed", a2), (20, "answered", a2), (80, "resolved", a2),
        (1000, "reopened", None, "general"), (1010, "claimed", a2), (1020, "answered", a2),
        (1060, "resolved", a2)])  # fmt: skip
    ticket(db, "chat", c1, T + timedelta(days=1), [(0, "created"), (0, "routed", None, "general"),
        (25, "claimed", a1), (30, "answered", a1), (130, "resolved", a1)])  # fmt: skip
    ticket(db, "chat", c1, T + timedelta(days=2, seconds=130),
           [(0, "created"), (0, "routed", None, "cards"), (0, "self_served", None, "cards")])  # fmt: skip
    # Web, `cards`. t10: answered by the FAQ, asks for a human at +300, answered at +400 (waits
    # 100 from its request, not 400), handled 300, FCR. t11: self-served.
    ticket(db, "web", w1, T, [(0, "created"), (0, "routed", None, "cards"), (0, "self_served"),
        (300, "human_requested", None, "cards"), (350, "claimed", a1), (400, "answered", a1),
        (700, "resolved", a1)])  # fmt: skip
    ticket(db, "web", w2, T, [(0, "created"), (0, "routed", None, "cards"), (0, "self_served")])
    # E-mail, `general`. t12: waits 3600, handled 600; not FCR: the customer writes again exactly 7
    # days after its resolution (the window includes its end). t13: waiting.
    ticket(db, "email", e1, T, [(0, "created"), (0, "routed", None, "general"), (3000, "claimed", a2),
        (3600, "answered", a2), (4200, "resolved", a2)])  # fmt: skip
    ticket(
        db, "email", e1, T + timedelta(seconds=4200, days=7), [(0, "created"), (0, "routed", None, "general")]
    )
    return {"a1": a1, "a2": a2, "t3": t3, "p2": p2}


def fig(**values: Any) -> dict[str, Any]:
    """Figures with docs/kpis.md's empty values (0 counts, null means) where not given."""
    counts = {"offered", "answered", "abandoned", "waiting", "self_served", "resolved", "incoming",
              "survey_replies", "evaluations"}  # fmt: skip
    return {name: values.get(name, 0 if name in counts else None) for name in ALL}


EXPECTED = {
    "phone": fig(
        offered=5,
        answered=4,
        abandoned=1,
        asa_s=70 / 4,
        avg_wait_s=110 / 5,
        service_level=3 / 5,
        abandonment_rate=1 / 5,
        resolved=4,
        aht_s=820 / 4,
        fcr=2 / 4,
        csat=2 / 3,
        quality=(0.90 + 0.705) / 2,
        incoming=5,
        survey_replies=3,
        evaluations=2,
    ),
    "chat": fig(
        offered=3,
        answered=3,
        asa_s=140 / 3,
        avg_wait_s=140 / 3,
        service_level=2 / 3,
        abandonment_rate=0.0,
        resolved=3,
        aht_s=500 / 3,
        fcr=1 / 3,
        csat=0.0,
        quality=1.0,
        incoming=4,
        self_served=1,
        containment_rate=1.0,
        survey_replies=1,
        evaluations=1,
    ),
    "web": fig(
        offered=1,
        answered=1,
        asa_s=100.0,
        avg_wait_s=100.0,
        service_level=1.0,
        abandonment_rate=0.0,
        resolved=1,
        aht_s=300.0,
        fcr=1.0,
        incoming=2,
        self_served=1,
        containment_rate=0.5,
    ),
    "email": fig(
        offered=2,
        answered=1,
        waiting=1,
        asa_s=3600.0,
        avg_wait_s=3600.0,
        service_level=1.0,
        abandonment_rate=0.0,
        resolved=1,
        aht_s=600.0,
        fcr=0.0,
        incoming=2,
    ),
    "mobile": fig(),
}
OVERALL = fig(offered=11, answered=9, abandoned=1, waiting=1, self_served=2, asa_s=3910 / 9,
              avg_wait_s=3950 / 10, service_level=7 / 10, abandonment_rate=1 / 10, resolved=9,
              aht_s=2220 / 9, fcr=4 / 9, csat=2 / 4, quality=(0.9 + 0.705 + 1.0) / 3, incoming=13,
              containment_rate=2 / 3, survey_replies=4, evaluations=3)  # fmt: skip
# Badr answered t2 (20 s), t7 (20 s) and t12 (3600 s), each in its channel's time, and resolved
# t2, t5, t7 and t12.
BADR = fig(offered=3, answered=3, asa_s=3640 / 3, avg_wait_s=3640 / 3, service_level=1.0,
           abandonment_rate=0.0, resolved=4, aht_s=(100 + 180 + 100 + 600) / 4, fcr=1 / 4, csat=0.0,
           quality=0.705, survey_replies=1, evaluations=1)  # fmt: skip


def as_dict(f: metrics_pb2.KpiFigures) -> dict[str, Any]:
    fields = metrics_pb2.KpiFigures.DESCRIPTOR.fields_by_name
    return {n: getattr(f, n) if not fields[n].has_presence or f.HasField(n) else None for n in ALL}


def test_every_figure_by_hand_per_channel_queue_and_agent(db, database_url, metrics_addr):
    people = april(db)
    catch_up(database_url)

    response = get_kpis(metrics_addr, APRIL)

    for channel, expected in EXPECTED.items():
        assert as_dict(response.by_channel[channel]) == pytest.approx(expected), channel
    assert as_dict(response.overall) == pytest.approx(OVERALL)
    assert as_dict(response.by_agent[people["a2"]]) == pytest.approx(BADR)
    only_badr = get_kpis(metrics_addr, APRIL, agent_id=people["a2"])
    assert as_dict(only_badr.overall) == pytest.approx(BADR)
    # Last queued in `cards`: t1-t4, t9, t10, t11 (t5 was transferred to `general`).
    cards = as_dict(response.by_queue["cards"])
    assert (cards["offered"], cards["answered"], cards["incoming"], cards["self_served"]) == (5, 4, 7, 2)
    assert cards["asa_s"] == pytest.approx((10 + 20 + 15 + 100) / 4)
    assert as_dict(get_kpis(metrics_addr, APRIL, queue="cards").overall) == pytest.approx(cards)
    assert response.formula_version == "kpis-3"


def test_a_repeat_contact_recorded_later_turns_an_earlier_resolution_around_once(
    db, database_url, metrics_addr
):
    agent, customer = make_agent(db, "Amal"), make_customer(db)
    ticket(db, "phone", customer, T, [(0, "created"), (0, "routed", None, "cards"), (5, "claimed", agent),
        (10, "answered", agent), (250, "resolved", agent)])  # fmt: skip
    catch_up(database_url)
    assert get_kpis(metrics_addr, APRIL).overall.fcr == 1.0

    # The customer calls again two days later, about the same thing: the first call was no FCR.
    ticket(db, "phone", customer, T + timedelta(days=2), [(0, "created"), (0, "routed", None, "cards")])
    catch_up(database_url)
    again = get_kpis(metrics_addr, APRIL).overall
    assert (again.resolved, again.fcr, again.incoming) == (1, 0.0, 2)

    # Replaying every event changes nothing more.
    db.execute("UPDATE metrics_cursor SET last_tx = '0', last_id = 0")
    catch_up(database_url)
    assert get_kpis(metrics_addr, APRIL).overall == again
    assert db.execute("SELECT sum(fcr_resolved), sum(resolved) FROM kpi_daily").fetchone() == (0, 1)


def oracle(db_url: str, start: datetime, end: datetime) -> dict[str, Any]:
    """Overall figures straight from every ticket_metrics row, through the pure contributions."""

    async def read() -> list[rollup.TicketFigures]:
        async with await psycopg.AsyncConnection.connect(db_url) as conn:
            cur = await conn.execute("SELECT ticket_id FROM ticket_metrics")
            ids = [row[0] for row in await cur.fetchall()]
            return list((await store.figures_of(conn, ids)).values())

    rows = asyncio.run(read())
    found = rollup.within(rows, DEFAULT_SL_THRESHOLD_S, start, end)
    return vars(figures(sum((c.counts for c in found), rollup.Counts())))


@pytest.mark.parametrize(
    "start, end",
    [
        (T + timedelta(minutes=30), T + timedelta(days=3, hours=1)),  # partial days at both ends
        (T + timedelta(seconds=5), T + timedelta(seconds=400)),  # within one day
        (APRIL[0] - timedelta(hours=3), T + timedelta(days=9)),  # a whole day between two partial ones
        (T - timedelta(days=1), APRIL[1]),  # whole days only
        (datetime(2024, 3, 15, tzinfo=UTC), datetime(2024, 5, 20, 6, tzinfo=UTC)),  # days, a month, days
        (datetime(2024, 4, 10, tzinfo=UTC), datetime(2024, 5, 1, tzinfo=UTC)),  # days to a month's end
    ],
)
def test_any_period_equals_the_sum_over_ticket_rows(db, database_url, metrics_addr, start, end):
    april(db)
    catch_up(database_url)

    got = as_dict(get_kpis(metrics_addr, (start, end)).overall)

    assert got == pytest.approx(oracle(database_url, start, end))


def test_custom_threshold_and_short_abandonments_over_whole_and_partial_days(db, database_url, metrics_addr):
    april(db)
    catch_up(database_url)

    for period in (APRIL, (T + timedelta(seconds=1), APRIL[1])):
        one = as_dict(get_kpis(metrics_addr, period, sl_threshold_s=15).overall)
        # Within 15 s: t1 (10), t3 (15). The second period leaves out what was queued at T (t1,
        # t6, t12), so 7 answered or abandoned remain.
        in_time, ended = (2, 10) if period == APRIL else (1, 7)
        assert one["service_level"] == pytest.approx(in_time / ended)

    short = as_dict(get_kpis(metrics_addr, APRIL, short_abandon_s=41).by_channel["phone"])
    # t4 (abandoned after 40 s) is left out of every figure, incoming too.
    assert (short["offered"], short["abandoned"], short["incoming"]) == (4, 0, 4)
    assert short["abandonment_rate"] == 0.0
    kept = as_dict(get_kpis(metrics_addr, APRIL, short_abandon_s=40).by_channel["phone"])
    assert (kept["offered"], kept["abandoned"]) == (5, 1)


def daily(db: psycopg.Connection) -> list[list[tuple]]:
    """Both rollups, daily and monthly, and the all-time totals."""
    found = []
    for table in ("kpi_daily", "kpi_monthly", "kpi_totals"):
        # A key whose sums went back to zero may stay as a row of zeros; a rebuild never writes one.
        # (Every other sum is part of one of these: answered of offered, fcr_resolved of resolved...)
        rows = db.execute(
            f"""SELECT * FROM {table} WHERE offered <> 0 OR resolved <> 0 OR incoming <> 0
                   OR survey_replies <> 0 OR evaluations <> 0"""
        ).fetchall()
        found.append(sorted(rows))
    assert found[0] and found[1] and found[2]
    return found


def test_the_same_events_twice_and_a_rebuild_give_identical_rollups(db, database_url, metrics_addr):
    april(db)
    catch_up(database_url)
    first, rows = get_kpis(metrics_addr, APRIL), daily(db)

    db.execute("UPDATE metrics_cursor SET last_tx = '0', last_id = 0")
    catch_up(database_url)
    assert daily(db) == rows
    replayed = get_kpis(metrics_addr, APRIL)
    replayed.ClearField("recorded_through")
    first.ClearField("recorded_through")
    assert replayed == first

    asyncio.run(follower.rebuild_database(database_url, batch_size=3))
    assert daily(db) == rows
    rebuilt = get_kpis(metrics_addr, APRIL)
    assert rebuilt.overall == first.overall
    assert dict(rebuilt.by_channel) == dict(first.by_channel)
    assert dict(rebuilt.by_agent) == dict(first.by_agent)
    assert dict(rebuilt.by_queue) == dict(first.by_queue)
