"""An intent's display names (pure): the catalogues' `intent.<id>` for every intent the shipped classifier
can name (services/classifier/intents.py lists them; the catalogue test ties the two together). An
operator's own taxonomy names its queues as intents (services/classifier/train/taxonomy.py), so such an
intent shows its queue's display names; any other id is shown humanised ("visa_letter" -> "visa letter")."""

from collections.abc import Mapping

from services.shared.i18n import catalogue

KIND = "intent"


def humanised(ident: str) -> str:
    return ident.replace("_", " ").strip()


def name(language: str, ident: str, queue_names: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """`ident` in `language`; `queue_names` as queues.display_names gives them (name -> language -> text)."""
    named = catalogue.messages(language).get(f"{KIND}.{ident}")
    if named:
        return named
    queue = (queue_names or {}).get(ident, {})
    return queue.get(language) or humanised(ident)


def names(ident: str, queue_names: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, str]:
    """`ident` in every language, as the JSON API shows it beside the id."""
    return {language: name(language, ident, queue_names) for language in catalogue.LANGUAGES}
