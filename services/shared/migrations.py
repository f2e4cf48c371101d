"""Applies the forward-only SQL migrations in infra/migrations under an advisory lock, idempotently."""

import hashlib
import logging
import os
import pathlib
import sys
from dataclasses import dataclass

import psycopg

log = logging.getLogger(__name__)

MIGRATIONS_DIR = pathlib.Path(__file__).resolve().parents[2] / "infra" / "migrations"
# Any fixed number works; it only has to be the same in every process that migrates.
LOCK_KEY = 0x7469636B  # "tick"


@dataclass(frozen=True)
class Migration:
    version: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(folder: pathlib.Path = MIGRATIONS_DIR) -> list[Migration]:
    files = sorted(folder.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    return [Migration(f.stem, f.read_text(encoding="utf-8")) for f in files]


def apply(database_url: str, migrations: list[Migration] | None = None) -> list[str]:
    """Applies what is not yet applied; returns the versions applied by this call."""
    migrations = discover() if migrations is None else migrations
    applied_now: list[str] = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        # A session lock: held across the per-migration transactions, released on disconnect.
        conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   version    text PRIMARY KEY,
                   checksum   text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        done: dict[str, str] = dict(
            conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
        )
        for migration in migrations:
            if migration.version in done:
                if done[migration.version] != migration.checksum:
                    raise RuntimeError(
                        f"migration {migration.version} was edited after it was applied; "
                        "migrations are forward-only: add a new file instead"
                    )
                continue
            with conn.transaction():
                conn.execute(migration.sql)  # trusted files of ours
                conn.execute(
                    "INSERT INTO schema_migrations (version, checksum) VALUES (%s, %s)",
                    (migration.version, migration.checksum),
                )
            log.info("applied migration %s", migration.version)
            applied_now.append(migration.version)
        conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
    return applied_now


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("DATABASE_URL is required", file=sys.stderr)
        return 2
    applied = apply(url)
    print(f"migrations: {len(applied)} applied ({', '.join(applied) or 'up to date'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
