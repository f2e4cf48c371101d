"""The keyword routing table: loads the YAML rules and decides an inquiry's queue from matched terms (pure).

Scoring: a queue's score is the sum of the weights of its distinct terms found in the subject and
text; the queue with the highest score wins (the first in the file on a tie) and the rule of that
queue with the highest score names the intent, a specific rule before a `generic` one. Below
`min_score` the inquiry goes to triage.

Confidence is `(best - runner_up) / (best + confidence_smoothing)`: 0 on a tie, near 1 only when
one queue has many hits and the others none. It is a margin, not a calibrated probability: do not
read 0.8 as "right 80% of the time". The learned model (docs/classifier.md) is.
"""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from services.classifier import language, table_schema
from services.classifier.decision import MATCHED, NO_MATCH, TRIAGE_QUEUE, Decision, ModelInfo
from services.classifier.table_schema import RoutingTableError, TableSpec
from services.classifier.terms import IndexedText, TermIndex
from services.classifier.text import tokens

DEFAULT_TABLE = Path(__file__).with_name("routing_table.yaml")
# Only the opening of a long message is read: it says what the message is about, and matching
# time grows with length (a 1 MiB e-mail would take ~100 ms instead of well under 1 ms).
MAX_CHARS = 5000
KIND = "keyword_table"
# Language hints the table can act on; anything else is ignored.
HINTS = ("ar", "en")

__all__ = ["DEFAULT_TABLE", "KeywordTable", "RoutingTableError", "load", "parse"]


@dataclass(frozen=True)
class _Score:
    total: float
    terms: dict[str, float]


class KeywordTable:
    """Immutable after construction; safe to share between concurrent calls."""

    def __init__(self, spec: TableSpec):
        self.spec = spec
        self._owners = [rule for rule in spec.rules for _ in rule.terms]
        self._index = TermIndex([term for rule in spec.rules for term in rule.terms])

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(version=self.spec.version, kind=KIND)

    def decide(
        self, text: str, subject: str, channel: str | None, language_hint: str, customer_tier: str
    ) -> Decision:
        """`channel` is part of the shared router signature; keyword rules do not depend on it."""
        content = f"{subject}\n{text}"[:MAX_CHARS]
        indexed = IndexedText(tokens(content))
        detected = language.detect(content)
        hint = language_hint.strip().lower()
        if detected == "und" and hint in HINTS:
            detected = hint
        priority, priority_reason = self.spec.priority.assess(indexed, customer_tier)
        queues, intents = self._score(indexed)
        ranked = sorted(queues.items(), key=lambda item: -item[1].total)  # stable: file order on ties
        best_queue, best = ranked[0] if ranked else (TRIAGE_QUEUE, _Score(0.0, {}))
        runner_up = ranked[1][1].total if len(ranked) > 1 else 0.0
        explanation = tuple(sorted(best.terms, key=lambda term: -best.terms[term]))
        matched = best.total >= self.spec.min_score and best.total > 0
        confidence = (
            (best.total - runner_up) / (best.total + self.spec.confidence_smoothing) if matched else 0.0
        )
        return Decision(
            queue=best_queue if matched else TRIAGE_QUEUE,
            intent=max(intents[best_queue].items(), key=lambda item: item[1])[0] if matched else "",
            language=detected,
            priority=priority,
            priority_reason=priority_reason,
            confidence=round(confidence, 4),
            model_version=self.spec.version,
            explanation=explanation,
            faq_answer="",
            reason=MATCHED if matched else NO_MATCH,
        )

    def _score(
        self, indexed: IndexedText
    ) -> tuple[dict[str, _Score], dict[str, dict[str, tuple[bool, float]]]]:
        """Per queue: its score and terms; and per intent: (named by a specific rule, score)."""
        queue_terms: dict[str, dict[str, float]] = defaultdict(dict)
        intents: dict[str, dict[str, tuple[bool, float]]] = defaultdict(dict)
        for number in self._index.found(indexed):  # in file order, so ties go to the earlier queue
            rule, term = self._owners[number], self._index.terms[number]
            queue_terms[rule.queue][term.source] = term.weight
            specific, score = intents[rule.queue].get(rule.intent, (False, 0.0))
            intents[rule.queue][rule.intent] = (specific or not rule.generic, score + term.weight)
        queues = {queue: _Score(sum(terms.values()), terms) for queue, terms in queue_terms.items()}
        return queues, intents


def parse(raw: object, source: str = "<routing table>") -> KeywordTable:
    return KeywordTable(table_schema.parse(raw, source))


def load(path: str | Path = DEFAULT_TABLE) -> KeywordTable:
    """Reads and checks the table; raises RoutingTableError naming the file and the problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise RoutingTableError(f"{path}: cannot read the routing table: {error.strerror}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RoutingTableError(f"{path}: not valid YAML: {error}") from None
    return parse(raw, str(path))
