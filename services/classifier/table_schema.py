"""Reads the keyword routing table's YAML structure into rules, naming the exact place of any mistake."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.classifier.decision import TRIAGE_QUEUE
from services.classifier.language import detect
from services.classifier.priority import PriorityPolicy, PriorityRule, TierRule
from services.classifier.terms import Term, parse_term
from services.shared.domain import Priority

LANGUAGES = ("en", "ar")


class RoutingTableError(ValueError):
    """The routing table cannot be used; the message names the file and the place in it."""


@dataclass(frozen=True)
class Rule:
    queue: str
    intent: str
    terms: tuple[Term, ...]
    # Words that place the queue but not the intent ("card"): the rule names the intent only when
    # no other rule of its queue matched.
    generic: bool = False


@dataclass(frozen=True)
class TableSpec:
    name: str
    version: str
    min_score: float
    confidence_smoothing: float
    rules: tuple[Rule, ...]
    priority: PriorityPolicy


def _fail(where: str, problem: str) -> RoutingTableError:
    return RoutingTableError(f"{where}: {problem}")


_KINDS: dict[Any, str] = {str: "text", int: "a whole number", (int, float): "a number", list: "a list"}


def _join(where: str, key: str) -> str:
    return key if where == "top level" else f"{where}.{key}"


def _get(raw: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in raw:
        raise _fail(where, f"{key!r} is missing")
    value = raw[key]
    # bool is an int in Python; a YAML `yes` where a number belongs is a mistake.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        expected = _KINDS.get(kind, str(kind))
        raise _fail(_join(where, key), f"must be {expected}, not {value!r}")
    return value


def _number(raw: Mapping[str, Any], key: str, where: str, *, minimum: float) -> float:
    value = float(_get(raw, key, (int, float), where))
    if value < minimum:
        raise _fail(_join(where, key), f"must be at least {minimum}, not {value}")
    return value


def _priority(value: Any, where: str) -> Priority:
    names = [p.name.lower() for p in Priority]
    if not isinstance(value, str) or value.lower() not in names:
        raise _fail(where, f"must be one of {', '.join(names)}, not {value!r}")
    return Priority[value.upper()]


def _terms(raw: Mapping[str, Any], where: str) -> tuple[Term, ...]:
    """The `en` and `ar` lists; each entry is a term, or a one-entry mapping {term: weight}."""
    unknown = set(raw) - {"intent", "generic", "name", "priority", "reason", "intents", *LANGUAGES}
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    terms = []
    for language in LANGUAGES:
        entries = raw.get(language) or []
        if not isinstance(entries, list):
            raise _fail(f"{where}.{language}", "must be a list of terms")
        for index, entry in enumerate(entries):
            place = f"{where}.{language}[{index}]"
            source, weight = entry, 1.0
            if isinstance(entry, Mapping) and len(entry) == 1:
                ((source, weight),) = entry.items()
            if not isinstance(source, str) or isinstance(weight, bool) or not isinstance(weight, int | float):
                raise _fail(place, f"must be a term or {{term: weight}}, not {entry!r}")
            try:
                term = parse_term(source, float(weight))
            except ValueError as error:
                raise _fail(place, str(error)) from None
            script = detect(source)
            if script in LANGUAGES and script != language:
                raise _fail(place, f"{source!r} is written in the {script!r} script, not {language!r}")
            terms.append(term)
    if not terms:
        raise _fail(where, "has no terms: give at least one under 'en' or 'ar'")
    return tuple(terms)


def _rules(raw: Any, where: str) -> tuple[Rule, ...]:
    if not isinstance(raw, Mapping) or not raw:
        raise _fail(where, "must map each queue name to a list of rules")
    rules = []
    for queue, queue_rules in raw.items():
        place = f"{where}.{queue}"
        if not isinstance(queue, str) or not queue or queue == TRIAGE_QUEUE:
            raise _fail(place, f"queue name must be a non-empty string other than {TRIAGE_QUEUE!r}")
        if not isinstance(queue_rules, list) or not queue_rules:
            raise _fail(place, "must be a non-empty list of rules")
        # A queue counts each term once, so a second spelling of the same term ("top-up" after
        # "top up") would silently do nothing: refuse it.
        seen: dict[tuple[Any, ...], str] = {}
        for index, rule in enumerate(queue_rules):
            rule_place = f"{place}[{index}]"
            if not isinstance(rule, Mapping):
                raise _fail(rule_place, "must be a mapping with 'intent' and 'en'/'ar' terms")
            intent = _get(rule, "intent", str, rule_place)
            terms = _terms(rule, f"{rule_place} ({intent})")
            for term in terms:
                key = tuple(sorted(term.phrases, key=repr))  # "a + b" is "b + a"
                if key in seen:
                    raise _fail(rule_place, f"{term.source!r} repeats {seen[key]!r} of queue {queue}")
                seen[key] = term.source
            generic = rule.get("generic", False)
            if not isinstance(generic, bool):
                raise _fail(f"{rule_place}.generic", f"must be true or false, not {generic!r}")
            rules.append(Rule(queue, intent, terms, generic))
    return tuple(rules)


def _priority_policy(raw: Mapping[str, Any]) -> PriorityPolicy:
    default = _priority(raw.get("default_priority", "normal"), "default_priority")
    rules = []
    for index, rule in enumerate(raw.get("priority_rules") or []):
        place = f"priority_rules[{index}]"
        if not isinstance(rule, Mapping):
            raise _fail(place, "must be a mapping with 'name', 'priority', 'reason' and terms")
        priority = _priority(rule.get("priority"), f"{place}.priority")
        if priority <= default:
            raise _fail(
                f"{place}.priority", f"rules only raise priority: must be above {default.name.lower()}"
            )
        name = _get(rule, "name", str, place)
        intents = rule.get("intents") or []
        if not isinstance(intents, list) or not all(isinstance(i, str) and i.strip() for i in intents):
            raise _fail(f"{place}.intents", f"must be a list of intent names, not {intents!r}")
        reason, terms = _get(rule, "reason", str, place), _terms(rule, place)
        rules.append(PriorityRule(name, priority, reason, terms, frozenset(i.strip() for i in intents)))
    tier_rules = []
    for index, rule in enumerate(raw.get("tier_rules") or []):
        place = f"tier_rules[{index}]"
        if not isinstance(rule, Mapping):
            raise _fail(place, "must be a mapping with 'tiers', 'raise_by' and 'reason'")
        tiers = _get(rule, "tiers", list, place)
        if not tiers or not all(isinstance(tier, str) and tier.strip() for tier in tiers):
            raise _fail(f"{place}.tiers", "must be a non-empty list of tier names")
        raise_by = _get(rule, "raise_by", int, place)
        if raise_by < 1:
            raise _fail(f"{place}.raise_by", f"must be at least 1, not {raise_by}")
        tier_names = frozenset(tier.strip().casefold() for tier in tiers)
        tier_rules.append(TierRule(tier_names, raise_by, _get(rule, "reason", str, place)))
    return PriorityPolicy(default, tuple(rules), tuple(tier_rules))


def _spec(raw: Any) -> TableSpec:
    if not isinstance(raw, Mapping):
        raise _fail("top level", "must be a YAML mapping")
    version = _get(raw, "version", str, "top level")
    if not version.strip():
        raise _fail("version", "must not be empty")
    return TableSpec(
        name=_get(raw, "name", str, "top level"),
        version=version,
        min_score=_number(raw, "min_score", "top level", minimum=0),
        confidence_smoothing=_number(raw, "confidence_smoothing", "top level", minimum=0),
        rules=_rules(raw.get("queues"), "queues"),
        priority=_priority_policy(raw),
    )


def parse(raw: Any, source: str) -> TableSpec:
    """`source` (the file) starts every error message, followed by the place in the file."""
    try:
        return _spec(raw)
    except RoutingTableError as error:
        raise RoutingTableError(f"{source}: {error}") from None
