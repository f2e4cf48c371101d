"""Measuring routers on validation data: figures, baseline, latency (`python -m ...evaluate`)."""
