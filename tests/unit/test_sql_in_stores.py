"""SQL only in the store: no module outside services/shared/store (and the few listed) runs a statement.

A table's SQL lives in services/shared/store/<table>.py, so a schema change is found in one place.
The check reads every module's AST for calls of `.execute(` / `.executemany(`.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STORE = ROOT / "services" / "shared" / "store"
# Modules that may run SQL besides the store, with the reason.
ALLOWED = {
    "services/shared/db.py": "the pool's own checks: SELECT 1, LISTEN",
    "services/shared/migrations.py": "applies the migration files",
    "services/stack/embedded.py": "creates the embedded server's database before any table exists",
    # The metrics service's read side: each module is one read model's queries and their decoding
    # (docs/kpis.md); they read the tables the store writes and write only metrics' own tables.
    "services/metrics/store.py": "metrics' own tables",
    "services/metrics/rollup_store.py": "metrics' own tables",
    "services/metrics/set_aside_store.py": "metrics' own tables",
    "services/metrics/occupancy_store.py": "metrics' own tables (occupancy's daily rollup)",
    "services/metrics/event_source.py": "metrics' reading of ticket_events in commit order",
    "services/metrics/follower_status.py": "metrics' cursor",
    "services/metrics/queue_figures.py": "metrics' live queue figures",
    "services/metrics/live.py": "metrics' wallboard figures",
    "services/metrics/prometheus.py": "metrics' Prometheus totals",
    "services/metrics/demand_store.py": "metrics' demand: tickets' intents, queues and texts per week",
}


def _runs_sql(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("execute", "executemany")
        ):
            return True
    return False


def test_sql_runs_only_in_the_store() -> None:
    offenders = []
    for folder in ("gateway", "services"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if path.is_relative_to(STORE) or relative in ALLOWED:
                continue
            if _runs_sql(path):
                offenders.append(relative)
    assert not offenders, "move these statements into services/shared/store/<table>.py: " + ", ".join(
        offenders
    )


def test_every_allowed_module_still_runs_sql() -> None:
    # An entry left behind after its SQL moved would let new SQL in unnoticed.
    stale = [name for name in ALLOWED if not _runs_sql(ROOT / name)]
    assert not stale, stale
