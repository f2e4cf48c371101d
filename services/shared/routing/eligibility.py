"""Which agents may take a ticket now, and why (pure: the router and the dry-run endpoint share it)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from services.shared.routing.policy import QueuePolicy, Rule, rule_after


@dataclass(frozen=True)
class AgentView:
    """An agent as routing sees them; the store decodes its rows into this (store/agents.py)."""

    id: int
    name: str
    presence: str
    presence_since: datetime
    queues: frozenset[str]
    skills: Mapping[str, int]
    # Empty: no languages recorded, taken to speak any (a deployment that never sets them still routes).
    languages: frozenset[str]
    # Per channel: tickets held plus offers pending, and how many the agent may carry.
    load: Mapping[str, int]
    capacity: Mapping[str, int]
    last_assigned_at: datetime
    # After-contact work: offered nothing until this moment (or until they end it). None: not in it.
    wrap_up_until: datetime | None = None

    def in_wrap_up(self, now: datetime) -> bool:
        return self.wrap_up_until is not None and self.wrap_up_until > now

    def room(self, channel: str) -> int:
        return self.capacity.get(channel, 0) - self.load.get(channel, 0)


@dataclass(frozen=True)
class TicketView:
    """A waiting ticket as routing sees it; the store decodes its rows into this (store/tickets)."""

    id: int
    queue: str
    channel: str
    language: str
    priority: int
    queued_at: datetime
    reserved_agent_id: int | None = None


@dataclass(frozen=True)
class Verdict:
    agent_id: int
    eligible: bool
    # Why not (empty when eligible), or, when eligible, what made them so.
    reasons: tuple[str, ...]


def waited_s(ticket: TicketView, now: datetime) -> float:
    return max(0.0, (now - ticket.queued_at).total_seconds())


def rule_for(ticket: TicketView, policy: QueuePolicy, now: datetime) -> Rule:
    return rule_after(policy, waited_s(ticket, now))


def qualifies(ticket: TicketView, agent: AgentView, rule: Rule) -> list[str]:
    """What keeps the agent from the ticket under `rule`, ignoring presence and load (empty: none)."""
    missing = []
    if ticket.reserved_agent_id is not None and ticket.reserved_agent_id != agent.id:
        missing.append(f"reserved for agent {ticket.reserved_agent_id}")
    if not agent.queues.intersection(rule.queues):
        missing.append(f"serves none of {', '.join(rule.queues)}")
    for skill, level in sorted(rule.skills.items()):
        have = agent.skills.get(skill, 0)
        if have < level:
            missing.append(f"skill {skill} {have} < {level}")
    if (
        rule.languages == "match"
        and agent.languages
        and ticket.language not in ("", "und")
        and ticket.language not in agent.languages
    ):
        missing.append(f"does not speak {ticket.language}")
    return missing


def verdict(ticket: TicketView, agent: AgentView, rule: Rule, now: datetime | None = None) -> Verdict:
    """Whether the agent may be offered the ticket now, with the reasons either way."""
    problems = qualifies(ticket, agent, rule)
    if agent.presence != "available":
        problems.append(f"presence is {agent.presence}")
    if now is not None and agent.in_wrap_up(now):
        assert agent.wrap_up_until is not None
        problems.append(f"in wrap-up until {agent.wrap_up_until.isoformat()}")
    room = agent.room(ticket.channel)
    if room <= 0:
        problems.append(
            f"{ticket.channel} load {agent.load.get(ticket.channel, 0)} of "
            f"{agent.capacity.get(ticket.channel, 0)}"
        )
    if problems:
        return Verdict(agent.id, False, tuple(problems))
    because = [f"serves {', '.join(sorted(agent.queues.intersection(rule.queues)))}"]
    because += [f"skill {s} {agent.skills.get(s, 0)} >= {lv}" for s, lv in sorted(rule.skills.items())]
    because.append(f"{ticket.channel} room {room}")
    if rule.step:
        because.append(f"widened by step {rule.step}")
    return Verdict(agent.id, True, tuple(because))
