"""Shared bits of the gateway tests: a valid inquiry, and counting what the database holds."""

import zlib
from typing import Any

import psycopg

TABLES = (
    "customers",
    "customer_identities",
    "tickets",
    "ticket_events",
    "surveys",
    "outbound_messages",
    "ticket_documents",
    "classifier_corrections",
)


def inquiry(channel: str = "phone", external_id: str = "call-1", **overrides: Any) -> dict[str, Any]:
    identity = {
        "phone": {"phone": "+966501234567"},
        "chat": {"chat_visitor_id": "visitor-7", "email": "sara@example.com"},
        "email": {"email": "sara@example.com"},
        "mobile": {"app_user_id": "u-42"},
        "web": {"web_user_id": "w-42", "email": "sara@example.com"},
    }[channel]
    body = {
        "channel": channel,
        "external_id": external_id,
        "customer": {**identity, "name": "Sara"},
        "text": "My card was stolen yesterday, please block it",
    }
    body.update(overrides)
    return body


def someone(n: int | str) -> dict[str, Any]:
    """A customer of their own: a customer's inquiries in one queue join their open ticket's thread,
    so tests that need separate tickets give each its own customer."""
    return {
        "phone": f"+96650{zlib.crc32(str(n).encode()) % 10**7:07d}",
        "email": f"c{n}@example.com",
        "name": f"C{n}",
    }


def counts(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # type: ignore[index]


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"].startswith("https://")
    return body
