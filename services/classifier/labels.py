"""The learned router's label space: which intent each dataset label becomes, and each intent's queue (pure).

Intents are the 77 BANKING77 intents (English, and Arabic through ArBanking77's label list), the 30
CLINC150 intents of its `banking` and `credit_cards` domains (routed by queue_mapping.json's
crosswalk), and one `out_of_scope` intent. For a bank's contact centre the other eight CLINC150
domains (cooking, music, travel, small talk, ...) are out of scope just as CLINC's own `oos` queries
are, so their rows train `out_of_scope` too; two of their intents are bank work and are kept in scope
(see CLINC_IN_SCOPE). An `out_of_scope` decision goes to the triage queue.
"""

from collections.abc import Mapping
from typing import Any

OUT_OF_SCOPE = "out_of_scope"
# A correction names a queue, not an intent: it trains a class of this prefix plus the queue.
CORRECTION_PREFIX = "queue:"
# CLINC150 intents outside its banking domains that a bank's contact centre handles: the exchange
# rate question is BANKING77's `exchange_rate`; a travel notice is the card team's work.
CLINC_IN_SCOPE = {
    "exchange_rate": ("exchange_rate", "exchange_currency"),
    "travel_notification": ("travel_notification", "cards"),
}
CLINC_BANK_DOMAINS = ("banking", "credit_cards")
CLINC_OOS = "oos"


def match_key(label: str) -> str:
    """How ArBanking77's English names meet BANKING77's: spaces to "_", lower case, no "?"."""
    return label.strip().replace(" ", "_").lower().replace("?", "")


def banking77_queues(mapping: Mapping[str, Any]) -> dict[str, str]:
    """BANKING77 intent -> queue, from queue_mapping.json."""
    return {
        intent: queue
        for queue, intents in mapping["banking77"]["queue_to_intents"].items()
        for intent in intents
    }


def arabic_intents(pairs: list[tuple[str, str]], banking77: Mapping[str, str]) -> dict[str, str]:
    """Arabic label -> BANKING77 intent, from (label_en, label_ar) pairs; every label must match."""
    by_key = {match_key(intent): intent for intent in banking77}
    result = {}
    for english, arabic in pairs:
        intent = by_key.get(match_key(english))
        if intent is None:
            raise ValueError(f"ArBanking77 label {english!r} matches no BANKING77 intent")
        result[arabic.strip()] = intent
    return result


def clinc_labels(mapping: Mapping[str, Any], domains: Mapping[str, list[str]]) -> dict[str, tuple[str, str]]:
    """CLINC150 intent -> (intent, queue): bank intents by the crosswalk, the rest out of scope."""
    crosswalk = mapping["clinc150"]["optional_banking_crosswalk"]
    labels = {CLINC_OOS: (OUT_OF_SCOPE, OUT_OF_SCOPE)}
    for domain, intents in domains.items():
        for intent in intents:
            if domain in CLINC_BANK_DOMAINS:
                labels[intent] = (intent, crosswalk[domain][intent])
            else:
                labels[intent] = CLINC_IN_SCOPE.get(intent, (OUT_OF_SCOPE, OUT_OF_SCOPE))
    return labels


def correction_label(queue: str) -> str:
    return f"{CORRECTION_PREFIX}{queue}"


def public_intent(label: str) -> str:
    """The intent a decision reports: a correction class names no intent."""
    return "" if label.startswith(CORRECTION_PREFIX) else label
