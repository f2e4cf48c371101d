"""Admin commands for the web chat widget and contact form: a public widget key tied to a new chat (or
web) integration credential and the page origins allowed to use it. `revoke-token <credential id>`
stops the key (and every chat session started with it) at once."""

import argparse
import os
import sys
from datetime import UTC, datetime
from typing import Any

from psycopg import Connection

from services.shared import tokens, widget_secrets
from services.shared.store import api_credentials, widget_keys


def add_parsers(sub: Any, lifetime: Any) -> None:
    w = sub.add_parser(
        "create-widget-key",
        help="a public key for the web chat widget (<script … data-widget-key>) and the contact form",
    )
    w.add_argument("--name", required=True, help="whose site it is on")
    w.add_argument(
        "--origins",
        required=True,
        help="comma-separated page origins allowed to use it, e.g. https://www.example.gov.ae",
    )
    w.add_argument("--channel", choices=["chat", "web"], default="chat", help="chat (default) or web")
    w.add_argument("--expires-in", type=lifetime, help="how long it works (default 365d)")
    w.add_argument("--quiet", action="store_true", help="print only the key (for $(...))")
    sub.add_parser("list-widget-keys", help="list widget keys: id, key, channel, credential, origins, state")


def create(conn: Connection[Any], args: argparse.Namespace) -> int:
    try:
        origins = sorted({widget_secrets.normalise_origin(o) for o in args.origins.split(",") if o.strip()})
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if not origins:
        print("give at least one origin in --origins", file=sys.stderr)
        return 2
    expires_at = datetime.now(UTC) + (args.expires_in or tokens.DEFAULT_LIFETIMES["integration"])
    # The credential's bearer secret is never shown: the widget acts through the key, not a token.
    credential_id = api_credentials.create(
        conn,
        name=f"widget: {args.name}",
        role="integration",
        token_hash=tokens.digest(tokens.new_token()),
        expires_at=expires_at,
        channel=args.channel,
    )
    key = widget_secrets.new_widget_key()
    widget_keys.create_sync(conn, key, credential_id, origins)
    if args.quiet:
        print(key)
        return 0
    public = os.environ.get("PUBLIC_URL", "http://localhost:8080").rstrip("/")
    print(
        f"widget key for {args.channel} on {' '.join(origins)}; credential id={credential_id} "
        f"(revoke-token {credential_id} stops it), expires={expires_at.isoformat(timespec='seconds')}"
    )
    print(f'<script src="{public}/widget.js" data-widget-key="{key}" async></script>')
    print(f"{public}/contact?key={key}")
    return 0


def list_all(conn: Connection[Any], args: argparse.Namespace) -> int:
    del args
    for row in widget_keys.list_all(conn):
        print("\t".join(str(v) for v in row))
    return 0
