"""A document worker process: reads PDFs from stdin, writes their text to stdout, one at a time.

`python -m gateway.documents.pdf_worker --max-pages 10 --max-chars 20000 --memory-mb 512`. Each request is a
4-byte big-endian length and the PDF's bytes; each reply a 4-byte length and a JSON object
{"pages", "text", "note", "page_starts"}. It exits at the end of its input. The gateway runs a few of
these and kills one that takes too long (gateway/documents/worker_pool.py): a thread could not be stopped.
"""

import argparse
import json
import logging
import os
import sys
from dataclasses import asdict
from typing import BinaryIO

from gateway.documents.pdf_text import Extracted, extract


def _limit_memory(megabytes: int) -> None:
    # A decompression bomb then fails with MemoryError (a note) instead of swapping the machine.
    try:
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform, or a lower hard limit already holds


def serve(requests: BinaryIO, replies: BinaryIO, *, max_pages: int, max_chars: int) -> None:
    while True:
        header = requests.read(4)
        if len(header) < 4:
            return
        data = requests.read(int.from_bytes(header, "big"))
        try:
            result = extract(data, max_pages=max_pages, max_chars=max_chars)
        except MemoryError:
            result = Extracted(None, "", "too large to read in memory: not read")
        payload = json.dumps(asdict(result)).encode()
        replies.write(len(payload).to_bytes(4, "big") + payload)
        replies.flush()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.documents.pdf_worker")
    parser.add_argument("--max-pages", type=int, required=True)
    parser.add_argument("--max-chars", type=int, required=True)
    parser.add_argument("--memory-mb", type=int, default=0)
    args = parser.parse_args(argv)
    # Replies own the real stdout; anything a library prints goes to stderr instead.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    # pypdf logs a warning for every oddity of a damaged file; the note says what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if args.memory_mb:
        _limit_memory(args.memory_mb)
    import pypdf  # noqa: F401 - loaded before the first document, so it is not timed against it

    serve(sys.stdin.buffer, replies, max_pages=args.max_pages, max_chars=args.max_chars)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
