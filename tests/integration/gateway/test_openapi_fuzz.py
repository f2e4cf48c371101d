"""Property-based fuzzing of every operation in the OpenAPI document against the real gateway:
no 5xx, and every answer's status, media type and body as the document declares.

Each operation is called with a token of a role it admits (so generated input reaches the route, not
only the auth check); `TEST_FUZZ_EXAMPLES` bounds the examples per operation (default 20).
"""

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import checks

from gateway.http.app import create_app
from gateway.http.openapi import document
from gateway.settings import GatewaySettings
from tests.fixtures import internal_grpc, mails
from tests.fixtures.gateway import Gateway

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("TEST_FUZZ_EXAMPLES", "20"))
# Event streams never end by themselves: they are walked without a token only (401 at once).
STREAMS = ("/v1/agent/offers/stream", "/v1/metrics/live")
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def _schema_document() -> dict[str, Any]:
    # Only the document is needed here: building the app does not open its pools (lifespan does).
    env = {"DATABASE_URL": "postgresql://unused/unused", **internal_grpc.ENV}
    return document(create_app(GatewaySettings.from_env(env)))


# Raw mail for the e-mail channel's inbound hook: real messages and arbitrary bytes.
schemathesis.openapi.media_type(
    "message/rfc822",
    st.one_of(
        st.sampled_from([mails.plain("fuzz@example.com", "hello"), mails.bounce("b@mx.example", "x@y")]),
        st.binary(max_size=2000),
    ),
)
schema = schemathesis.openapi.from_dict(_schema_document())


def _token_for(gateway: Gateway, roles: list[str]) -> str | None:
    if not roles:
        return None
    role = roles[0]
    if role == "integration":
        return gateway.token("integration", channel="chat")
    if role == "agent":
        return gateway.agent(["triage", "cards"])[1]
    return gateway.token(role)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_fails_or_answers_off_its_schema(case: schemathesis.Case, gateway: Gateway) -> None:
    operation = case.operation.definition.raw
    roles = [] if case.path in STREAMS else operation.get("x-roles", [])
    cache = gateway.__dict__.setdefault("_fuzz_tokens", {})
    key = tuple(roles)
    if key not in cache:
        cache[key] = _token_for(gateway, roles)
    token = cache[key]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = case.call(base_url=gateway.url, headers=headers, timeout=20)
    case.validate_response(response, checks=CHECKS)
