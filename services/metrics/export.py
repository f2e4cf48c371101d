"""The per-ticket export as CSV text in chunks: the header first, then `batch` rows a chunk.

Times are ISO 8601 on the centre's clock with their offset (2026-01-01T01:30:00+04:00): the same
instant as the UTC stored, and the local date a reader of the file expects at a glance.
"""

import csv
import io
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, tzinfo
from typing import Any

from psycopg import AsyncConnection

from services.metrics import store

# Rows per chunk (and per fetch from the server-side cursor): larger sends fewer messages, smaller
# starts the download sooner and holds less in memory.
BATCH = 2000


def _cell(value: Any, zone: tzinfo | None) -> Any:
    if isinstance(value, datetime):
        return (value.astimezone(zone) if zone is not None else value).isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def lines(rows: Sequence[Sequence[Any]], zone: tzinfo | None = None) -> str:
    """CSV lines of `rows`, times shown on the clock `zone` (None: as they are)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([_cell(v, zone) for v in row] for row in rows)
    return out.getvalue()


async def chunks(
    conn: AsyncConnection[Any], start: datetime, end: datetime, zone: tzinfo
) -> AsyncIterator[str]:
    yield lines([store.EXPORT_COLUMNS])
    async with conn.transaction():
        async for rows in store.export_rows(conn, start, end, BATCH):
            yield lines(rows, zone)
