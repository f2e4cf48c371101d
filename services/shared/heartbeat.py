"""A heartbeat file: a process with no server to probe touches it while its loop turns.

Kubernetes' liveness probe (`python -m services.stack.probe fresh PATH SECONDS`) then restarts a
router or beat whose loop has stopped turning, which a check of the process alone cannot see.
"""

import time
from pathlib import Path


def touch(path: Path | None) -> None:
    """Marks the loop alive now; nothing when no file is configured."""
    if path is not None:
        path.touch()


def age_s(path: Path) -> float | None:
    """Seconds since the last touch; None when the file was never written."""
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None


def fresh(path: Path, max_age_s: float) -> bool:
    age = age_s(path)
    return age is not None and age <= max_age_s
