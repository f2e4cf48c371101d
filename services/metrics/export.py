"""The per-ticket export as CSV text in chunks: the header first, then `batch` rows a chunk."""

import csv
import io
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from psycopg import AsyncConnection

from services.metrics import store

# Rows per chunk (and per fetch from the server-side cursor): larger sends fewer messages, smaller
# starts the download sooner and holds less in memory.
BATCH = 2000


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def lines(rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


async def chunks(conn: AsyncConnection[Any], start: datetime, end: datetime) -> AsyncIterator[str]:
    yield lines([store.EXPORT_COLUMNS])
    async with conn.transaction():
        async for rows in store.export_rows(conn, start, end, BATCH):
            yield lines(rows)
