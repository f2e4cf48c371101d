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
from services.classifier.serve.learned_router import DEFAULT_THRESHOLD, route
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
class CrossValidation:
    # Per queue: (rows, share routed to it) over the folds; and (gold, routed) -> count of mistakes.
    per_queue: dict[str, tuple[int, float]]
    per_language: dict[str, float]
    confusions: dict[tuple[str, str], int]
    accuracy: float
    to_triage: float


def cross_validate(rows: Sequence[Example], oos: Sequence[Example], folds: int = FOLDS) -> CrossValidation:
    """Each row is routed by a model trained without its fold (stratified by queue and language)."""
    fold_of: dict[int, int] = {}
    by_key: dict[tuple[str, str], list[int]] = {}
    for number, row in enumerate(rows):
        by_key.setdefault((row.queue, row.language), []).append(number)
    rng = random.Random(SEED)
    for key in sorted(by_key):
        numbers = by_key[key]
        rng.shuffle(numbers)
        for position, number in enumerate(numbers):
            fold_of[number] = position % folds
    routed: dict[int, str] = {}
    for fold in range(folds):
        model = fitting.fit([r for n, r in enumerate(rows) if fold_of[n] != fold] + list(oos), threads=2)
        for number, row in enumerate(rows):
            if fold_of[number] == fold:
                routed[number] = route(model.predict(features.prepare(row.text)), DEFAULT_THRESHOLD)[0]
    right = Counter(r.queue for n, r in enumerate(rows) if routed[n] == r.queue)
    total = Counter(r.queue for r in rows)
    lang_right = Counter(r.language for n, r in enumerate(rows) if routed[n] == r.queue)
    lang_total = Counter(r.language for r in rows)
    confusions = Counter((r.queue, routed[n]) for n, r in enumerate(rows) if routed[n] != r.queue)
    return CrossValidation(
        per_queue={q: (total[q], right[q] / total[q]) for q in sorted(total)},
        per_language={lang: lang_right[lang] / lang_total[lang] for lang in sorted(lang_total)},
        confusions=dict(confusions.most_common()),
        accuracy=sum(right.values()) / len(rows),
        to_triage=sum(q == "triage" for q in routed.values()) / len(rows),
    )
