"""When the follower counts as stuck (services/metrics/follower_status.py)."""

import pytest

from services.metrics.follower_status import is_stuck


@pytest.mark.parametrize(
    ("behind", "age_s", "stuck"),
    [
        (0, 0.0, False),  # caught up
        (5, 59.9, False),  # behind, but the first waiting event is younger than the limit
        (5, 60.0, False),  # at the limit
        (5, 60.1, True),
        (1, 3600.0, True),
        (0, 3600.0, False),  # nothing waits: an old age cannot mean stuck
    ],
)
def test_stuck_once_the_first_waiting_event_is_older_than_the_limit(behind, age_s, stuck):
    assert is_stuck(behind, age_s, 60.0) is stuck
