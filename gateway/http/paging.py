"""Keyset pagination, the same on every list that can grow without bound (a ticket's events, a
customer's history, the follow-ups): `limit` and an opaque `cursor` in; the next page's address in a
`Link: <...>; rel="next"` header out (RFC 8288), absent on the last page."""

import base64
import binascii
import json
from typing import Annotated, Any

from fastapi import Query, Response
from starlette.datastructures import URL

from gateway.http.problems import Problem

# A page this long serves a console at once; the cap bounds what one request makes the database read
# and the gateway hold (a long-lived ticket can gather thousands of events).
DEFAULT_LIMIT = 50
MAX_LIMIT = 500

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (at most {MAX_LIMIT}).")]
Cursor = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+={0,2}$",
        description='Where the page starts: copy it from the previous page\'s `Link: <...>; rel="next"`.',
    ),
]
LINK_HEADER = {
    "Link": {
        "description": 'The next page, as `<path?query>; rel="next"`; absent on the last page.',
        "schema": {"type": "string"},
    }
}


def encode(*keys: int | str) -> str:
    """An opaque cursor for the position after the row with these sort keys."""
    return base64.urlsafe_b64encode(json.dumps(keys, separators=(",", ":")).encode()).decode()


def decode(cursor: str | None, shape: tuple[type, ...]) -> tuple[Any, ...] | None:
    """The sort keys of a cursor made by `encode` (None for the first page); 422 when it is not one."""
    if cursor is None:
        return None
    try:
        keys = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        keys = None
    if (
        not isinstance(keys, list)
        or len(keys) != len(shape)
        # bool is an int in Python; a cursor never holds one.
        or not all(isinstance(k, t) and not isinstance(k, bool) for k, t in zip(keys, shape, strict=True))
    ):
        raise Problem(422, "Invalid cursor", "the cursor is not one this API gave; start again without it")
    return tuple(keys)


def link_next(response: Response, url: URL, cursor: str | None) -> None:
    """Sets the `Link` header to `url` (the request's own: the same filters and limit) at `cursor`."""
    if cursor is None:
        return
    at = url.include_query_params(cursor=cursor)
    response.headers["Link"] = f'<{at.path}?{at.query}>; rel="next"'
