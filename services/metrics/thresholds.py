"""Service-level thresholds: T per channel, as docs/kpis.md gives them (the rollups count against these)."""

from collections.abc import Mapping

# An answer within T seconds counts as in time. The daily rollups count answers in time against
# these; a query with another threshold is answered by an exact scan (services/metrics/kpis.py).
DEFAULT_SL_THRESHOLD_S: Mapping[str, float] = {
    "phone": 20,
    "chat": 30,
    "mobile": 3600,
    "web": 3600,
    "email": 14400,
}
