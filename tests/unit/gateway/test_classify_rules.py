"""When an inquiry is shed, falls back or waits for the classifier; and the episodes logged once each."""

import pytest

from gateway.actions.classify_batcher import MIN_LINE, line_limit
from gateway.actions.classify_episodes import QUIET_S, Episode, admission


@pytest.mark.parametrize(
    ("line_full", "failing", "expected"),
    [
        (False, False, "queue"),
        # A classifier that fails still gets the call: it may be back (the call fails fast if not).
        (False, True, "queue"),
        # Full line, classifier answering: slow, not down. Refused at the door, routing kept on retry.
        (True, False, "shed"),
        # Full line, classifier failing: not answering, so the inquiry lands in triage at once.
        (True, True, "fallback"),
    ],
)
def test_admission(line_full: bool, failing: bool, expected: str) -> None:
    assert admission(line_full=line_full, failing=failing) == expected


def test_an_episode_logs_its_start_once_and_its_end_with_counts() -> None:
    episode = Episode("fallback")
    assert episode.answered(0.0) is None  # nothing to end
    started = episode.hit("classifier_unavailable", 10.0)
    assert started == "classifier fallback started (classifier_unavailable)"
    assert episode.active
    lines = [episode.hit("classifier_unavailable", 10.0 + i / 10) for i in range(1, 30)]
    lines.append(episode.hit("classifier_deadline_exceeded", 13.0))
    assert lines == [None] * 30
    ended = episode.answered(13.0 + QUIET_S)
    assert ended == (
        "classifier fallback ended after 3.0 s: 31 inquiries "
        "(classifier_deadline_exceeded 1, classifier_unavailable 30)"
    )
    assert not episode.active
    # A new episode starts afresh.
    assert episode.hit("classifier_unavailable", 20.0) is not None
    assert episode.answered(20.0 + QUIET_S).endswith("1 inquiries (classifier_unavailable 1)")


def test_answers_interleaved_with_fallbacks_do_not_end_the_episode() -> None:
    """Under sustained overload answers and fallbacks alternate: one episode, not a pair per flip."""
    episode = Episode("shedding")
    assert episode.hit("line_full", 0.0) is not None
    for i in range(1, 50):
        assert episode.answered(i * 0.05) is None
        assert episode.hit("line_full", i * 0.05 + 0.01) is None
    assert episode.active
    assert episode.answered(2.46 + QUIET_S) is not None


def test_the_line_holds_what_the_classifier_answers_in_half_the_deadline() -> None:
    # 300 answers/s, 1 s deadline: 150 may wait (~0.5 s), within the cap.
    assert line_limit(300.0, 1.0, 256) == 150
    # Slow (40/s): never below one batch's worth, so a burst after a quiet spell is not shed.
    assert line_limit(40.0, 1.0, 256) == MIN_LINE
    assert line_limit(0.0, 1.0, 256) == MIN_LINE
    # Fast: the configured cap.
    assert line_limit(5000.0, 1.0, 256) == 256
    assert line_limit(5000.0, 1.0, 2) == 2
