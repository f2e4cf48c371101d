"""A few long-lived document worker processes; a document that overruns its time has its worker killed.

Extraction is CPU work in a C-less library that a crafted PDF can keep busy for minutes, so it runs
in separate processes (the event loop stays free) and a deadline is enforced by killing the process:
a thread could not be stopped. Workers start on first use and are reused; a killed or dead worker is
replaced by a fresh one on the next document. A worker is one document at a time; documents beyond
the number of workers wait, and the wait counts against the deadline.
"""

import asyncio
import json
import logging
import sys

from gateway.documents.pdf_text import Extracted

log = logging.getLogger(__name__)


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process

    @classmethod
    async def start(cls, argv: list[str]) -> "_Worker":
        process = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        return cls(process)

    async def ask(self, data: bytes) -> Extracted:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(len(data).to_bytes(4, "big") + data)
        await stdin.drain()
        size = int.from_bytes(await stdout.readexactly(4), "big")
        reply = json.loads(await stdout.readexactly(size))
        # Page starts are optional in the protocol: without them, passages have no page.
        starts = reply.get("page_starts") or []
        return Extracted(pages=reply["pages"], text=reply["text"], note=reply["note"], page_starts=starts)

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()


def worker_argv(*, max_pages: int, max_chars: int, memory_mb: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gateway.documents.pdf_worker",
        f"--max-pages={max_pages}",
        f"--max-chars={max_chars}",
        f"--memory-mb={memory_mb}",
    ]


class DocumentWorkers:
    def __init__(self, argv: list[str], *, workers: int, timeout_s: float):
        self._argv = argv
        self._slots = asyncio.Semaphore(workers)
        self._idle: list[_Worker] = []
        self._running: set[_Worker] = set()
        self.timeout_s = timeout_s
        self.killed = 0

    async def read(self, data: bytes) -> Extracted:
        """The document's text, or a note saying why there is none; never raises for the document."""
        try:
            async with asyncio.timeout(self.timeout_s), self._slots:
                return await self._on_a_worker(data)
        except TimeoutError:
            return Extracted(None, "", f"took longer than {self.timeout_s:g} s to read: not read")

    async def _on_a_worker(self, data: bytes) -> Extracted:
        if self._idle:
            worker = self._idle.pop()
        else:
            worker = await _Worker.start(self._argv)
            self._running.add(worker)
        try:
            result = await worker.ask(data)
        except BaseException as exc:
            # Timed out, cancelled or dead in the middle of a document: its state is unknown.
            self.killed += 1
            self._running.discard(worker)
            await asyncio.shield(worker.stop())
            if isinstance(exc, (OSError, EOFError, ValueError, KeyError)):
                log.warning("document worker failed (%s); replacing it", type(exc).__name__)
                return Extracted(None, "", "the document reader failed on it: not read")
            raise
        self._idle.append(worker)
        return result

    async def close(self) -> None:
        running, self._running, self._idle = self._running, set(), []
        for worker in running:
            await worker.stop()
