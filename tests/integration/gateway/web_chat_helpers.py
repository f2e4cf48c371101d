"""The web chat's tests: a widget key made as an operator makes it (the admin CLI), and a chat started."""

import contextlib
import io
from typing import Any

import httpx

from services.admin import cli
from tests.fixtures.gateway import Gateway

SITE = "https://www.example.gov.ae"


def widget_key(gw: Gateway, *origins: str, channel: str = "chat") -> str:
    """A key through `python -m services.admin create-widget-key … --quiet`, as an operator makes one."""
    out = io.StringIO()
    argv = ["create-widget-key", "--name", "site", "--origins", ",".join(origins or (SITE,))]
    with contextlib.redirect_stdout(out):
        assert cli.run([*argv, "--channel", channel, "--quiet"], gw.database_url) == 0
    return out.getvalue().strip()


def start(
    gw: Gateway, key: str, text: str = "بطاقتي انسرقت أمس، أبي أوقفها", **fields: Any
) -> httpx.Response:
    headers = {"Origin": fields.pop("origin", SITE)}
    return httpx.post(
        f"{gw.url}/v1/chat/sessions", json={"widget_key": key, "text": text, **fields}, headers=headers
    )


def session_client(gw: Gateway, secret: str, origin: str = SITE) -> httpx.Client:
    headers = {"Authorization": f"Bearer {secret}", "Origin": origin}
    return httpx.Client(base_url=gw.url, headers=headers, timeout=10)
