"""Which language a page is shown in (pure): the person's setting, then `?lang=`, then Accept-Language."""

from services.shared.i18n.catalogue import DEFAULT, LANGUAGES


def from_accept_language(header: str | None) -> str | None:
    """The first of our languages the browser accepts, by its q-values (ties keep the header's order)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None


def choose(setting: str | None, query: str | None, accept_language: str | None) -> str:
    for candidate in (setting, query):
        if candidate in LANGUAGES:
            return candidate
    return from_accept_language(accept_language) or DEFAULT
