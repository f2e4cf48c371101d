"""GetDemand over real gRPC and PostgreSQL: weeks on the centre's clock, the rule's flags, phrases;
and the yearly report's weekly counts."""

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import grpc
import psycopg
import pytest
from psycopg.types.json import Jsonb
from ticketing.v1 import metrics_pb2, metrics_pb2_grpc

from services.metrics import demand
from services.shared import grpc_channels
from tests.fixtures import internal_grpc
from tests.fixtures.metrics_server import MetricsEndpoints

pytestmark = pytest.mark.integration

DEADLINE_S = 10
DUBAI = ZoneInfo("Asia/Dubai")
WEEK = (2026, 10)
MONDAY = date.fromisocalendar(*WEEK, 1)


def local(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), DUBAI).astimezone(UTC)


def add_tickets(
    db: psycopg.Connection,
    at: datetime,
    n: int,
    intent: str,
    *,
    queue: str = "cards",
    channel: str = "chat",
    body: str = "My card has not arrived",
    reason: str = "matched",
    confidence: float = 0.9,
) -> list[int]:
    customer = db.execute(
        "INSERT INTO customers (display_name) VALUES ('A customer') RETURNING id"
    ).fetchone()[0]
    ids = []
    for _ in range(n):
        row = db.execute(
            """INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status,
                   priority, intent, body, classification, routed_by, created_at, queued_at, last_event_at)
               VALUES (%s, gen_random_uuid()::text, '\\x00', %s, (SELECT id FROM queues WHERE name = %s),
                   'queued', 2, %s, %s, %s, 'classifier', %s, %s, %s)
               RETURNING id""",
            (channel, customer, queue, intent, body, Jsonb({"reason": reason, "confidence": confidence}),
             at, at, at),
        ).fetchone()  # fmt: skip
        ids.append(row[0])
    return ids


def get_demand(addr: str, **fields: int) -> metrics_pb2.GetDemandResponse:
    with grpc_channels.channel(addr, internal_grpc.CLIENT) as channel:
        return metrics_pb2_grpc.MetricsServiceStub(channel).GetDemand(
            metrics_pb2.GetDemandRequest(**fields), timeout=DEADLINE_S
        )


def arrange(db: psycopg.Connection) -> list[int]:
    for back in range(1, 9):
        monday = MONDAY - timedelta(weeks=back)
        add_tickets(db, local(monday), 3, "card_arrival")
        add_tickets(db, local(monday + timedelta(days=2)), 10, "lost_or_stolen_card", channel="phone")
    # This week: card_arrival rises, lost_or_stolen_card holds, visa_letter is new.
    add_tickets(db, local(MONDAY), 15, "card_arrival")
    # 01:30 on Monday in Dubai is 21:30 on Sunday in UTC: this week, not last.
    add_tickets(db, local(MONDAY, 1), 1, "card_arrival")
    add_tickets(db, local(MONDAY + timedelta(days=1)), 10, "lost_or_stolen_card", channel="phone")
    add_tickets(db, local(MONDAY + timedelta(days=3)), 8, "visa_letter", queue="general", channel="email")
    # What the taxonomy lacks, sent to triage.
    unplaced = add_tickets(
        db, local(MONDAY + timedelta(days=4)), 4, "", queue="triage", channel="web",
        body="I need a golden visa sponsorship letter", reason="no_match", confidence=0.2,
    )  # fmt: skip
    add_tickets(
        db, local(MONDAY + timedelta(days=4)), 3, "", queue="triage", channel="web",
        body="ابغى شهادة للإقامة الذهبيّة", reason="low_confidence", confidence=0.3,
    )  # fmt: skip
    # The same ISO week a year before.
    add_tickets(db, local(date.fromisocalendar(2025, 10, 3)), 4, "card_arrival")
    # 00:30 on the next Monday in Dubai (still Sunday in UTC): next week.
    add_tickets(db, local(MONDAY + timedelta(weeks=1), 0) + timedelta(minutes=30), 50, "card_arrival")
    return unplaced


