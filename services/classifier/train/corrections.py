"""Agents' corrections as training rows: JSON lines {"text": "...", "queue": "..."}, one per transfer.

A correction names the queue a ticket really belonged to, not an intent, so it trains a class of
its own for that queue (labels.correction_label); a queue the shipped data does not know becomes a
new queue of the model. Corrections to triage teach nothing and are skipped.
"""

import json
import re
from datetime import datetime
from pathlib import Path

import psycopg

from services.classifier import labels, language
from services.classifier.decision import TRIAGE_QUEUE
from services.classifier.train.datasets import Example
from services.shared.store import classifier_corrections

# Queue names as the queues table keeps them.
QUEUE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


class CorrectionsError(ValueError):
    """The corrections file cannot be used; the message names the file and line."""


def parse_line(line: str, where: str) -> Example | None:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise CorrectionsError(f"{where}: not JSON: {error.msg}") from None
    if not isinstance(row, dict):
        raise CorrectionsError(f"{where}: must be an object with 'text' and 'queue'")
    text, queue = row.get("text"), row.get("queue")
    if not isinstance(text, str) or not text.strip():
        raise CorrectionsError(f"{where}: 'text' must be non-empty text")
    if not isinstance(queue, str) or not QUEUE_NAME.fullmatch(queue) or queue == labels.OUT_OF_SCOPE:
        raise CorrectionsError(f"{where}: 'queue' must be a queue name, not {queue!r}")
    return from_pair(text, queue)


def from_pair(text: str, queue: str) -> Example | None:
    """A (text, queue) correction as a training row; None for triage, which teaches nothing."""
    if queue == TRIAGE_QUEUE:
        return None
    return Example(text, labels.correction_label(queue), queue, language.detect(text), "corrections")


def from_database(database_url: str, since: datetime | None = None) -> list[Example]:
    """The classifier_corrections table's final queue of each transferred ticket, oldest first."""
    with psycopg.connect(database_url) as conn:
        pairs = list(classifier_corrections.export_sync(conn, since))
    return [example for text, queue in pairs if (example := from_pair(text, queue)) is not None]


def load(path: Path) -> list[Example]:
    """Blank lines are skipped; any other bad line stops training, naming its line number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CorrectionsError(f"{path}: cannot read the corrections: {error}") from None
    examples = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            example = parse_line(line, f"{path}:{number}")
            if example is not None:
                examples.append(example)
    return examples
