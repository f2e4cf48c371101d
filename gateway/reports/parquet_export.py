"""The per-ticket export as Parquet, converted from the metrics service's CSV chunks as they arrive.

Parquet is written front to back (row groups, then the footer), so each CSV chunk becomes one row
group and its bytes go to the client at once: a year's export never sits in memory whole. Columns
get their types here (times keep the centre's zone); a column this list does not know is text.
"""

import asyncio
import csv
import io
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

INTEGER = ("ticket_id", "customer_id", "answered_by", "resolved_by", "segments", "transfers",
           "escalations", "reopens", "survey_score", "quality_evaluations")  # fmt: skip
DECIMAL = ("wait_s", "handle_s", "quality_mean", "classify_ms", "confidence")
BOOLEAN = ("faq_answered", "self_served", "fcr")
TIME = ("created_at", "queued_at", "answered_at", "abandoned_at", "resolved_at", "surveyed_at")
MEDIA_TYPE = "application/vnd.apache.parquet"


def column_type(name: str, zone: str) -> pa.DataType:
    if name in INTEGER:
        return pa.int64()
    if name in DECIMAL:
        return pa.float64()
    if name in BOOLEAN:
        return pa.bool_()
    if name in TIME:
        return pa.timestamp("us", tz=zone)
    return pa.string()


class _Sink(io.RawIOBase):
    """Collects what the writer writes until taken; tell() counts every byte ever written, as the
    footer's offsets need."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._written += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._written

    def take(self) -> bytes:
        out, self._parts = b"".join(self._parts), []
        return out


def _row_group(writer: pq.ParquetWriter, sink: _Sink, text: str, schema: pa.Schema) -> bytes:
    table = pa_csv.read_csv(
        io.BytesIO(text.encode()),
        convert_options=pa_csv.ConvertOptions(column_types=schema, strings_can_be_null=False),
    )
    writer.write_table(table.select(schema.names).cast(schema))
    return sink.take()


async def from_csv(chunks: AsyncGenerator[str], zone: str) -> AsyncIterator[bytes]:
    """Parquet bytes of the CSV `chunks` (the header line first, as ExportTickets sends it); a
    client gone mid-way closes `chunks` too (which cancels the call behind them)."""
    try:
        async for part in _converted(chunks, zone):
            yield part
    finally:
        await chunks.aclose()


async def _converted(chunks: AsyncIterator[str], zone: str) -> AsyncIterator[bytes]:
    header = ""
    names: list[str] = []
    schema: pa.Schema | None = None
    sink = _Sink()
    writer: pq.ParquetWriter | None = None
    async for text in chunks:
        # The header arrives alone, as its own first chunk.
        if not header:
            header = text
            names = next(csv.reader([text]))
            schema = pa.schema([(n, column_type(n, zone)) for n in names])
            writer = pq.ParquetWriter(sink, schema, compression="zstd")
            continue
        assert writer is not None and schema is not None
        # About 15 ms a chunk of 2,000 rows: in a thread, so the gateway's other requests go on.
        yield await asyncio.to_thread(_row_group, writer, sink, header + text, schema)
    if writer is None:  # no header: nothing was exported, not even the columns
        writer = pq.ParquetWriter(sink, pa.schema([]))
    writer.close()
    yield sink.take()