def test_demand_counts_flags_and_phrases(start_metrics_server: Callable[..., MetricsEndpoints], db):
    addr = start_metrics_server(centre_zone=DUBAI).addr
    unplaced = arrange(db)

    reply = get_demand(addr, iso_year=WEEK[0], iso_week=WEEK[1])

    assert (reply.week, reply.same_week_last_year, reply.time_zone) == ("2026-W10", "2025-W10", "Asia/Dubai")
    assert getattr(reply, "from").ToDatetime(tzinfo=UTC) == local(MONDAY, 0)
    intents = {c.key: c for c in reply.by_intent}
    card = intents["card_arrival"]
    assert (card.this_week, card.last_week, card.same_week_last_year) == (16, 3, 4)
    assert card.flag == "rising" and card.baseline_mean == 3.0 and card.q_value <= reply.alpha
    assert intents["visa_letter"].flag == "new"
    assert intents["lost_or_stolen_card"].flag == ""
    assert (intents["lost_or_stolen_card"].this_week, intents["lost_or_stolen_card"].last_week) == (10, 10)
    assert [c.key for c in reply.by_intent][:2] == ["card_arrival", "visa_letter"]
    assert {c.key: c.this_week for c in reply.by_channel} == {"chat": 16, "phone": 10, "email": 8, "web": 7}
    assert {c.key: c.this_week for c in reply.by_queue} == {"cards": 26, "general": 8, "triage": 7}
    assert (reply.inquiries, reply.unplaced) == (41, 7)
    phrases = {p.phrase: p for p in reply.phrases}
    assert "golden visa sponsorship" in phrases
    assert set(phrases["golden visa sponsorship"].example_ticket_ids) <= set(unplaced)
    # Arabic normalised: إ -> ا, ة -> ه, the shadda gone.
    assert any("للاقامه الذهبيه" in p for p in phrases)
    assert (reply.baseline_weeks, reply.min_count) == (8, 5)


def test_a_week_that_does_not_exist_is_invalid_argument(metrics_addr: str):
    with pytest.raises(grpc.RpcError) as caught:
        get_demand(metrics_addr, iso_year=2025, iso_week=53)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_an_empty_week_has_no_rows(metrics_addr: str):
    reply = get_demand(metrics_addr)
    assert not reply.by_intent and not reply.phrases and reply.week


def test_the_reports_weekly_demand_counts_weeks_on_the_centres_clock(db, database_url: str):
    """The yearly report's chart (demand.year_weeks): each ticket in the week of its creation on the
    centre's clock, the top intents by the year's volume, the rest and the unplaced under ""."""
    arrange(db)

    async def year_weeks() -> dict[str, list[int]]:
        async with await psycopg.AsyncConnection.connect(database_url) as conn:
            return await demand.year_weeks(conn, WEEK[0], DUBAI, top=2)

    found = asyncio.run(year_weeks())
    weeks = date(WEEK[0], 12, 28).isocalendar().week
    assert set(found) == {"card_arrival", "lost_or_stolen_card", ""}
    assert all(len(counts) == weeks for counts in found.values())
    this = WEEK[1] - 1  # week 10 at index 9
    # 3 a week before; 15 on Monday plus the one at 01:30 Monday in Dubai (Sunday in UTC); and 50 at
    # 00:30 on the next Monday in Dubai, still Sunday in UTC: next week's.
    card = found["card_arrival"]
    assert card[this - 8 : this] == [3] * 8 and card[this] == 16 and card[this + 1] == 50
    assert sum(card) == 3 * 8 + 16 + 50  # 2025's week 10 is not 2026's
    assert found["lost_or_stolen_card"][this - 8 : this + 1] == [10] * 9
    # visa_letter (8) is not in the top two; the unplaced (7) have no intent.
    assert found[""][this] == 15 and sum(found[""]) == 15
