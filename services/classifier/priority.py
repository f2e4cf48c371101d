"""Priority rules: wording that makes an inquiry more urgent, and customer tiers served sooner (pure)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from services.classifier.terms import IndexedText, Term, TermIndex
from services.shared.domain import Priority

DEFAULT_REASON = "default"


@dataclass(frozen=True)
class PriorityRule:
    """Any matching term, or a decision for one of `intents`, sets at least `priority`."""

    name: str
    priority: Priority
    reason: str
    terms: tuple[Term, ...]
    # The learned router's intents that mean the same as the terms (dialect wording the terms miss).
    intents: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TierRule:
    """Customers of these tiers (compared case-insensitively) go `raise_by` steps higher."""

    tiers: frozenset[str]
    raise_by: int
    reason: str


@dataclass(frozen=True)
class PriorityPolicy:
    default: Priority
    rules: Sequence[PriorityRule]
    tier_rules: Sequence[TierRule]
    _index: TermIndex = field(init=False, repr=False, compare=False)
    _owners: tuple[PriorityRule, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", TermIndex([term for rule in self.rules for term in rule.terms]))
        object.__setattr__(self, "_owners", tuple(rule for rule in self.rules for _ in rule.terms))

    def assess(self, text: IndexedText, customer_tier: str, intent: str = "") -> tuple[Priority, str]:
        """The priority and why: the most urgent matching rule (the first on a tie), then the tier."""
        priority, reasons = self.default, []
        matched = [self._owners[number] for number in self._index.found(text)]
        if intent:
            matched += [rule for rule in self.rules if intent in rule.intents]
        for rule in sorted(matched, key=self.rules.index):  # in rule order
            if rule.priority > priority:
                priority, reasons = rule.priority, [rule.reason]
        tier = customer_tier.strip().casefold()
        for tier_rule in self.tier_rules:
            if tier in tier_rule.tiers and priority < Priority.URGENT:
                priority = Priority(min(priority + tier_rule.raise_by, Priority.URGENT))
                reasons.append(tier_rule.reason)
                break
        return priority, "; ".join(reasons) or DEFAULT_REASON
