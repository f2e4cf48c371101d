"""Fixtures live in tests/fixtures/ as plugins; this file only lists them."""

pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.db",
    "tests.fixtures.learned_model",
    "tests.fixtures.classifier_server",
    "tests.fixtures.metrics_server",
    "tests.fixtures.celery_worker",
    "tests.fixtures.gateway",
    "tests.fixtures.browser",
]
