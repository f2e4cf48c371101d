"""An operator's own queues: read from a YAML taxonomy (and an optional CSV of labelled inquiries), checked
for enough examples, cross-validated per queue, with the public data as what is out of scope.

```yaml
queues:
  - name: vat_refunds            # the queue's name, as the queues table keeps it
    description: Refunds of VAT  # for people; not used to train
    languages: [ar, en]
    examples: {ar: [...], en: [...]}
```
"""

import csv
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from services.classifier import features, labels, language
from services.classifier.decision import TRIAGE_QUEUE
from services.classifier.serve.learned_router import DEFAULT_THRESHOLD, route
from services.classifier.serve.linear_model import Prediction
from services.classifier.train import fitting
from services.classifier.train.corrections import QUEUE_NAME
from services.classifier.train.datasets import Example

LANGUAGES = ("ar", "en")
# Fewer examples than this per queue and language and the cross-validated figures mean little (and
# the queue is learned mostly from its name's few words); more is always better.
MIN_EXAMPLES = 20
# Public rows (bank, travel, small talk, ...) taught as out of scope for the operator's queues: more
# teaches "not ours" better and trains slower; seeded, half each language where the data has it.
OUT_OF_SCOPE_ROWS = 600
SEED = 14
FOLDS = 5
# The acceptance split: every 5th example of each queue and language is held back from training
# (`--hold-out`), so a fifth of the examples measure the model that serves.
HOLD_OUT_EVERY = 5
# Out-of-scope floors tried by choose_floor (see learned_router.OUT_OF_SCOPE_FLOOR); 1.0 means that
# only a model whose likeliest class is out of scope sends to triage.
FLOORS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)


class TaxonomyError(ValueError):
    """The taxonomy cannot train a model; the message lists everything missing."""


@dataclass(frozen=True)
class Queue:
    name: str
    description: str
    languages: tuple[str, ...]
    examples: dict[str, list[str]]


