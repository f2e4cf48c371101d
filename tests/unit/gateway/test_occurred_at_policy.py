"""Who may date an event how far back: the past window, the bounds every service computes within,
and back-fill tokens (pure)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from gateway.actions import occurred_at
from gateway.actions.occurred_at import EARLIEST, LATEST, InvalidTime, Window, resolve

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = Window(past_s=24 * 3600, future_s=10)


def test_an_integration_may_date_within_its_past_window_and_no_further() -> None:
    inside = NOW - timedelta(hours=23, minutes=59)
    assert resolve(inside, NOW, WINDOW, role="integration") == inside
    with pytest.raises(InvalidTime, match="OCCURRED_AT_WINDOW_S"):
        resolve(NOW - timedelta(hours=25), NOW, WINDOW, role="integration")
    narrow = Window(past_s=60, future_s=10)
    with pytest.raises(InvalidTime, match="--backfill"):
        resolve(NOW - timedelta(minutes=2), NOW, narrow, role="integration")


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_people_act_now_unless_their_token_back_fills(role: str) -> None:
    assert resolve(None, NOW, WINDOW, role=role) == NOW
    with pytest.raises(InvalidTime, match="dated by the server"):
        resolve(NOW - timedelta(seconds=1), NOW, WINDOW, role=role)
    two_years_ago = NOW - timedelta(days=730)
    assert resolve(two_years_ago, NOW, WINDOW, role=role, backfill=True) == two_years_ago


def test_a_back_fill_token_may_not_date_the_future() -> None:
    with pytest.raises(InvalidTime, match="future"):
        resolve(NOW + timedelta(minutes=1), NOW, WINDOW, role="integration", backfill=True)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        # Converting these to UTC overflows datetime; the check must only compare them.
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=3))),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5))),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        EARLIEST - timedelta(microseconds=1),
        LATEST,
    ],
)
def test_dates_no_service_computes_with_are_refused_for_every_token(moment: datetime) -> None:
    for role in ("integration", "agent", "supervisor"):
        with pytest.raises(InvalidTime, match="outside"):
            resolve(moment, NOW, WINDOW, role=role, backfill=True)


def test_the_earliest_date_is_open_to_back_fill_tokens() -> None:
    assert resolve(EARLIEST, NOW, WINDOW, role="agent", backfill=True) == EARLIEST


def test_only_a_back_fill_tokens_own_date_is_marked() -> None:
    assert occurred_at.dated_by_backfill(NOW, True)
    assert not occurred_at.dated_by_backfill(None, True)
    assert not occurred_at.dated_by_backfill(NOW, False)
