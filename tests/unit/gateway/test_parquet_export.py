"""CSV chunks of the export to Parquet, read back with pyarrow."""

import asyncio
import io
from collections.abc import AsyncIterator

import pyarrow.parquet as pq

from gateway.reports.parquet_export import from_csv

HEADER = "ticket_id,channel,created_at,wait_s,fcr,intent,confidence,future_column\r\n"
ROWS = [
    "1,chat,2026-01-01T01:30:00+04:00,12.5,true,card_arrival,0.91,x\r\n2,phone,,,,,,\r\n",
    '3,email,2026-01-02T09:00:00+04:00,0.0,false,"lost, stolen",0.4,\r\n',
]


async def _chunks(parts: list[str]) -> AsyncIterator[str]:
    for part in parts:
        yield part


def _parquet(parts: list[str]) -> bytes:
    async def collect() -> bytes:
        return b"".join([b async for b in from_csv(_chunks(parts), "Asia/Dubai")])

    return asyncio.run(collect())


def test_rows_come_back_typed_one_row_group_per_chunk() -> None:
    data = _parquet([HEADER, *ROWS])
    file = pq.ParquetFile(io.BytesIO(data))
    assert file.num_row_groups == 2
    table = file.read()
    assert table.column_names == [
        "ticket_id", "channel", "created_at", "wait_s", "fcr", "intent", "confidence", "future_column",
    ]  # fmt: skip
    rows = table.to_pylist()
    assert [r["ticket_id"] for r in rows] == [1, 2, 3]
    assert rows[0]["created_at"].isoformat() == "2026-01-01T01:30:00+04:00"
    assert (rows[0]["wait_s"], rows[0]["fcr"], rows[0]["confidence"]) == (12.5, True, 0.91)
    assert (rows[1]["created_at"], rows[1]["confidence"], rows[1]["intent"]) == (None, None, "")
    assert rows[2]["intent"] == "lost, stolen"
    assert str(table.schema.field("created_at").type) == "timestamp[us, tz=Asia/Dubai]"


def test_the_header_alone_is_an_empty_file_with_its_columns() -> None:
    table = pq.read_table(io.BytesIO(_parquet([HEADER])))
    assert table.num_rows == 0 and "intent" in table.column_names
