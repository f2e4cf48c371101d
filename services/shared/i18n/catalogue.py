"""The message catalogues (ar.json, en.json beside this file): one key, one text per language.

Texts use `{name}` placeholders, filled by `text(...)` here and by the pages' `t(key, params)`. Keys of the
name sections (channel., presence., status., intent.) are looked up by an id the code holds (`name(kind, id)`;
intents through intent_names.py, which falls back to a queue's name or the humanised id).
"""

import json
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("ar", "en")
# The centre works in Arabic first: a person who says nothing gets Arabic.
DEFAULT = "ar"
DIRECTIONS = {"ar": "rtl", "en": "ltr"}
# Ids whose display names the catalogues hold, per kind (the queues' names live in the database).
NAME_KINDS = ("channel", "presence", "status", "kpi", "volume", "intent")


@cache
def messages(language: str) -> dict[str, str]:
    """The whole catalogue of one language (read once per process)."""
    if language not in LANGUAGES:
        raise ValueError(f"no catalogue for {language!r}")
    raw = resources.files(__package__).joinpath(f"{language}.json").read_text(encoding="utf-8")
    loaded = json.loads(raw)
    assert isinstance(loaded, dict)
    return loaded


def text(language: str, key: str, **params: Any) -> str:
    """The text of `key` in `language`, its placeholders filled (KeyError for a key no catalogue has)."""
    template = messages(language)[key]
    return template.format(**params) if params else template


def name(language: str, kind: str, ident: str) -> str:
    """The display name of an id (a channel, a presence…); the id itself when the catalogue lacks it."""
    return messages(language).get(f"{kind}.{ident}", ident)


def names(kind: str, ident: str) -> dict[str, str]:
    """An id's display name in every language, as the JSON API shows it beside the id."""
    return {language: name(language, kind, ident) for language in LANGUAGES}


def both(key: str, **params: Any) -> str:
    """Arabic first, English beside it: for messages to a person whose language is not known."""
    return "\n\n".join(text(language, key, **params) for language in LANGUAGES)
