"""Migrations apply in order, record themselves, and a second run changes nothing."""

import threading
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from services.shared import migrations
from tests.fixtures.db import with_dbname

pytestmark = pytest.mark.integration


@pytest.fixture
def empty_database(admin_database_url: str):
    name = "ticketing_migrations_test"
    with psycopg.connect(admin_database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield with_dbname(admin_database_url, name)
    with psycopg.connect(admin_database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def schema_snapshot(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return (
            conn.execute(
                """SELECT table_name, column_name, data_type FROM information_schema.columns
               WHERE table_schema = 'public' ORDER BY 1, 2"""
            ).fetchall()
            + conn.execute("SELECT name FROM queues ORDER BY name").fetchall()
        )


def test_applying_twice_changes_nothing(empty_database: str) -> None:
    versions = [m.version for m in migrations.discover()]
    assert migrations.apply(empty_database) == versions
    before = schema_snapshot(empty_database)
    assert migrations.apply(empty_database) == []
    assert schema_snapshot(empty_database) == before
    with psycopg.connect(empty_database) as conn:
        recorded = [v for (v,) in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert recorded == versions


def test_concurrent_runners_apply_each_migration_once(empty_database: str) -> None:
    results: list[list[str]] = []
    runners = [
        threading.Thread(target=lambda: results.append(migrations.apply(empty_database))) for _ in range(3)
    ]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(60)
    assert sorted(len(r) for r in results) == [0, 0, len(migrations.discover())]


def test_an_edited_migration_is_refused(empty_database: str, tmp_path: Path) -> None:
    migrations.apply(empty_database)
    first = migrations.discover()[0]
    edited = [migrations.Migration(first.version, first.sql + "\n-- edited"), *migrations.discover()[1:]]
    with pytest.raises(RuntimeError, match="forward-only"):
        migrations.apply(empty_database, edited)
