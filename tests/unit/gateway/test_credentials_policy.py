"""Token lifetimes, route classes for rate limits, and their settings (pure)."""

from datetime import timedelta

import pytest

from gateway.http.rate_limits import RateLimitSettings, route_class
from services.shared import tokens
from services.shared.settings import Env, SettingsError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90d", timedelta(days=90)),
        ("12h", timedelta(hours=12)),
        ("2w", timedelta(weeks=2)),
        ("30m", timedelta(minutes=30)),
    ],
)
def test_lifetimes_read_as_durations(text: str, expected: timedelta) -> None:
    assert tokens.lifetime(text) == expected


@pytest.mark.parametrize("text", ["", "90", "d", "0d", "-1d", "10y", "99999d", "1.5d"])
def test_nonsense_lifetimes_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        tokens.lifetime(text)


def test_people_tokens_live_shorter_than_integration_keys() -> None:
    lifetimes = tokens.DEFAULT_LIFETIMES
    assert lifetimes["agent"] == lifetimes["supervisor"] == timedelta(days=30)
    assert lifetimes["integration"] == timedelta(days=365)


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("POST", "/v1/inquiries", "intake"),
        ("POST", "/v1/inquiries/multipart", "intake"),
        ("POST", "/v1/stream-tickets", "stream_tickets"),
        ("GET", "/v1/metrics/report", "reports"),
        ("GET", "/v1/metrics/export", "reports"),
        ("GET", "/v1/metrics/kpis", "reports"),
        ("GET", "/v1/tickets/{ticket_id}", "reads"),
        ("GET", "/v1/agent/offers/stream", "reads"),
        ("POST", "/v1/tickets/{ticket_id}/resolve", "actions"),
        ("PUT", "/v1/agent/presence", "actions"),
        ("DELETE", "/v1/outbound/callback", "actions"),
    ],
)
def test_each_route_counts_against_its_class(method: str, path: str, kind: str) -> None:
    assert route_class(method, path) == kind


def test_rate_limit_settings_have_generous_defaults_and_name_a_bad_variable() -> None:
    defaults = RateLimitSettings.from_env(Env({}))
    # The intake benchmark's ~1500 inquiries a second from one key fit in one process.
    assert defaults.intake.amount >= 1500 and defaults.intake.get_expiry() == 1
    assert defaults.max_streams == 3
    with pytest.raises(SettingsError, match="RATE_LIMIT_READS"):
        RateLimitSettings.from_env(Env({"RATE_LIMIT_READS": "lots"}))
    with pytest.raises(SettingsError, match="MAX_STREAMS_PER_CREDENTIAL"):
        RateLimitSettings.from_env(Env({"MAX_STREAMS_PER_CREDENTIAL": "0"}))
