"""Callback delivery decisions (services/workers/notifications.py) and signatures, without sockets."""

from datetime import UTC, datetime

from services.shared import callback_signature
from services.shared.egress import EgressPolicy
from services.shared.store.outbound_messages import CallbackDelivery
from services.workers.callback_sender import CallbackSender
from services.workers.notifications import backoff_s, payload, post
from services.workers.settings import WorkerSettings

SETTINGS = WorkerSettings.from_env({"DATABASE_URL": "postgresql://db/x", "BROKER_URL": "amqp://x//"})


def test_backoff_doubles_up_to_its_cap_then_gives_up():
    waits = [backoff_s(attempt, SETTINGS) for attempt in range(1, 9)]
    assert waits == [10, 20, 40, 80, 160, 320, 600, None]


def test_the_signature_covers_timestamp_and_body():
    body = b'{"id": 1}'
    signed = callback_signature.signature("s3cret-s3cret-s3cret", 1700000000, body)
    assert signed.startswith("sha256=") and len(signed) == 7 + 64
    assert callback_signature.verify("s3cret-s3cret-s3cret", 1700000000, body, signed)
    assert not callback_signature.verify("s3cret-s3cret-s3cret", 1700000001, body, signed)
    assert not callback_signature.verify("s3cret-s3cret-s3cret", 1700000000, b'{"id": 2}', signed)


def test_the_payload_carries_the_message_and_keeps_arabic_readable():
    message = CallbackDelivery(
        id=5,
        ticket_id=9,
        channel="phone",
        kind="survey",
        recipient="+966500000000",
        body="شكراً لتواصلك معنا",
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        attempts=2,
        leased_until=datetime(2026, 3, 1, tzinfo=UTC),
        url="https://sms.example/hook",
        secret="x" * 32,
    )
    body = payload(message).decode()
    assert '"body": "شكراً لتواصلك معنا"' in body and '"attempt": 2' in body and "secret" not in body


def test_a_url_httpx_cannot_use_is_a_failed_attempt_not_an_error_that_stops_the_round():
    message = CallbackDelivery(
        id=6,
        ticket_id=None,
        channel="phone",
        kind="survey",
        recipient="+966500000000",
        body="hello",
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        attempts=1,
        leased_until=datetime(2026, 3, 1, tzinfo=UTC),
        url="http://a:b:c/",  # registered before URLs were checked on the way in
        secret="x" * 32,
    )
    error = post(CallbackSender(EgressPolicy(allow_http=True), 1.0, resolve=_no_dns), message)
    assert error is not None and error.startswith("refused: not a usable URL")


def _no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"resolved {host}: the URL should have been refused before")


def test_a_url_the_policy_refuses_is_a_failed_attempt_with_the_reason_and_no_connection():
    sender = CallbackSender(EgressPolicy(), 1.0, resolve=lambda host, port: ["10.0.0.7"])
    assert sender.post("https://hooks.example.com/", b"{}", {}) == (
        "refused: hooks.example.com resolves to 10.0.0.7: 10.0.0.7 is not a public address"
    )
    assert sender.post("http://hooks.example.com/", b"{}", {}) == "refused: the URL must use https, not http"
