from datetime import UTC, datetime, timedelta

import pytest

from services.shared.domain import Priority
from services.shared.sla import DEFAULT_WAIT_DEADLINE_S, EscalationPolicy, escalated_priority

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_parse_overrides_some_channels_and_keeps_the_rest() -> None:
    policy = EscalationPolicy.parse("phone=30, chat=90")
    assert policy.wait_deadline_s == {**DEFAULT_WAIT_DEADLINE_S, "phone": 30, "chat": 90}


@pytest.mark.parametrize("spec", ["fax=30", "phone=0", "phone=abc", "phone"])
def test_parse_refuses_nonsense(spec: str) -> None:
    with pytest.raises(ValueError, match="ESCALATE_AFTER_S"):
        EscalationPolicy.parse(spec)


def test_levels_come_at_multiples_of_the_deadline_and_stop_after_the_last() -> None:
    policy = EscalationPolicy.parse("phone=60")
    assert policy.due_at("phone", T0, 1) == T0 + timedelta(seconds=60)
    assert policy.due_at("phone", T0, 2) == T0 + timedelta(seconds=120)
    assert policy.due_at("phone", T0, 3) is None


def test_escalation_raises_priority() -> None:
    assert escalated_priority(Priority.NORMAL, 1) == Priority.HIGH
    assert escalated_priority(Priority.URGENT, 1) == Priority.URGENT
    assert escalated_priority(Priority.LOW, 2) == Priority.URGENT
