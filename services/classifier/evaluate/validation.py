"""Validation figures of a router's decisions: per language, per queue, out of scope, calibration (pure).

A validation row is right when its decision's queue is the row's queue; an out-of-scope row is
right when it goes to triage (for any reason). Figures are fractions in [0, 1].
"""

from collections.abc import Sequence
from dataclasses import dataclass

from services.classifier import dialect, text
from services.classifier.decision import TRIAGE_QUEUE
from services.classifier.evaluate import scores
from services.classifier.labels import OUT_OF_SCOPE
from services.classifier.train.datasets import Example


@dataclass(frozen=True)
class Routed:
    """One validation row's decision: where it went, the intent, and (learned routers) the confidence
    of the model's top queue before any threshold, with whether that top queue was right."""

    queue: str
    intent: str
    confidence: float | None = None
    top_queue_right: bool | None = None


def gold_queue(example: Example) -> str:
    return TRIAGE_QUEUE if example.queue == OUT_OF_SCOPE else example.queue


def _pairs(rows: Sequence[tuple[Example, Routed]]) -> tuple[list[str], list[str]]:
    return [gold_queue(e) for e, _ in rows], [r.queue for _, r in rows]


def register(example: Example) -> str:
    """The row's language, and for an ArBanking77 row "msa" (no dialect marker word) or "dialect"."""
    if example.language != "ar" or example.source != "arbanking77":
        return example.language
    return "msa" if dialect.detect(text.normalise(example.text)) == "msa" else "dialect"


def figures(rows: Sequence[tuple[Example, Routed]]) -> dict[str, float]:
    """The headline figures, by name (these are stored with a model and shown by GetModelInfo)."""
    in_scope = [(e, r) for e, r in rows if e.queue != OUT_OF_SCOPE]
    result: dict[str, float] = {}
    groups = {
        "en": [(e, r) for e, r in in_scope if e.language == "en"],
        "ar": [(e, r) for e, r in in_scope if e.language == "ar"],
        "banking77": [(e, r) for e, r in in_scope if e.source == "banking77"],
        "clinc150_bank": [(e, r) for e, r in in_scope if e.source == "clinc150"],
        # ArBanking77 mixes Standard and Palestinian rows: split by the dialect marker words.
        "ar_msa": [(e, r) for e, r in in_scope if register(e) == "msa"],
        "ar_dialect": [(e, r) for e, r in in_scope if register(e) == "dialect"],
    }
    for name, group in groups.items():
        gold, predicted = _pairs(group)
        result[f"accuracy_{name}"] = scores.accuracy(gold, predicted)
        result[f"macro_f1_{name}"] = scores.macro_f1(gold, predicted)
        result[f"to_triage_{name}"] = sum(p == TRIAGE_QUEUE for p in predicted) / max(len(predicted), 1)
    banking77 = groups["banking77"]
    result["intent_accuracy_en"] = scores.accuracy(
        [e.intent for e, _ in banking77], [r.intent for _, r in banking77]
    )
    oos = [r.queue for e, r in rows if e.source == "clinc150_oos"]
    other_domains = [r.queue for e, r in rows if e.source == "clinc150" and e.queue == OUT_OF_SCOPE]
    result["oos_recall"] = sum(q == TRIAGE_QUEUE for q in oos) / max(len(oos), 1)
    oos_ar = [r.queue for e, r in rows if e.source == "project_oos_ar"]
    if oos_ar:
        result["oos_recall_ar"] = sum(q == TRIAGE_QUEUE for q in oos_ar) / len(oos_ar)
    result["other_domains_to_triage"] = sum(q == TRIAGE_QUEUE for q in other_domains) / max(
        len(other_domains), 1
    )
    result["in_scope_to_triage"] = sum(r.queue == TRIAGE_QUEUE for _, r in in_scope) / max(len(in_scope), 1)
    calibrated = [(r.confidence, r.top_queue_right) for _, r in rows if r.confidence is not None]
    if calibrated:
        result["ece"] = scores.expected_calibration_error(
            [c for c, _ in calibrated], [bool(right) for _, right in calibrated]
        )
    return result


def per_queue(rows: Sequence[tuple[Example, Routed]]) -> dict[str, dict[str, float]]:
    """For each gold queue (out of scope counted as triage): rows, recall, precision and F1."""
    gold, predicted = _pairs(rows)
    table = {}
    for queue in sorted(set(gold)):
        hits = sum(g == queue and p == queue for g, p in zip(gold, predicted, strict=True))
        n_gold, n_predicted = gold.count(queue), predicted.count(queue)
        recall = hits / n_gold
        precision = hits / n_predicted if n_predicted else 0.0
        f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
        table[queue] = {"rows": float(n_gold), "recall": recall, "precision": precision, "f1": f1}
    return table
