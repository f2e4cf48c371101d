"""Celery workers: the escalation and survey sweeps, and the app that runs them."""
