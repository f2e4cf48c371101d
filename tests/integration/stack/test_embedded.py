"""The embedded PostgreSQL of `make run`: created on first use, reused, stopped (needs pgserver only)."""

from pathlib import Path

import psycopg
import pytest

from services.stack import embedded

pytestmark = pytest.mark.integration


def test_embedded_server_creates_its_database_restarts_on_the_same_data_and_stops(tmp_path: Path) -> None:
    pgdata = tmp_path / "run" / "pgdata"
    server = embedded.start(pgdata)
    try:
        assert "/ticketing?" in server.url
        with psycopg.connect(server.url, autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (n int)")
            conn.execute("INSERT INTO kept VALUES (42)")
    finally:
        server.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.url, connect_timeout=2).close()

    again = embedded.start(pgdata)
    try:
        with psycopg.connect(again.url) as conn:
            assert conn.execute("SELECT n FROM kept").fetchall() == [(42,)]
    finally:
        again.stop()
