"""Unit tests of the Celery workers."""
