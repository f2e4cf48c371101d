"""Routing policies per queue, read from the YAML file the deployment edits (pure: parsing only)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from services.shared.settings import Env, SettingsError

DEFAULT_PATH = Path(__file__).with_name("routing_policies.yaml")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class PolicyError(ValueError):
    """The policy file is malformed; the message says where."""


@dataclass(frozen=True)
class Step:
    """What changes once a ticket has waited `after_s` seconds. Later steps build on earlier ones."""

    after_s: float
    # Replaces the minimum proficiency of these skills (a lower number relaxes, a new skill adds one).
    skills: Mapping[str, int] = field(default_factory=dict)
    # Skills no longer required.
    drop_skills: tuple[str, ...] = ()
    # Agents of these queues become eligible as well.
    also_queues: tuple[str, ...] = ()
    # "match" (speaks the ticket's language) or "any"; None keeps the earlier rule.
    languages: str | None = None


@dataclass(frozen=True)
class Overflow:
    after_s: float
    queue: str


@dataclass(frozen=True)
class QueuePolicy:
    queue: str
    # Minimum proficiency (1-5) per skill an agent needs.
    skills: Mapping[str, int] = field(default_factory=dict)
    # "match": the agent speaks the ticket's language (when it is known); "any": language is not asked.
    languages: str = "match"
    # Added to a ticket's priority when the router orders waiting tickets of different queues.
    priority: int = 0
    steps: tuple[Step, ...] = ()
    overflow: Overflow | None = None


@dataclass(frozen=True)
class Rule:
    """The rule in force for a ticket after some wait: the policy with its steps so far applied."""

    queues: tuple[str, ...]
    skills: Mapping[str, int]
    languages: str
    step: int


@dataclass(frozen=True)
class Policies:
    offer_timeout_s: float
    by_queue: Mapping[str, QueuePolicy]

    def for_queue(self, queue: str) -> QueuePolicy:
        # A queue with no policy routes to its own agents, any skills, matching language.
        return self.by_queue.get(queue) or QueuePolicy(queue)


def rule_after(policy: QueuePolicy, waited_s: float) -> Rule:
    """The eligibility rule for a ticket of `policy`'s queue that has waited `waited_s` seconds."""
    queues = [policy.queue]
    skills = dict(policy.skills)
    languages = policy.languages
    applied = 0
    for number, step in enumerate(policy.steps, start=1):
        if waited_s < step.after_s:
            break
        applied = number
        for name in step.drop_skills:
            skills.pop(name, None)
        skills.update(step.skills)
        queues.extend(q for q in step.also_queues if q not in queues)
        languages = step.languages or languages
    return Rule(tuple(queues), skills, languages, applied)


def _positive(value: Any, where: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise PolicyError(f"{where} must be a number of seconds >= 0, not {value!r}")
    return float(value)


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not NAME.match(value):
        raise PolicyError(f"{where} must be a lowercase name, not {value!r}")
    return value


def _skills(value: Any, where: str) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PolicyError(f"{where} must map skill names to proficiency 1-5")
    out = {}
    for skill, level in value.items():
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
            raise PolicyError(f"{where}.{skill}: proficiency must be 1-5, not {level!r}")
        out[_name(skill, f"{where} skill")] = level
    return out


def _languages(value: Any, where: str) -> str:
    if value not in ("match", "any"):
        raise PolicyError(f"{where} must be 'match' or 'any', not {value!r}")
    return str(value)


def _allowed(entry: dict[str, Any], keys: set[str], where: str) -> None:
    unknown = set(entry) - keys
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")


def _step(raw: Any, where: str) -> Step:
    if not isinstance(raw, dict):
        raise PolicyError(f"{where} must be a mapping")
    _allowed(raw, {"after_s", "skills", "drop_skills", "also_queues", "languages"}, where)
    return Step(
        after_s=_positive(raw.get("after_s"), f"{where}.after_s"),
        skills=_skills(raw.get("skills"), f"{where}.skills"),
        drop_skills=tuple(_name(s, f"{where}.drop_skills") for s in raw.get("drop_skills") or ()),
        also_queues=tuple(_name(q, f"{where}.also_queues") for q in raw.get("also_queues") or ()),
        languages=_languages(raw["languages"], f"{where}.languages") if "languages" in raw else None,
    )


def _queue(name: str, raw: Any) -> QueuePolicy:
    where = f"queues.{name}"
    if not isinstance(raw, dict):
        raise PolicyError(f"{where} must be a mapping")
    _allowed(raw, {"skills", "languages", "priority", "steps", "overflow"}, where)
    steps = tuple(_step(s, f"{where}.steps[{i}]") for i, s in enumerate(raw.get("steps") or ()))
    if [s.after_s for s in steps] != sorted(s.after_s for s in steps):
        raise PolicyError(f"{where}.steps must be in order of after_s")
    overflow = None
    if raw.get("overflow") is not None:
        o = raw["overflow"]
        if not isinstance(o, dict):
            raise PolicyError(f"{where}.overflow must be a mapping")
        _allowed(o, {"after_s", "queue"}, f"{where}.overflow")
        overflow = Overflow(
            _positive(o.get("after_s"), f"{where}.overflow.after_s"),
            _name(o.get("queue"), f"{where}.overflow.queue"),
        )
        if overflow.queue == name:
            raise PolicyError(f"{where}.overflow.queue cannot be the queue itself")
    priority = raw.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool) or not -3 <= priority <= 3:
        raise PolicyError(f"{where}.priority must be a whole number from -3 to 3, not {priority!r}")
    return QueuePolicy(
        queue=_name(name, "queue name"),
        skills=_skills(raw.get("skills"), f"{where}.skills"),
        languages=_languages(raw.get("languages", "match"), f"{where}.languages"),
        priority=priority,
        steps=steps,
        overflow=overflow,
    )


def parse(document: Any) -> Policies:
    if not isinstance(document, dict):
        raise PolicyError("the routing policy file must be a mapping")
    _allowed(document, {"offer_timeout_s", "queues"}, "top level")
    timeout = _positive(document.get("offer_timeout_s", 30), "offer_timeout_s")
    if timeout <= 0:
        raise PolicyError("offer_timeout_s must be above 0")
    queues = document.get("queues") or {}
    if not isinstance(queues, dict):
        raise PolicyError("queues must map queue names to policies")
    return Policies(timeout, {name: _queue(name, raw) for name, raw in queues.items()})


def load(path: Path = DEFAULT_PATH) -> Policies:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"cannot read routing policies from {path}: {exc}") from None
    return parse(document)


def from_env(env: Env) -> Policies:
    """ROUTING_POLICIES: the YAML file of routing policies per queue (default: the shipped one)."""
    path = Path(env.str("ROUTING_POLICIES", str(DEFAULT_PATH)))
    try:
        return load(path)
    except PolicyError as exc:
        raise SettingsError(f"ROUTING_POLICIES: {exc}") from None
