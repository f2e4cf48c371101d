"""The metrics service: follows ticket events into per-ticket timelines and answers KPI and queue figures."""
