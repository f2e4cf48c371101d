"""POST /v1/surveys/{token}: bad or unknown tokens and bad scores get problems and change nothing."""

import pytest

from tests.fixtures.gateway import Gateway
from tests.integration.gateway.helpers import assert_problem, counts

pytestmark = pytest.mark.integration


def test_unknown_token_and_bad_scores_are_refused(gateway_alone: Gateway) -> None:
    gw = gateway_alone
    before = counts(gw.database_url)
    with gw.client() as client:
        assert_problem(client.post("/v1/surveys/" + "a" * 43, json={"score": 5}), 404)
        assert_problem(client.post("/v1/surveys/short", json={"score": 5}), 422)
        assert_problem(client.post("/v1/surveys/" + "a" * 43, json={"score": 6}), 422)
        assert_problem(client.post("/v1/surveys/" + "a" * 43, json={"score": "5"}), 422)
    assert counts(gw.database_url) == before