def load(path: Path, labelled: Path | None = None) -> tuple[list[Queue], list[Example]]:
    """The queues and their training rows (examples, then the CSV's `text,queue` rows)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TaxonomyError(f"{path}: cannot read the taxonomy: {error}") from None
    problems: list[str] = []
    queues = _queues(document, problems)
    rows = [
        Example(text, queue.name, queue.name, lang, "taxonomy")
        for queue in queues
        for lang in queue.languages
        for text in queue.examples.get(lang, [])
    ]
    if labelled is not None:
        rows += _labelled(labelled, {queue.name for queue in queues}, problems)
    counts = Counter((row.queue, row.language) for row in rows)
    for queue in queues:
        for lang in queue.languages:
            have = counts[(queue.name, lang)]
            if have < MIN_EXAMPLES:
                problems.append(
                    f"queue {queue.name!r}: {have} {lang} examples, at least {MIN_EXAMPLES} needed"
                )
    if len(queues) < 2:
        problems.append(f"{len(queues)} queue(s): at least 2 needed")
    if problems:
        raise TaxonomyError(f"{path}: too thin to learn:\n  " + "\n  ".join(problems))
    return queues, rows


def _queues(document: object, problems: list[str]) -> list[Queue]:
    if not isinstance(document, dict) or not isinstance(document.get("queues"), list):
        problems.append("the file must hold a list under 'queues'")
        return []
    queues, seen = [], set()
    for number, item in enumerate(document["queues"], start=1):
        name = item.get("name") if isinstance(item, dict) else None
        if (
            not isinstance(name, str)
            or not QUEUE_NAME.fullmatch(name)
            or name in ("triage", labels.OUT_OF_SCOPE)
        ):
            problems.append(f"queue {number}: 'name' must be a queue name (a-z, 0-9, _), not {name!r}")
            continue
        if name in seen:
            problems.append(f"queue {name!r} appears twice")
        seen.add(name)
        langs = tuple(item.get("languages") or LANGUAGES)
        if not set(langs) <= set(LANGUAGES):
            problems.append(f"queue {name!r}: languages must be among {LANGUAGES}, not {list(langs)}")
        examples = item.get("examples") or {}
        if not isinstance(examples, dict) or not all(isinstance(v, list) for v in examples.values()):
            problems.append(f"queue {name!r}: 'examples' must map a language to a list of inquiries")
            examples = {}
        clean = {lang: [str(t).strip() for t in texts if str(t).strip()] for lang, texts in examples.items()}
        queues.append(Queue(name, str(item.get("description") or ""), langs, clean))
    return queues


def _labelled(path: Path, names: set[str], problems: list[str]) -> list[Example]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError) as error:
        problems.append(f"{path}: cannot read: {error}")
        return []
    rows = []
    for number, row in enumerate(reader, start=2):
        text, queue = (row.get("text") or "").strip(), (row.get("queue") or "").strip()
        if not text or queue not in names:
            problems.append(f"{path}:{number}: needs 'text' and a 'queue' of the taxonomy, not {queue!r}")
            continue
        detected = language.detect(text)
        rows.append(Example(text, queue, queue, detected if detected in LANGUAGES else "en", "labelled"))
    return rows


def out_of_scope(public: Sequence[Example]) -> list[Example]:
    """A seeded sample of the public rows, all relabelled out of scope."""
    rng = random.Random(SEED)
    chosen = []
    for lang in LANGUAGES:
        rows = [e for e in public if e.language == lang]
        chosen += rng.sample(rows, min(len(rows), OUT_OF_SCOPE_ROWS // 2))
    return [
        Example(e.text, labels.OUT_OF_SCOPE, labels.OUT_OF_SCOPE, e.language, "public_oos") for e in chosen
    ]


@dataclass(frozen=True)
class Scored:
    """One row as a model that did not see it scored it."""

    example: Example
    prediction: Prediction


@dataclass(frozen=True)
class CrossValidation:
    # Per queue: (rows, share routed to it) over the folds; and (gold, routed) -> count of mistakes.
    per_queue: dict[str, tuple[int, float]]
    per_language: dict[str, float]
    confusions: dict[tuple[str, str], int]
    accuracy: float
    to_triage: float
    # Share of the held-out public rows sent to triage.
    out_of_scope_recall: float
    # The out-of-scope floor the figures were routed with (fitted by choose_floor).
    floor: float


def held_back(rows: Sequence[Example], every: int = HOLD_OUT_EVERY) -> list[bool]:
    """Every `every`-th example of each queue and language, in file order (the 5th, 10th, ...)."""
    seen: Counter[tuple[str, str]] = Counter()
    held = []
    for row in rows:
        seen[(row.queue, row.language)] += 1
        held.append(seen[(row.queue, row.language)] % every == 0)
    return held


def _folds(rows: Sequence[Example], folds: int) -> list[int]:
    """A seeded fold per row, stratified by queue and language."""
    fold_of = [0] * len(rows)
    by_key: dict[tuple[str, str], list[int]] = {}
    for number, row in enumerate(rows):
        by_key.setdefault((row.queue, row.language), []).append(number)
    rng = random.Random(SEED)
    for key in sorted(by_key):
        numbers = by_key[key]
        rng.shuffle(numbers)
        for position, number in enumerate(numbers):
            fold_of[number] = position % folds
    return fold_of


def cross_validated(rows: Sequence[Example], oos: Sequence[Example], folds: int = FOLDS) -> list[Scored]:
    """Each row, the operator's and the public out-of-scope ones, scored by a model trained without its
    fold."""
    everything = [*rows, *oos]
    fold_of = _folds(everything, folds)
    scored: dict[int, Scored] = {}
    for fold in range(folds):
        model = fitting.fit([r for n, r in enumerate(everything) if fold_of[n] != fold], threads=2)
        for number, row in enumerate(everything):
            if fold_of[number] == fold:
                scored[number] = Scored(row, model.predict(features.prepare(row.text)))
    return [scored[number] for number in range(len(everything))]


def _routed(scored: Sequence[Scored], threshold: float, floor: float) -> list[str]:
    return [route(s.prediction, threshold, floor)[0] for s in scored]


def choose_floor(scored: Sequence[Scored], threshold: float = DEFAULT_THRESHOLD) -> float:
    """The out-of-scope floor with the best mean of in-scope accuracy and out-of-scope recall (the
    lower floor on a tie): a model trained on a few dozen examples a queue is unsure of every queue, so
    the bank model's floor would send a seventh of the operator's inquiries to triage."""
    inside = [s for s in scored if s.example.queue != labels.OUT_OF_SCOPE]
    outside = [s for s in scored if s.example.queue == labels.OUT_OF_SCOPE]
    best: tuple[float, float] | None = None
    for floor in FLOORS:
        accuracy = sum(
            q == s.example.queue for q, s in zip(_routed(inside, threshold, floor), inside, strict=True)
        ) / max(len(inside), 1)
        recall = _routed(outside, threshold, floor).count(TRIAGE_QUEUE) / len(outside) if outside else 1.0
        score = (accuracy + recall) / 2
        if best is None or score > best[0] + 1e-9:
            best = (score, floor)
    assert best is not None
    return best[1]


def summarise(scored: Sequence[Scored], threshold: float, floor: float) -> CrossValidation:
    """Figures of the operator's rows routed at `threshold` and `floor` (out of scope counts as triage)."""
    inside = [s.example for s in scored if s.example.queue != labels.OUT_OF_SCOPE]
    routed = _routed([s for s in scored if s.example.queue != labels.OUT_OF_SCOPE], threshold, floor)
    outside = [s for s in scored if s.example.queue == labels.OUT_OF_SCOPE]
    right = Counter(r.queue for r, q in zip(inside, routed, strict=True) if q == r.queue)
    total = Counter(r.queue for r in inside)
    lang_right = Counter(r.language for r, q in zip(inside, routed, strict=True) if q == r.queue)
    lang_total = Counter(r.language for r in inside)
    confusions = Counter((r.queue, q) for r, q in zip(inside, routed, strict=True) if q != r.queue)
    return CrossValidation(
        per_queue={q: (total[q], right[q] / total[q]) for q in sorted(total)},
        per_language={lang: lang_right[lang] / lang_total[lang] for lang in sorted(lang_total)},
        confusions=dict(confusions.most_common()),
        accuracy=sum(right.values()) / len(inside),
        to_triage=routed.count(TRIAGE_QUEUE) / len(inside),
        out_of_scope_recall=(
            _routed(outside, threshold, floor).count(TRIAGE_QUEUE) / len(outside) if outside else float("nan")
        ),
        floor=floor,
    )
