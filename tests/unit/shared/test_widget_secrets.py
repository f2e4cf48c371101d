"""The web chat's secrets and origin rule (pure): keys and secrets random and prefixed, only digests
compared, sessions expiring, and a widget key used only from the origins it lists or the centre's own."""

from datetime import UTC, datetime, timedelta

import pytest

from services.shared import widget_secrets as ws

SITE = "https://www.example.gov.ae"
CENTRE = ("https://centre.example.gov.ae", "http://127.0.0.1:8080")


def test_keys_and_secrets_are_random_prefixed_and_kept_as_digests() -> None:
    keys = {ws.new_widget_key() for _ in range(50)}
    secrets = {ws.new_session_secret() for _ in range(50)}
    assert len(keys) == 50 and all(k.startswith("wk_") and len(k) >= 27 for k in keys)
    assert len(secrets) == 50 and all(s.startswith("chs_") and len(s) >= 47 for s in secrets)
    secret = ws.new_session_secret()
    assert ws.digest(secret) == ws.digest(secret) and len(ws.digest(secret)) == 32
    assert ws.digest(secret) != ws.digest(secret + "x") and secret.encode() not in ws.digest(secret)
    assert ws.new_visitor_id() != ws.new_visitor_id()


def test_a_session_lives_a_day() -> None:
    now = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
    assert ws.session_expiry(now) == now + timedelta(hours=24)


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("https://WWW.Example.gov.ae", SITE),
        ("https://www.example.gov.ae/", SITE),
        ("https://www.example.gov.ae:443", SITE),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://[::1]:81", "http://[::1]:81"),
    ],
)
def test_origins_are_normalised_as_browsers_send_them(text: str, origin: str) -> None:
    assert ws.normalise_origin(text) == origin


@pytest.mark.parametrize(
    "text",
    [
        "www.example.gov.ae",
        "ftp://example.gov.ae",
        "https://example.gov.ae/path",
        "https://u:p@x.ae",
        "https://x.ae?q=1",
        "https://x.ae:99999",
        "null",
        "",
    ],
)
def test_anything_but_a_bare_http_origin_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        ws.normalise_origin(text)


def test_a_key_admits_its_listed_origins_and_the_centres_own_pages_only() -> None:
    allowed = [SITE, "http://localhost:8000"]
    assert ws.origin_allowed(SITE, allowed, CENTRE)
    assert ws.origin_allowed("https://WWW.EXAMPLE.GOV.AE", allowed, CENTRE)
    assert ws.origin_allowed("http://localhost:8000", allowed, CENTRE)
    assert ws.origin_allowed("http://127.0.0.1:8080", allowed, CENTRE)  # the contact page
    assert ws.origin_allowed("https://centre.example.gov.ae", [], CENTRE)
    # Look-alikes, other schemes and ports, and the opaque origin of a sandboxed frame or file.
    for other in (
        "https://www.example.gov.ae.evil.com",
        "http://www.example.gov.ae",
        "https://www.example.gov.ae:8443",
        "http://localhost:8001",
        "null",
        "",
    ):
        assert not ws.origin_allowed(other, allowed, CENTRE), other
    # Not from a browser's page at all (a server or curl): the secret guards, not the origin.
    assert ws.origin_allowed(None, allowed, CENTRE)
    # An unparseable own URL does not open the door.
    assert not ws.origin_allowed("https://x.ae", [], ("not a url",))
