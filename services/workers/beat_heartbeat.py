"""Beat's scheduler with a heartbeat file, so a liveness probe sees a beat whose loop stopped."""

from pathlib import Path
from typing import Any

from celery.beat import Scheduler

from services.shared import heartbeat

# The app's configuration key for the file (from BEAT_HEARTBEAT_FILE); absent or None writes nothing.
CONF_KEY = "ticketing_beat_heartbeat_file"


class HeartbeatScheduler(Scheduler):
    """Celery's in-memory scheduler; each tick (at least every couple of seconds with the sweeps'
    intervals) also touches the heartbeat file."""

    def tick(self, *args: Any, **kwargs: Any) -> float:
        delay: float = super().tick(*args, **kwargs)
        path = self.app.conf.get(CONF_KEY)
        heartbeat.touch(Path(path) if path else None)
        return delay
