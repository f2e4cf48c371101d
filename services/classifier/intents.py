"""Every intent the shipped classifier can name: the learned router's label space (BANKING77, the CLINC150
bank intents, out_of_scope; see labels.py) and the keyword table's rules. Each must have a display name in
the message catalogues (`intent.<id>`, tests/unit/shared/test_i18n_catalogues.py); an operator's own
taxonomy names its queues instead, and those fall back to the queue's display names."""

import json
from pathlib import Path

from services.classifier import keyword_table, labels

DATA_DIR = Path(__file__).with_name("data")


def learned(data: Path = DATA_DIR) -> set[str]:
    """The default model's intents, from the shipped label lists it is trained on."""
    mapping = json.loads((data / "queue_mapping.json").read_text(encoding="utf-8"))
    domains = json.loads((data / "clinc150/domains.json").read_text(encoding="utf-8"))
    clinc = {intent for intent, _ in labels.clinc_labels(mapping, domains).values()}
    return set(labels.banking77_queues(mapping)) | clinc


def keywords(table: Path = keyword_table.DEFAULT_TABLE) -> set[str]:
    """The intents the keyword table's rules name (its `generic` ones are its own: card_general, ...)."""
    return {rule.intent for rule in keyword_table.load(table).spec.rules}


def emitted() -> set[str]:
    return learned() | keywords()
