"""Routing policy files: parsing, validation, and the rule in force after a wait."""

import pytest

from services.shared.routing.policy import (
    DEFAULT_PATH,
    PolicyError,
    QueuePolicy,
    Step,
    load,
    parse,
    rule_after,
)


def test_the_shipped_file_loads() -> None:
    policies = load(DEFAULT_PATH)
    assert policies.offer_timeout_s == 30
    assert policies.for_queue("disputes_fraud").skills == {"fraud": 3}
    # A queue with no entry routes to its own agents with no skills asked.
    assert policies.for_queue("general") == QueuePolicy("general")


def test_steps_accumulate_in_order_of_wait() -> None:
    policy = QueuePolicy(
        "disputes_fraud",
        skills={"fraud": 3, "arabic_script": 2},
        steps=(
            Step(60, skills={"fraud": 1}),
            Step(120, drop_skills=("arabic_script",), also_queues=("cards",), languages="any"),
        ),
    )
    assert rule_after(policy, 0).skills == {"fraud": 3, "arabic_script": 2}
    one = rule_after(policy, 61)
    assert (one.skills, one.queues, one.step) == ({"fraud": 1, "arabic_script": 2}, ("disputes_fraud",), 1)
    two = rule_after(policy, 500)
    assert (two.skills, two.queues, two.languages, two.step) == (
        {"fraud": 1},
        ("disputes_fraud", "cards"),
        "any",
        2,
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"queues": {"cards": {"skills": {"cards": 6}}}}, "proficiency must be 1-5"),
        ({"queues": {"cards": {"steps": [{"after_s": 60}, {"after_s": 30}]}}}, "in order of after_s"),
        (
            {"queues": {"cards": {"overflow": {"after_s": 60, "queue": "cards"}}}},
            "cannot be the queue itself",
        ),
        ({"queues": {"cards": {"languages": "some"}}}, "'match' or 'any'"),
        ({"queues": {"cards": {"skils": {}}}}, "unknown key(s) skils"),
        ({"offer_timeout_s": 0}, "above 0"),
        ({"queues": {"Cards": {}}}, "lowercase name"),
        ([], "must be a mapping"),
    ],
)
def test_bad_policies_are_refused_with_where(document: object, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(document)
