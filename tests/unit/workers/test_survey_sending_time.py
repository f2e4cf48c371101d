"""When an invitation counts as sent: at a back-filled resolution (so a replayed reply can follow
it), else when the sweep sends it."""

from datetime import UTC, datetime, timedelta

from services.shared.store.surveys import DueSurvey
from services.workers.surveys import sending_time

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def _due(backfilled_resolution_at: datetime | None) -> DueSurvey:
    return DueSurvey(
        ticket_id=1,
        channel="chat",
        status="resolved",
        queue_id=1,
        customer_id=1,
        language="ar",
        customer_language=None,
        recipient="",
        resolution_code="",
        backfilled_resolution_at=backfilled_resolution_at,
        swept_at=NOW,
    )


def test_a_backfilled_resolution_dates_its_invitation() -> None:
    resolved = datetime(2024, 3, 10, 9, 20, tzinfo=UTC)
    assert sending_time(_due(resolved)) == (resolved, {"backfill": True})


def test_a_live_resolution_is_surveyed_when_swept() -> None:
    assert sending_time(_due(None)) == (NOW, {})
    # A back-fill token may date a resolution ahead within the clock skew: never sent in the future.
    assert sending_time(_due(NOW + timedelta(seconds=5))) == (NOW, {})
