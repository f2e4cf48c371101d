"""Eligibility and ranking of agents for a ticket (pure)."""

from datetime import UTC, datetime, timedelta

from services.shared.routing import ranking
from services.shared.routing.eligibility import AgentView, TicketView, verdict
from services.shared.routing.policy import QueuePolicy, Rule, Step, rule_after

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def agent(agent_id: int, **kw: object) -> AgentView:
    base: dict[str, object] = {
        "id": agent_id,
        "name": f"a{agent_id}",
        "presence": "available",
        "presence_since": T0,
        "queues": frozenset({"cards"}),
        "skills": {},
        "languages": frozenset(),
        "load": {},
        "capacity": {"phone": 1, "chat": 3, "email": 5},
        "last_assigned_at": T0,
    }
    base.update(kw)
    return AgentView(**base)  # type: ignore[arg-type]


TICKET = TicketView(1, "cards", "phone", "ar", 2, T0)
RULE = Rule(("cards",), {"cards": 3}, "match", 0)


def test_every_reason_an_agent_is_not_eligible_is_given() -> None:
    busy = agent(1, presence="away", skills={"cards": 2}, languages=frozenset({"en"}), load={"phone": 1})
    result = verdict(TICKET, busy, RULE)
    assert not result.eligible
    assert result.reasons == (
        "skill cards 2 < 3",
        "does not speak ar",
        "presence is away",
        "phone load 1 of 1",
    )
    other_queue = verdict(TICKET, agent(2, queues=frozenset({"general"}), skills={"cards": 5}), RULE)
    assert other_queue.reasons == ("serves none of cards",)


def test_an_eligible_agent_is_explained_too() -> None:
    result = verdict(TICKET, agent(3, skills={"cards": 4}, languages=frozenset({"ar", "en"})), RULE)
    assert result.eligible
    assert result.reasons == ("serves cards", "skill cards 4 >= 3", "phone room 1")


def test_a_reserved_ticket_is_only_for_its_agent() -> None:
    reserved = TicketView(1, "cards", "email", "en", 2, T0, reserved_agent_id=9)
    assert verdict(reserved, agent(9), Rule(("cards",), {}, "match", 0)).eligible
    assert verdict(reserved, agent(8), Rule(("cards",), {}, "match", 0)).reasons == ("reserved for agent 9",)


def test_a_wait_widens_to_another_queue() -> None:
    policy = QueuePolicy("cards", steps=(Step(120, also_queues=("general",)),))
    general = agent(4, queues=frozenset({"general"}))
    assert not verdict(TICKET, general, rule_after(policy, 60)).eligible
    widened = verdict(TICKET, general, rule_after(policy, 130))
    assert widened.eligible and "widened by step 1" in widened.reasons


def test_agents_rank_by_proficiency_then_longest_idle() -> None:
    rule = Rule(("cards",), {"cards": 1}, "any", 0)
    fresh_expert = agent(1, skills={"cards": 5}, last_assigned_at=T0)
    idle_expert = agent(2, skills={"cards": 5}, last_assigned_at=T0 - timedelta(hours=1))
    novice = agent(3, skills={"cards": 1}, last_assigned_at=T0 - timedelta(days=1))
    assert [a.id for a in ranking.best([novice, fresh_expert, idle_expert], rule)] == [2, 1, 3]


def test_tickets_rank_by_priority_with_the_queue_bonus_then_age() -> None:
    old = TicketView(1, "general", "email", "en", 2, T0)
    young_urgent = TicketView(2, "general", "email", "en", 4, T0 + timedelta(minutes=5))
    boosted = TicketView(3, "disputes_fraud", "email", "en", 3, T0 + timedelta(minutes=9))
    order = sorted([old, young_urgent, boosted], key=lambda t: ranking.ticket_order(t, {"disputes_fraud": 1}))
    assert [t.id for t in order] == [2, 3, 1]  # 3 + 1 ties with 4; the older of the two goes first


def test_an_agent_in_wrap_up_is_not_eligible_until_it_ends() -> None:
    wrapping = agent(4, skills={"cards": 3}, wrap_up_until=T0 + timedelta(seconds=60))
    held = verdict(TICKET, wrapping, RULE, T0 + timedelta(seconds=10))
    assert not held.eligible and held.reasons == ("in wrap-up until 2026-03-01T09:01:00+00:00",)
    assert verdict(TICKET, wrapping, RULE, T0 + timedelta(seconds=60)).eligible
    assert wrapping.in_wrap_up(T0) and not agent(5).in_wrap_up(T0)
