"""What one ticket adds to the rollups, and the exact change when its row changes (rollup.py)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.metrics import fcr
from services.metrics.rollup import COLUMNS, TicketFigures, by_month, contributions, delta, totals_delta
from services.metrics.thresholds import DEFAULT_SL_THRESHOLD_S

T = datetime(2024, 3, 10, 23, 59, 50, tzinfo=UTC)
S = 1_000_000


def answered(**changes) -> TicketFigures:
    """A phone call queued at T, answered after 15 s (the next day), resolved, surveyed and evaluated."""
    base = TicketFigures(
        ticket_id=1, channel="phone", queue_id=2, created_at=T, queued_at=T,
        answered_at=T + timedelta(seconds=15), abandoned_at=None, resolved_at=T + timedelta(seconds=255),
        answered_by=7, resolved_by=8, wait_us=15 * S, handle_us=240 * S, faq_answered=False,
        self_served=False, escalations=0, segments=1, transfers=0, reopens=0, fcr=True, opened_queue_id=2,
        survey_score=4, surveyed_at=T + timedelta(hours=1), quality=((T + timedelta(days=1), 88.4),),
        classify_ms=12.5,
    )  # fmt: skip
    return replace(base, **changes)


def test_each_family_on_its_own_moment_and_agent():
    found = {(c.at, c.agent_id): dict(c.values) for c in contributions(answered(), DEFAULT_SL_THRESHOLD_S)}
    assert found[(T, 7)] == {"offered": 1, "answered": 1, "answered_wait_us": 15 * S, "answered_in_time": 1}
    assert found[(T + timedelta(seconds=255), 8)] == {
        "resolved": 1,
        "handled": 1,
        "handle_us": 240 * S,
        "fcr_resolved": 1,
    }
    assert found[(T, 0)]["incoming"] == 1 and found[(T, 0)]["classify_le_25"] == 1
    assert found[(T, 0)]["classify_le_10"] == 0 and found[(T, 0)]["classify_us"] == 12_500
    assert found[(T + timedelta(hours=1), 8)] == {"survey_replies": 1, "survey_happy": 1}
    assert found[(T + timedelta(days=1), 8)] == {"evaluations": 1, "quality_centi": 8840}


def test_a_slower_answer_is_out_of_time_and_the_threshold_is_per_channel():
    slow = answered(wait_us=21 * S)
    (queued, *_) = contributions(slow, DEFAULT_SL_THRESHOLD_S)
    assert queued.values["answered_in_time"] == 0
    (as_chat, *_) = contributions(replace(slow, channel="chat"), DEFAULT_SL_THRESHOLD_S)
    assert as_chat.values["answered_in_time"] == 1


def test_the_change_when_a_row_changes_is_exact_and_none_when_it_does_not():
    before = answered()
    assert delta([before], [before], DEFAULT_SL_THRESHOLD_S) == {}
    # Reopened and resolved again a day later: the resolution moves to another day.
    after = replace(before, resolved_at=T + timedelta(days=1, seconds=255), reopens=1, fcr=False)
    change = delta([before], [after], DEFAULT_SL_THRESHOLD_S)
    resolved = COLUMNS.index("resolved")
    fcr_resolved = COLUMNS.index("fcr_resolved")
    moved = {key[0].isoformat(): (row[resolved], row[fcr_resolved]) for key, row in change.items()}
    assert moved == {"2024-03-11": (-1, -1), "2024-03-12": (1, 0)}
    # A new ticket adds everything; taking it away again gives the negative.
    added = delta([], [before], DEFAULT_SL_THRESHOLD_S)
    removed = delta([before], [], DEFAULT_SL_THRESHOLD_S)
    assert {k: tuple(-v for v in row) for k, row in added.items()} == removed


def test_totals_keep_the_opening_queue_whatever_the_last_queue():
    before = answered()
    transferred = replace(before, queue_id=9)
    assert totals_delta([before], [transferred]) == {}
    grown = totals_delta([before], [replace(before, escalations=2)])
    assert list(grown) == [("phone", 2)] and grown[("phone", 2)][COLUMNS.index("escalations")] == 2


def test_first_contact_resolution_rule():
    t = answered()
    assert fcr.first_contact_resolved(t, later_contact=False) is True
    assert fcr.first_contact_resolved(t, later_contact=True) is False
    for change in ({"segments": 2}, {"transfers": 1}, {"escalations": 1}, {"reopens": 1}):
        assert fcr.first_contact_resolved(replace(t, **change), later_contact=False) is False, change
    assert fcr.first_contact_resolved(replace(t, resolved_at=None), later_contact=False) is None


def test_the_daily_sums_are_keyed_by_the_day_on_the_centres_clock():
    # Queued at 21:30 UTC on New Year's Eve: 01:30 on 1 January in Dubai, evaluated 30 min later.
    eve = datetime(2025, 12, 31, 21, 30, tzinfo=UTC)
    t = answered(created_at=eve, queued_at=eve, answered_at=eve + timedelta(seconds=15),
                 resolved_at=eve + timedelta(minutes=10), surveyed_at=None, survey_score=None,
                 quality=((eve + timedelta(minutes=30), 80.0),))  # fmt: skip
    in_utc = {key[0].isoformat() for key in delta([], [t], DEFAULT_SL_THRESHOLD_S)}
    in_dubai = delta([], [t], DEFAULT_SL_THRESHOLD_S, ZoneInfo("Asia/Dubai"))
    assert in_utc == {"2025-12-31"} and {key[0].isoformat() for key in in_dubai} == {"2026-01-01"}
    assert {key[0].isoformat() for key in by_month(in_dubai)} == {"2026-01-01"}
    # 23:30 UTC on 31 March 2026 is 00:30 on 1 April in London (summer time): April's sums.
    late = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    moved = replace(t, created_at=late, queued_at=late, answered_at=late + timedelta(seconds=15),
                    resolved_at=late + timedelta(minutes=10), quality=())  # fmt: skip
    london = delta([], [moved], DEFAULT_SL_THRESHOLD_S, ZoneInfo("Europe/London"))
    assert {key[0].isoformat() for key in by_month(london)} == {"2026-04-01"}
