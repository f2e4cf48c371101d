"""Swaps in a new model file while serving: polls it (checks at once on SIGHUP), refuses a broken one.

A refused file is logged and the router serving goes on; the same file is not read again until it
changes. Loading runs in a thread, so calls keep being answered meanwhile.
"""

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from services.classifier import model_file
from services.classifier.decision import ModelInfo, Router
from services.classifier.serve.linear_model import LinearModel

log = logging.getLogger(__name__)


class RouterSlot:
    """The router serving now. Replaced whole (one assignment), so a call sees the old or the new."""

    def __init__(self, router: Router):
        self.router = router


class ModelWatcher:
    def __init__(
        self,
        path: Path,
        slot: RouterSlot,
        make_router: Callable[[LinearModel, ModelInfo], Router],
        poll_s: float,
    ):
        self.path = path
        self._slot = slot
        self._make_router = make_router
        self._poll_s = poll_s
        self._seen: tuple[int, int, int] | None = self._stamp()

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    async def check(self, force: bool = False) -> bool:
        """Loads the file if it changed (or `force`); True when a new router now serves."""
        stamp = self._stamp()
        if stamp is None or (stamp == self._seen and not force):
            return False
        self._seen = stamp
        try:
            model, info = await asyncio.to_thread(model_file.load, self.path)
        except model_file.ModelError as error:
            log.error("refused the model file, still serving %s: %s", self._slot.router.version, error)
            return False
        self._slot.router = self._make_router(model, info)
        log.info("now serving model %s from %s", info.version, self.path)
        return True

    async def run(self) -> None:
        """Polls until cancelled."""
        while True:
            await asyncio.sleep(self._poll_s)
            try:
                await self.check()
            except Exception:  # a watcher that dies would silently stop all future reloads
                log.exception("checking the model file %s failed", self.path)
