"""`celery -A tests.benchmarks.noop_worker worker`: the product's worker app plus one no-op task, the
floor of bench_tasks.py (a message through RabbitMQ, run, its result back). Never in the product."""

import os
from typing import Any

from celery import Celery

from services.workers.app import create_app
from services.workers.settings import WorkerSettings

# In the escalations family, so the app's routes send it to a queue the worker consumes.
NOOP = "escalations.bench_noop"


def noop_app(environ: dict[str, str]) -> Celery:
    app = create_app(WorkerSettings.from_env(environ))

    @app.task(name=NOOP, shared=False)
    def noop() -> int:
        return 0

    return app


def __getattr__(name: str) -> Any:
    # Like services.workers.app: built when `celery -A` asks, not at import.
    if name != "app":
        raise AttributeError(name)
    app = noop_app(dict(os.environ))
    globals()["app"] = app
    return app
