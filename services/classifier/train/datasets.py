"""Reads the shipped training data (data/) into labelled examples: train rows, validation rows, checksums.

Validation is ArBanking77's val split, a fixed seeded 10% of each BANKING77 intent (held out of
training), CLINC150's val with `oos_val`, and every fifth of the project's own Arabic out-of-scope
questions (the public sets have none in Arabic). No official test split is in the project.
"""

import csv
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

from services.classifier import labels

DATA_DIR = Path(__file__).parent.parent / "data"
# Fixed so that every run holds out the same BANKING77 rows: changing it changes the validation set.
BANKING77_SEED = 77
BANKING77_HELD_OUT = 0.10

FILES = (
    "queue_mapping.json",
    "banking77/train.csv",
    "banking77/categories.json",
    "arbanking77/Banking77_Arabized_MSA_PAL_train.csv",
    "arbanking77/Banking77_Arabized_MSA_PAL_val.csv",
    "arbanking77/Banking77_intents.csv",
    "clinc150/data_trainval.json",
    "clinc150/domains.json",
    "project/out_of_scope_ar.txt",
)
# Every this-many-th line of the project's Arabic out-of-scope questions is held out for validation.
PROJECT_HELD_OUT_EVERY = 5


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    queue: str
    # "en" or "ar": the dataset's language, not a detection.
    language: str
    # Which validation set (or training source) the row belongs to, e.g. "banking77".
    source: str


@dataclass(frozen=True)
class Corpus:
    train: list[Example]
    validation: list[Example]
    # SHA-256 of each data file, by its path under the data folder.
    checksums: dict[str, str]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checksums(root: Path = DATA_DIR) -> dict[str, str]:
    return {name: sha256(root / name) for name in FILES}


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split_banking77(rows: list[dict[str, str]]) -> tuple[list[int], list[int]]:
    """Row numbers for training and for validation: the same 10% of every intent on every run."""
    by_intent: dict[str, list[int]] = {}
    for number, row in enumerate(rows):
        by_intent.setdefault(row["category"], []).append(number)
    rng = random.Random(BANKING77_SEED)
    train, held_out = [], []
    for intent in sorted(by_intent):
        numbers = by_intent[intent]
        rng.shuffle(numbers)
        cut = round(len(numbers) * BANKING77_HELD_OUT)
        held_out.extend(numbers[:cut])
        train.extend(numbers[cut:])
    return sorted(train), sorted(held_out)


def load(root: Path = DATA_DIR) -> Corpus:
    """Raises OSError or ValueError (naming the problem) when a file is missing or malformed."""
    mapping = json.loads((root / "queue_mapping.json").read_text(encoding="utf-8"))
    queues = labels.banking77_queues(mapping)
    train: list[Example] = []
    validation: list[Example] = []

    rows = _csv(root / "banking77/train.csv")
    train_rows, held_out = _split_banking77(rows)
    for numbers, target in ((train_rows, train), (held_out, validation)):
        for number in numbers:
            intent = rows[number]["category"]
            target.append(Example(rows[number]["text"], intent, queues[intent], "en", "banking77"))

    pairs = [(row["label_en"], row["label_ar"]) for row in _csv(root / "arbanking77/Banking77_intents.csv")]
    arabic = labels.arabic_intents(pairs, queues)
    for split, target in (("train", train), ("val", validation)):
        for row in _csv(root / f"arbanking77/Banking77_Arabized_MSA_PAL_{split}.csv"):
            intent = arabic[row["label"].strip()]
            target.append(Example(row["text"], intent, queues[intent], "ar", "arbanking77"))

    clinc = json.loads((root / "clinc150/data_trainval.json").read_text(encoding="utf-8"))
    domains = json.loads((root / "clinc150/domains.json").read_text(encoding="utf-8"))
    clinc_labels = labels.clinc_labels(mapping, domains)
    for key, target in (("train", train), ("oos_train", train), ("val", validation), ("oos_val", validation)):
        for text, clinc_intent in clinc[key]:
            intent, queue = clinc_labels[clinc_intent]
            source = "clinc150_oos" if key.startswith("oos") else "clinc150"
            target.append(Example(text, intent, queue, "en", source))

    lines = (root / "project/out_of_scope_ar.txt").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(line.strip() for line in lines if line.strip()):
        target = validation if number % PROJECT_HELD_OUT_EVERY == PROJECT_HELD_OUT_EVERY - 1 else train
        target.append(Example(line, labels.OUT_OF_SCOPE, labels.OUT_OF_SCOPE, "ar", "project_oos_ar"))
    return Corpus(train, validation, checksums(root))
