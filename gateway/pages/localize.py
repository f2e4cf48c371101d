"""A page served in one language: `{{key}}` filled from the catalogue (HTML-escaped), `<html lang dir>`,
the locale for Intl, the catalogue for the page's script, and the shared script (i18n.js) put inline."""

import json
import re
from html import escape
from importlib import resources

from fastapi import Request
from fastapi.responses import HTMLResponse

from services.shared.i18n import catalogue, choice, formats

PLACEHOLDER = re.compile(r"\{\{\s*(@?[a-z0-9_.]+)\s*\}\}")
SHARED_SCRIPT = "/*@i18n.js*/"


def _read(name: str) -> str:
    return resources.files("gateway").joinpath(f"pages/{name}").read_text(encoding="utf-8")


def localize(page: str, language: str) -> str:
    messages = catalogue.messages(language)
    # Inside <script type="application/json"> only "</" could end the block early.
    data = json.dumps(messages, ensure_ascii=False).replace("</", "<\\/")
    special = {
        "@lang": language,
        "@dir": catalogue.DIRECTIONS[language],
        "@locale": formats.TAGS[language],
        "@messages": data,
    }

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        return special[key] if key in special else escape(messages[key])

    return PLACEHOLDER.sub(fill, page.replace(SHARED_SCRIPT, _read("i18n.js")))


def page_language(request: Request) -> str:
    """The page's language from the URL and the browser; a signed-in person's setting is applied by
    the page itself once it knows who they are (tokens travel in headers, not with the page's GET)."""
    return choice.choose(None, request.query_params.get("lang"), request.headers.get("accept-language"))


def page(request: Request, name: str) -> HTMLResponse:
    language = page_language(request)
    return HTMLResponse(
        localize(_read(name), language),
        headers={"Cache-Control": "no-cache", "Content-Language": language, "Vary": "Accept-Language"},
    )
