from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from gateway.actions import occurred_at
from gateway.actions.intake import request_hash
from gateway.http.schemas import CustomerIn, InquiryIn
from services.shared import tokens

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_identities_are_normalised_so_one_person_is_found_whichever_way_they_write() -> None:
    customer = CustomerIn(phone="+966 50-123 4567", email="Sara@Example.COM", app_user_id="u1")
    assert customer.identities("AE") == [
        ("phone", "+966501234567"),
        ("email", "sara@example.com"),
        ("app_user", "u1"),
    ]


@pytest.mark.parametrize("written", ["+971 50 123 4567", "00971501234567", "050 123 4567"])
def test_one_phone_number_written_four_ways_is_one_identity_in_region_ae(written: str) -> None:
    assert CustomerIn(phone=written).identities("AE") == [("phone", "+971501234567")]


def test_a_number_no_numbering_plan_allows_is_refused() -> None:
    with pytest.raises(ValueError, match="not a valid phone number"):
        CustomerIn(phone="+971 12").identities("AE")


def test_a_customer_needs_an_identity() -> None:
    with pytest.raises(ValidationError, match="at least one"):
        CustomerIn(name="Sara")


def test_occurred_at_defaults_to_now_and_refuses_the_future_and_naive_times() -> None:
    window = occurred_at.Window(past_s=86400, future_s=10)
    assert occurred_at.resolve(None, NOW, window, role="integration") == NOW
    ahead = NOW + timedelta(seconds=5)
    assert occurred_at.resolve(ahead, NOW, window, role="integration") == ahead
    with pytest.raises(occurred_at.InvalidTime, match="future"):
        occurred_at.resolve(NOW + timedelta(seconds=11), NOW, window, role="integration")
    with pytest.raises(occurred_at.InvalidTime, match="offset"):
        occurred_at.resolve(datetime(2026, 3, 1, 9, 0), NOW, window, role="integration")


def test_the_request_hash_tells_a_retry_from_a_different_inquiry() -> None:
    body = {"channel": "phone", "external_id": "c1", "customer": {"phone": "+1555000111"}, "text": "hello"}
    assert request_hash(InquiryIn.model_validate(body)) == request_hash(InquiryIn.model_validate(dict(body)))
    assert request_hash(InquiryIn.model_validate(body)) != request_hash(
        InquiryIn.model_validate(body | {"text": "hi"})
    )


def test_tokens_are_random_and_stored_as_digests() -> None:
    a, b = tokens.new_token(), tokens.new_token()
    assert a != b and a.startswith("tkt_") and len(a) > 40
    assert tokens.digest(a) == tokens.digest(a) and len(tokens.digest(a)) == 32
